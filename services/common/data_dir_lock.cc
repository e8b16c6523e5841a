#include "services/common/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kvo::common {

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "kvod.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open ", path.string(), ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder(buf, n > 0 ? static_cast<size_t>(n) : 0);
      holder = std::string(absl::StripAsciiWhitespace(holder));
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", dir.string(), " is in use by another kvod",
          holder.empty() ? "" : absl::StrCat(" (pid ", holder, ")"),
          "; stop it first or choose another --data-dir"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot lock ", path.string(), ": ", std::strerror(err)));
  }
  // Only the holder writes: a refused kvod leaves the file as it was.
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    // The pid is for people reading the message; the lock is what counts.
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() { ::close(fd_); }

}  // namespace kvo::common
