#include "services/common/rotating_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

int OpenForAppend(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

std::filesystem::path Numbered(const std::filesystem::path& path, int n) {
  return std::filesystem::path(absl::StrCat(path.string(), ".", n));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RotatingFile>> RotatingFile::Open(
    const std::filesystem::path& path, int64_t max_bytes, int keep) {
  if (max_bytes < 1) {
    return absl::InvalidArgumentError("log file size limit must be positive");
  }
  if (keep < 0) {
    return absl::InvalidArgumentError(
        "number of kept log files must be 0 or more");
  }
  const int fd = OpenForAppend(path);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const std::string error = std::strerror(fd < 0 ? errno : EINVAL);
    if (fd >= 0) ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open log file ", path.string(), ": ", error));
  }
  // It may be an older file another umask made readable to others.
  ::fchmod(fd, 0600);
  return std::unique_ptr<RotatingFile>(
      new RotatingFile(path, max_bytes, keep, fd, st.st_size));
}

RotatingFile::RotatingFile(std::filesystem::path path, int64_t max_bytes,
                           int keep, int fd, int64_t size)
    : path_(std::move(path)),
      max_bytes_(max_bytes),
      keep_(keep),
      fd_(fd),
      size_(size) {}

RotatingFile::~RotatingFile() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingFile::Write(absl::string_view lines) {
  while (!lines.empty()) {
    // The whole lines that still fit in PATH.
    const int64_t room = max_bytes_ - size_;
    size_t take = 0;
    if (room >= static_cast<int64_t>(lines.size())) {
      take = lines.size();
    } else if (room > 0) {
      const size_t end = lines.rfind('\n', static_cast<size_t>(room) - 1);
      if (end != absl::string_view::npos) take = end + 1;
    }
    if (take == 0) {
      if (size_ > 0) {
        Rotate();
        continue;
      }
      // A line longer than the limit, in a file of its own.
      const size_t end = lines.find('\n');
      take = end == absl::string_view::npos ? lines.size() : end + 1;
    }
    const absl::string_view part = lines.substr(0, take);
    if (!WriteAll(part)) StderrSink().Write(part);
    lines.remove_prefix(take);
  }
}

bool RotatingFile::WriteAll(absl::string_view lines) {
  if (fd_ < 0) {
    // The last rotation could not reopen PATH: try again.
    fd_ = OpenForAppend(path_);
    if (fd_ < 0) return false;
    size_ = 0;
  }
  while (!lines.empty()) {
    const ssize_t n = ::write(fd_, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    size_ += n;
    lines.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RotatingFile::Rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (keep_ == 0) {
    ::unlink(path_.c_str());
  } else {
    for (int n = keep_ - 1; n >= 1; --n) {
      // A missing PATH.n (fewer rotations so far) is no error.
      std::rename(Numbered(path_, n).c_str(), Numbered(path_, n + 1).c_str());
    }
    std::rename(path_.c_str(), Numbered(path_, 1).c_str());
  }
  // Were PATH not renamed, it grows past the limit once more and is tried
  // again then, rather than rotated in a loop.
  fd_ = OpenForAppend(path_);
  size_ = 0;
}

}  // namespace kvo::common
