#include "services/common/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace kvo::common {

std::vector<std::string> ProcStatFields(pid_t pid) {
  if (pid <= 0) return {};
  // read(2), not an ifstream: libstdc++ throws from a stream whose read
  // fails, and reading the stat of a process that just exited fails with
  // ESRCH.
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string stat;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    stat.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

bool ProcessAlive(pid_t pid) {
  const auto fields = ProcStatFields(pid);
  return !fields.empty() && fields[0] != "Z";
}

}  // namespace kvo::common
