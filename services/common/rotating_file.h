#ifndef KVO_SERVICES_COMMON_ROTATING_FILE_H_
#define KVO_SERVICES_COMMON_ROTATING_FILE_H_

#include <cstdint>
#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "services/common/log_writer.h"

namespace kvo::common {

// kvod's log file (--log-file): it never grows past `max_bytes`. Before a
// line would take it past, PATH becomes PATH.1 (PATH.1 becomes PATH.2, and
// so on; PATH.`keep` is the oldest kept, an older one is overwritten) and a
// new PATH starts; with `keep` 0 the old lines are simply dropped. A line
// is never split between two files; one longer than `max_bytes` gets a
// file of its own. Files are created mode 0600 (an existing PATH is set to
// 0600). When the file cannot be written (disk full, a rotation failed)
// the lines go to stderr instead of being lost silently.
// Not thread-safe: one writer at a time (LogWriter's thread).
class RotatingFile final : public LogSink {
 public:
  // INVALID_ARGUMENT for max_bytes < 1 or keep < 0; FAILED_PRECONDITION
  // when PATH cannot be opened for appending.
  static absl::StatusOr<std::unique_ptr<RotatingFile>> Open(
      const std::filesystem::path& path, int64_t max_bytes, int keep);
  ~RotatingFile() override;
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;

  void Write(absl::string_view lines) override;

 private:
  RotatingFile(std::filesystem::path path, int64_t max_bytes, int keep, int fd,
               int64_t size);
  // Writes `lines` to the open file whole; false when it could not.
  bool WriteAll(absl::string_view lines);
  void Rotate();

  const std::filesystem::path path_;
  const int64_t max_bytes_;
  const int keep_;
  int fd_;        // -1 when the last rotation could not reopen PATH
  int64_t size_;  // of PATH
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_ROTATING_FILE_H_
