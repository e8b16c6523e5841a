#include "services/audit/head_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/log.h"

extern char** environ;

namespace kvo::audit {

HeadCommand::~HeadCommand() {
  std::lock_guard lock(mu_);
  Reap(/*wait=*/true);
}

void HeadCommand::Reap(bool wait) {
  std::vector<pid_t> still;
  for (pid_t pid : running_) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, wait ? 0 : WNOHANG);
    if (r == 0) {
      still.push_back(pid);
    } else if (r == pid && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
      common::LogWarn("audit head command failed",
                      {{"status", absl::StrCat(status)}});
    }
  }
  running_ = std::move(still);
}

void HeadCommand::Publish(const StoredTreeHead& head) {
  std::lock_guard lock(mu_);
  Reap(/*wait=*/false);
  if (running_.size() >= kMaxRunning) {
    common::LogWarn("audit head command busy; head not sent",
                    {{"tree_size", absl::StrCat(head.tree_size)}});
    return;
  }
  std::vector<std::string> env = {
      absl::StrCat("KVO_HEAD_SIZE=", head.tree_size),
      absl::StrCat("KVO_HEAD_ROOT=", common::HexEncode(head.root_hash)),
      absl::StrCat("KVO_HEAD_TIMESTAMP_MS=", head.timestamp_ms),
      absl::StrCat("KVO_HEAD_SIGNATURE=", common::HexEncode(head.signature)),
      absl::StrCat("KVO_HEAD_PUBLIC_KEY=", common::HexEncode(head.public_key))};
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "KVO_HEAD_", 9) != 0) envp.push_back(*e);
  }
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command_;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  // kvod blocks SIGINT/SIGTERM in every thread (for sigwait); the command
  // must not inherit that mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int err =
      ::posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    common::LogWarn("audit head command cannot start",
                    {{"detail", std::strerror(err)}});
    return;
  }
  running_.push_back(pid);
}

}  // namespace kvo::audit
