#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace kvo::testing {
namespace {

using std::chrono::steady_clock;

extern "C" char** environ;

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Subprocess::Subprocess(std::vector<std::string> argv,
                       std::vector<std::string> env,
                       const std::string& stdin_text) {
  static std::atomic<int> counter{0};
  const std::string stem = "kvo-sub-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1));
  stderr_path_ = std::filesystem::temp_directory_path() / (stem + ".err");
  stdin_path_ = std::filesystem::temp_directory_path() / (stem + ".in");
  {
    std::ofstream in(stdin_path_, std::ios::binary | std::ios::trunc);
    in << stdin_text;
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (auto& extra : env) env_strings.push_back(extra);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  int err_fd = ::open(stderr_path_.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    int in_fd = ::open(stdin_path_.c_str(), O_RDONLY);
    ::dup2(in_fd, STDIN_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) _exit(1);
    ::execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  ::close(pipe_fds[1]);
  ::close(err_fd);
  stdout_fd_ = pipe_fds[0];
}

Subprocess::~Subprocess() {
  if (!exit_code_.has_value() && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  std::error_code ec;
  std::filesystem::remove(stderr_path_, ec);
  std::filesystem::remove(stdin_path_, ec);
}

std::optional<std::string> Subprocess::WaitForLine(
    const std::string& prefix, std::chrono::milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  size_t scanned = 0;
  for (;;) {
    for (; scanned < lines_.size(); ++scanned) {
      if (lines_[scanned].rfind(prefix, 0) == 0) return lines_[scanned];
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - steady_clock::now());
    if (left.count() <= 0 || stdout_fd_ < 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      if (!buffer_.empty()) lines_.push_back(std::move(buffer_));
      buffer_.clear();
      continue;
    }
    buffer_.append(buf, n);
    for (size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      lines_.push_back(buffer_.substr(0, nl));
      buffer_.erase(0, nl + 1);
    }
  }
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_.has_value()) ::kill(pid_, sig);
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_.has_value()) return exit_code_;
  const auto deadline = steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = DecodeWaitStatus(status);
      return exit_code_;
    }
    if (steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Subprocess::Stderr() const { return ReadFile(stderr_path_); }

CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env,
                         const std::string& stdin_text) {
  Subprocess proc(argv, env, stdin_text);
  // Reads stdout to its end: no line starts with \x01.
  proc.WaitForLine("\x01", timeout);
  CommandResult result;
  auto code = proc.Wait(timeout);
  if (!code.has_value()) {
    proc.Signal(SIGKILL);
    code = proc.Wait(std::chrono::seconds(5));
  }
  result.exit_code = code.value_or(-1);
  for (const auto& line : proc.stdout_lines()) result.out += line + "\n";
  result.err = proc.Stderr();
  return result;
}

std::string Field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) {
      std::string value = line.substr(key.size() + 1);
      const auto first = value.find_first_not_of(" \t");
      const auto last = value.find_last_not_of(" \t\r");
      return first == std::string::npos ? ""
                                        : value.substr(first, last - first + 1);
    }
  }
  return "";
}

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out +
         "stderr:\n" + r.err;
}

}  // namespace kvo::testing
