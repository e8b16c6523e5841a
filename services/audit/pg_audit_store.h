#ifndef KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_
#define KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/audit/audit_entry.h"
#include "services/audit/audit_query.h"
#include "services/audit/audit_verifier.h"

namespace kvo::audit {

// An entry not yet placed in the tree.
struct PendingEntry {
  int64_t id = 0;
  SequencedEntry entry;  // index not yet meaningful
  std::string entry_mac;
};

// A sequenced entry with what the store keeps beside it (its write MAC is
// the sequencer's business, checked once before it was sequenced).
struct StoredEntry {
  SequencedEntry entry;
  std::string leaf_hash;  // raw bytes; empty when missing
  std::string seq_mac;
  bool content_erased = false;

  EntryEvidence evidence() const {
    return {entry, leaf_hash, seq_mac, content_erased};
  }
};

// What became of a row this process wrote (AuditWrites::Check).
struct WrittenRow {
  int64_t id = 0;
  bool found = false;
  bool sequenced = false;
  bool quarantined = false;
  // pg_xact_status of the writing transaction: "committed", "aborted",
  // "in progress", or "" when too old to tell.
  std::string xact;
};

// One successful access to a subject's data, for their access export:
// the caller's role and the areas (name and municipality) they hold now.
struct SubjectAccessRow {
  int64_t at_micros = 0;
  std::string role;
  std::string action;
  std::string purpose;
  std::vector<std::string> areas;
};

// The only SQL on the audit tables. Every function runs in the caller's
// transaction; libpqxx exceptions pass through to the caller's DbPool.
class PgAuditStore final {
 public:
  // Appends one entry in the caller's transaction: an INSERT only, so
  // concurrent writers never wait on one another. Stamps it with this
  // process's clock, writer id and write number, and its MAC
  // (ProcessAuditMac(); throws without one). Throws, and raises the alarm
  // (AuditWrites), when the database gives no row back.
  static void Append(pqxx::transaction_base& tx, const AuditRecord& record);

  // Sequencer: the oldest unsequenced entries (by insertion id), locked.
  static std::vector<PendingEntry> LockUnsequenced(pqxx::transaction_base& tx,
                                                   int limit);
  // Sequencer: stores tree index, leaf hash and sequence MAC (raw bytes)
  // per entry id, and lists each entry's subjects (its `subject` field,
  // as SplitSubjects reads it) in audit_subjects.
  static void AssignIndexes(pqxx::transaction_base& tx,
                            const std::vector<int64_t>& ids,
                            const std::vector<uint64_t>& indexes,
                            const std::vector<std::string>& leaf_hashes,
                            const std::vector<std::string>& seq_macs,
                            const std::vector<std::string>& subjects);
  // Sequencer: which of these write MACs (raw bytes) a sequenced entry
  // already carries (the pending rows with them are copies).
  static std::set<std::string> SequencedMacs(
      pqxx::transaction_base& tx, const std::vector<std::string>& entry_macs);
  // AuditWrites: what became of rows written by transactions `xids`.
  static std::vector<WrittenRow> WrittenRows(pqxx::transaction_base& tx,
                                             const std::vector<int64_t>& ids,
                                             const std::vector<int64_t>& xids);
  // The subject index's rows of indexes [from, to), by index and subject.
  static std::vector<std::pair<uint64_t, std::string>> SubjectRows(
      pqxx::transaction_base& tx, uint64_t from, uint64_t to);
  // Triggers, rules, row-level policies or security and event triggers on
  // the database's tables, one line each; kvod creates none.
  static std::vector<std::string> HiddenMachinery(pqxx::transaction_base& tx);
  // Sequencer: sets rows aside that it will never sign (their MAC fails).
  static void Quarantine(pqxx::transaction_base& tx,
                         const std::vector<int64_t>& ids);
  static uint64_t QuarantinedCount(pqxx::transaction_base& tx);
  // Age of the oldest entry still waiting for the sequencer, in
  // microseconds at the database's clock; 0 when none waits.
  static int64_t OldestUnsequencedAgeMicros(pqxx::transaction_base& tx);
  // Number of sequenced entries (max index + 1).
  static uint64_t SequencedCount(pqxx::transaction_base& tx);
  // Stored leaf hashes of indexes [0, count), in order. DATA_LOSS naming
  // the first index that is missing or has no well-formed leaf hash.
  static absl::StatusOr<std::vector<std::string>> LeafHashes(
      pqxx::transaction_base& tx, uint64_t count, uint64_t from = 0);

  // Registers a signing key (idempotent); its id.
  static int32_t RegisterKey(pqxx::transaction_base& tx,
                             const std::string& public_key);
  // Stores a head; a head of a size already signed replaces it only when
  // its root is the same (a fresher signature of an unchanged tree).
  static void InsertTreeHead(pqxx::transaction_base& tx,
                             const StoredTreeHead& head, int32_t key_id);
  // The head of exactly `tree_size`, or the latest when 0.
  static std::optional<StoredTreeHead> TreeHead(pqxx::transaction_base& tx,
                                                uint64_t tree_size);
  static std::vector<StoredTreeHead> AllTreeHeads(pqxx::transaction_base& tx);
  // Heads of `min_size` entries or more, smallest first.
  static std::vector<StoredTreeHead> TreeHeadsFrom(pqxx::transaction_base& tx,
                                                   uint64_t min_size);

  // Every sequenced entry in index order, in batches, with its stored leaf
  // hash; `visit` returns false to stop.
  // From index `from` on.
  static void ForEachSequenced(
      pqxx::transaction_base& tx,
      const std::function<bool(const StoredEntry&)>& visit, uint64_t from = 0);
  static std::optional<SequencedEntry> EntryAt(pqxx::transaction_base& tx,
                                               uint64_t index);
  static bool ContentErased(pqxx::transaction_base& tx, uint64_t index);
  // The entry with the highest index, with its MACs.
  static std::optional<StoredEntry> LastSequenced(pqxx::transaction_base& tx);
  static uint64_t UnsequencedCount(pqxx::transaction_base& tx);

  // Every entry with outcome ok whose subject list names `subject`
  // ("person:<pseudonym>"), oldest first. Scans the log: for the rare
  // access export, not for a hot path.
  static std::vector<SubjectAccessRow> AccessesOfSubject(
      pqxx::transaction_base& tx, const std::string& subject);

  // Retention: how many sequenced entries written before `before_micros`
  // still have their content.
  static uint64_t ErasableContent(pqxx::transaction_base& tx,
                                  int64_t before_micros);
  // The time of the oldest sequenced entry written at or after
  // `from_micros` that still has its content.
  static std::optional<int64_t> OldestWholeFrom(pqxx::transaction_base& tx,
                                                int64_t from_micros);
  // Empties them: who, what, about whom, why and the request id go; the
  // index, time, outcome, leaf hash and sequence MAC stay. The count.
  static uint64_t EraseContent(pqxx::transaction_base& tx,
                               int64_t before_micros);

  // Reading the log: sequenced entries matching `filter` below index
  // `before` (all when nullopt), newest first, at most `limit`. Erased
  // entries match time and area filters only (their content is gone).
  static std::vector<StoredEntry> Query(pqxx::transaction_base& tx,
                                        const LogFilter& filter,
                                        std::optional<uint64_t> before,
                                        int limit);
  // Whether any sequenced entry names `subject` (one pseudonymous id).
  static bool SubjectNamed(pqxx::transaction_base& tx,
                           const std::string& subject);
  static std::optional<StoredEntry> StoredAt(pqxx::transaction_base& tx,
                                             uint64_t index);
  // Signed heads smaller than `before_size` (0: all), largest first.
  static std::vector<StoredTreeHead> TreeHeadsBefore(pqxx::transaction_base& tx,
                                                     uint64_t before_size,
                                                     int limit);
  // Every sequenced entry written in [from, to), in index order; only those
  // about `area_id` unless 0.
  static std::vector<StoredEntry> EntriesBetween(pqxx::transaction_base& tx,
                                                 int64_t from_micros,
                                                 int64_t to_micros,
                                                 int64_t area_id);
  // Per principal: successful entries with one of `actions` in [from, to).
  static std::map<int64_t, int64_t> ActionCounts(
      pqxx::transaction_base& tx, int64_t from_micros, int64_t to_micros,
      const std::vector<std::string>& actions);
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_PG_AUDIT_STORE_H_
