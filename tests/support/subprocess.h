#ifndef KVO_TESTS_SUPPORT_SUBPROCESS_H_
#define KVO_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kvo::testing {

// A child process for end-to-end tests: stdout is read line by line, stderr
// goes to a file. The child gets SIGTERM when the test process dies (it is
// never left running), and the destructor kills and reaps it.
class Subprocess final {
 public:
  // argv[0] is a path. `env` adds NAME=VALUE entries to the environment.
  // The child reads `stdin_text` on stdin (else /dev/null).
  Subprocess(std::vector<std::string> argv, std::vector<std::string> env = {},
             const std::string& stdin_text = "");
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // The first stdout line starting with `prefix`, or nullopt on timeout or
  // end of output. Lines before it are kept in stdout_lines().
  std::optional<std::string> WaitForLine(const std::string& prefix,
                                         std::chrono::milliseconds timeout);
  void Signal(int sig);
  // The exit code (128+signal when killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::string Stderr() const;
  const std::vector<std::string>& stdout_lines() const { return lines_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
  std::filesystem::path stderr_path_;
  std::filesystem::path stdin_path_;
  std::optional<int> exit_code_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), `stdin_text` on
// its stdin.
CommandResult RunCommand(
    const std::vector<std::string>& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(60),
    const std::vector<std::string>& env = {},
    const std::string& stdin_text = "");

// The value of "key: value" in kvo's human-readable record output ("" when
// the key is not there).
std::string Field(const std::string& out, const std::string& key);
// Exit code, stdout and stderr, for a failing expectation's message.
std::string Describe(const CommandResult& r);

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_SUBPROCESS_H_
