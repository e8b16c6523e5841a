#ifndef KVO_SERVICES_AUDIT_WITNESS_H_
#define KVO_SERVICES_AUDIT_WITNESS_H_

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/audit/audit_entry.h"

namespace kvo::audit {

// A signed tree head as this kvod recorded it.
struct WitnessedHead {
  StoredTreeHead head;
  // False while the head's transaction has not been seen to commit: a
  // sequencer records a head before it publishes it.
  bool committed = false;
};

// The heads this kvod signed or saw, in a file beside its signing key and
// outside the database (`<data-dir>/audit/witness.log`), so whoever holds
// the database cannot make kvod forget them. Lines are only appended, each
// fsynced before Record returns:
//   head SIZE ROOT_HEX TIMESTAMP_MS SIGNATURE_HEX PUBLIC_KEY_HEX
//   committed SIZE        the head's transaction committed
//   void SIZE             it never did (kvod stopped between the two)
// Thread-safe.
class Witness final {
 public:
  // Opens the file (created with mode 0600 when missing). A torn last line
  // (a crash mid-write) is ignored; any other malformed line is DATA_LOSS
  // naming the line. FAILED_PRECONDITION when others may read or write it.
  static absl::StatusOr<std::unique_ptr<Witness>> Open(
      const std::filesystem::path& path);
  ~Witness();

  // The latest heads on record (at most kHeadsInMemory), oldest first, void
  // ones left out. Every head was checked consistent with the one before it
  // when it was recorded, so the latest alone vouches for the history.
  std::vector<WitnessedHead> Heads() const;
  std::optional<WitnessedHead> Latest() const;

  // Appends a head. FAILED_PRECONDITION (and nothing written) when it
  // contradicts the latest: smaller, or the same size with another root.
  absl::Status Record(const StoredTreeHead& head, bool committed);
  absl::Status Confirm(uint64_t tree_size);
  absl::Status Void(uint64_t tree_size);

  const std::filesystem::path& path() const { return path_; }

 private:
  Witness(std::filesystem::path path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  absl::Status AppendLine(const std::string& line);
  void Keep(WitnessedHead head);

  static constexpr size_t kHeadsInMemory = 4096;

  const std::filesystem::path path_;
  const int fd_;
  mutable std::mutex mu_;
  std::deque<WitnessedHead> heads_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_WITNESS_H_
