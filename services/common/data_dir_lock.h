#ifndef KVO_SERVICES_COMMON_DATA_DIR_LOCK_H_
#define KVO_SERVICES_COMMON_DATA_DIR_LOCK_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"

namespace kvo::common {

// Proof that this kvod alone uses a data directory: an exclusive flock on
// <dir>/kvod.lock, which holds the owner's pid. The kernel drops the lock
// when the process dies however it dies, so a SIGKILLed kvod never blocks
// the next start; the descriptor is close-on-exec, so the PostgreSQL it
// starts never holds it. Released when destroyed.
//
// Errors: FAILED_PRECONDITION when another live process holds the lock (the
// message names its pid) or the file cannot be opened. Touches nothing else
// in the directory.
class DataDirLock final {
 public:
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(
      const std::filesystem::path& dir);

  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DATA_DIR_LOCK_H_
