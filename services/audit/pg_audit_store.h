#ifndef KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_
#define KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "services/audit/audit_entry.h"

namespace kvo::audit {

// An entry not yet placed in the tree.
struct PendingEntry {
  int64_t id = 0;
  SequencedEntry entry;  // index not yet meaningful
};

// The only SQL on the audit tables. Every function runs in the caller's
// transaction; libpqxx exceptions pass through to the caller's DbPool.
class PgAuditStore final {
 public:
  // Appends one entry in the caller's transaction: an INSERT only, so
  // concurrent writers never wait on one another.
  static void Append(pqxx::transaction_base& tx, const AuditRecord& record);

  // Sequencer: the oldest unsequenced entries (by insertion id), locked.
  static std::vector<PendingEntry> LockUnsequenced(pqxx::transaction_base& tx,
                                                   int limit);
  // Sequencer: stores tree index and leaf hash (raw bytes) per entry id.
  static void AssignIndexes(pqxx::transaction_base& tx,
                            const std::vector<int64_t>& ids,
                            const std::vector<uint64_t>& indexes,
                            const std::vector<std::string>& leaf_hashes);
  // Number of sequenced entries (max index + 1).
  static uint64_t SequencedCount(pqxx::transaction_base& tx);
  // Stored leaf hashes of indexes [0, count), in order.
  static std::vector<std::string> LeafHashes(pqxx::transaction_base& tx,
                                             uint64_t count);

  // Registers a signing key (idempotent); its id.
  static int32_t RegisterKey(pqxx::transaction_base& tx,
                             const std::string& public_key);
  static void InsertTreeHead(pqxx::transaction_base& tx,
                             const StoredTreeHead& head, int32_t key_id);
  // The head of exactly `tree_size`, or the latest when 0.
  static std::optional<StoredTreeHead> TreeHead(pqxx::transaction_base& tx,
                                                uint64_t tree_size);
  static std::vector<StoredTreeHead> AllTreeHeads(pqxx::transaction_base& tx);

  // Every sequenced entry in index order, in batches, with its stored leaf
  // hash; `visit` returns false to stop.
  static void ForEachSequenced(
      pqxx::transaction_base& tx,
      const std::function<bool(const SequencedEntry&,
                               const std::string& stored_leaf_hash)>& visit);
  static std::optional<SequencedEntry> EntryAt(pqxx::transaction_base& tx,
                                               uint64_t index);
  static uint64_t UnsequencedCount(pqxx::transaction_base& tx);
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_
