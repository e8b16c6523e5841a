#ifndef KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_
#define KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/audit/audit_entry.h"
#include "services/audit/merkle.h"

namespace kvo::audit {

struct VerifyReport {
  bool ok = true;
  uint64_t entries_checked = 0;
  uint64_t tree_heads_checked = 0;
  int64_t first_bad_index = -1;
  std::string problem;
};

// Recomputes the log from its entries and checks it against every signed
// tree head, without I/O: the store feeds entries in index order. Names the
// first index that is wrong:
//  - a missing index (a row deleted, or renumbered),
//  - an entry whose fields no longer hash to its leaf (edited or moved: the
//    index is part of the hashed bytes),
//  - a root that differs from a signed head (leaf hashes rewritten too; the
//    wrong entry lies between the previous head and this one),
//  - a signed head beyond the last entry (truncated),
//  - a head whose Ed25519 signature does not verify.
// Not thread-safe; one per verification.
class LogVerifier final {
 public:
  // `heads` in increasing tree_size order.
  explicit LogVerifier(std::vector<StoredTreeHead> heads);

  // Feeds the next entry; false once a problem is found (stop feeding).
  bool Add(const SequencedEntry& entry, const std::string& stored_leaf_hash);
  VerifyReport Finish();

 private:
  void Fail(int64_t index, std::string problem);
  // Checks every head of exactly the current size against the root.
  bool CheckHeadsAtCurrentSize();

  std::vector<StoredTreeHead> heads_;
  size_t next_head_ = 0;
  CompactTree tree_;
  VerifyReport report_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_VERIFIER_H_
