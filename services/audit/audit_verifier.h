#ifndef KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_
#define KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/audit/audit_entry.h"
#include "services/audit/audit_mac.h"
#include "services/audit/merkle.h"

namespace kvo::audit {

struct VerifyReport {
  bool ok = true;
  uint64_t entries_checked = 0;
  uint64_t tree_heads_checked = 0;
  uint64_t witnessed_heads_checked = 0;
  int64_t first_bad_index = -1;
  std::string problem;
  // When a head's root does not match: the entries [first_bad_index,
  // bad_range_end) hold the change; LocateBadEntry narrows it to one.
  uint64_t bad_range_end = 0;
};

// A sequenced entry as stored, with the MACs kept beside it.
struct EntryEvidence {
  const SequencedEntry& entry;
  const std::string& leaf_hash;
  const std::string& seq_mac;
  // Retention emptied the entry: only its index, time and leaf hash stay,
  // vouched for by the sequence MAC.
  bool content_erased = false;
};

// What the verifier trusts that the database cannot change.
struct VerifyOptions {
  // Checks the sequence MAC of entries retention emptied (their leaf hash
  // cannot be recomputed); null: skip. The others are vouched for by the
  // heads, which is cheaper: MACs only locate a change (LocateBadEntry).
  const AuditMac* mac = nullptr;
  // Heads signed by any other key fail; empty: any key (the key table is
  // then trusted, which kvod never does).
  std::vector<std::string> trusted_keys;
  // Heads this kvod signed or saw (its witness file): the stored log must
  // reproduce each, and reach the latest.
  std::vector<StoredTreeHead> witnessed;
  // An entry whose content was erased must be older than this (Unix
  // microseconds: now minus the audit retention); 0: not checked.
  int64_t erasable_before_micros = 0;
};

// Recomputes the log from its entries and checks it against every signed
// tree head and every witnessed head, without I/O: the store feeds entries
// in index order. Names the first index that is wrong:
//  - a missing index (a row deleted, or renumbered),
//  - an entry whose fields no longer hash to its leaf (edited or moved: the
//    index is part of the hashed bytes),
//  - an emptied entry (retention) whose sequence MAC fails,
//  - a root that differs from a signed or witnessed head (the wrong entry
//    lies between the previous head and this one),
//  - a head beyond the last entry (truncated), entries no signed head
//    covers (heads deleted),
//  - a head whose Ed25519 signature does not verify or whose key is not
//    trusted,
//  - an entry whose content was erased before its retention ended.
// Not thread-safe; one per verification.
// Narrows a root mismatch to the first entry of the range whose sequence
// MAC fails (edited with its leaf hash recomputed, moved, renumbered or
// written outside kvod): entries in index order. Not thread-safe.
class BadEntryLocator final {
 public:
  explicit BadEntryLocator(const AuditMac& mac) : mac_(mac) {}
  // False once found (stop feeding).
  bool Add(const EntryEvidence& stored);
  std::optional<uint64_t> found() const { return found_; }

 private:
  const AuditMac& mac_;
  std::optional<uint64_t> found_;
};

class LogVerifier final {
 public:
  // `heads` in increasing tree_size order.
  explicit LogVerifier(std::vector<StoredTreeHead> heads,
                       VerifyOptions options = {});

  // Feeds the next entry; false once a problem is found (stop feeding).
  bool Add(const EntryEvidence& stored);
  VerifyReport Finish();

 private:
  struct Head {
    StoredTreeHead head;
    bool witnessed = false;
  };
  void Fail(int64_t index, std::string problem);
  // Checks every head of exactly the current size against the root.
  bool CheckHeadsAtCurrentSize();
  bool CheckMacs(const EntryEvidence& stored);

  std::vector<Head> heads_;
  VerifyOptions options_;
  uint64_t signed_size_ = 0;  // the largest size a stored head covers
  bool any_signed_ = false;
  size_t next_head_ = 0;
  CompactTree tree_;
  VerifyReport report_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_
