#ifndef KVO_SERVICES_AUDIT_AUDIT_MAC_H_
#define KVO_SERVICES_AUDIT_AUDIT_MAC_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "services/audit/audit_entry.h"
#include "services/common/envelope.h"

namespace kvo::audit {

// The MACs that tell entries kvod wrote from rows someone wrote into the
// database: keyed BLAKE2b-256 with a key kept beside the signing key (file
// `<data-dir>/audit/mac.key`), never in the database. Replicas of one log
// share it like they share the signing key. Thread-safe (immutable).
class AuditMac final {
 public:
  explicit AuditMac(common::SecretKey key) : key_(std::move(key)) {}

  // Over WrittenBytes(entry): made when kvod writes the row.
  std::string EntryMac(const SequencedEntry& entry) const;
  // Over the index, time and leaf hash the sequencer gave the entry: a row
  // moved to another index, or given another time or leaf hash, no longer
  // matches. It outlives the entry's content (retention keeps the time).
  std::string SequenceMac(uint64_t index, int64_t at_micros,
                          absl::string_view leaf_hash) const;
  bool EntryMacOk(const SequencedEntry& entry, absl::string_view mac) const;
  bool SequenceMacOk(uint64_t index, int64_t at_micros,
                     absl::string_view leaf_hash, absl::string_view mac) const;

 private:
  common::SecretKey key_;
};

// The key every PgAuditStore::Append of this process uses. Installed once at
// start-up (kvod's main, a test's main) before any thread appends; appending
// without one throws (the writer's transaction rolls back).
void InstallProcessAuditMac(std::shared_ptr<const AuditMac> mac);
const AuditMac* ProcessAuditMac();

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_MAC_H_
