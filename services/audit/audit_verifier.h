#ifndef KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_
#define KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_

#include <cstdint>
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
};

// A sequenced entry as stored, with the MACs kept beside it.
struct EntryEvidence {
  const SequencedEntry& entry;
  const std::string& leaf_hash;
  const std::string& entry_mac;
  const std::string& seq_mac;
  // Retention emptied the entry: only its index, time and leaf hash stay,
  // vouched for by the sequence MAC.
  bool content_erased = false;
};

// What the verifier trusts that the database cannot change.
struct VerifyOptions {
  // Checks both MACs of every entry (kvod holds the key); null: skip.
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
//  - an entry whose write MAC fails (written outside kvod, or edited with
//    its leaf hash recomputed) or whose sequence MAC fails (moved to
//    another index, renumbered, rehashed),
//  - a root that differs from a signed or witnessed head (the wrong entry
//    lies between the previous head and this one),
//  - a head beyond the last entry (truncated), entries no signed head
//    covers (heads deleted),
//  - a head whose Ed25519 signature does not verify or whose key is not
//    trusted,
//  - an entry whose content was erased before its retention ended.
// Not thread-safe; one per verification.
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
