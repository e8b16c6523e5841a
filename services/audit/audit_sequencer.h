#ifndef KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_
#define KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"
#include "services/audit/witness.h"
#include "services/common/periodic_task.h"

namespace kvo::audit {

struct SequencerOptions {
  // The heads this kvod signed or saw; null only in tests of the bare
  // sequencer (then nothing outside the database holds it to its past).
  Witness* witness = nullptr;
  // Tripped when the database contradicts the witness; null: not shared.
  AuditIntegrity* integrity = nullptr;
  // Re-sign an unchanged tree when its latest head is this old, so a
  // verifier can tell a quiet log from a frozen one; 0: never.
  std::chrono::milliseconds head_refresh{0};
  // Called (on the sequencer's thread) with each head this kvod signed,
  // after it committed.
  std::function<void(const StoredTreeHead&)> on_head;
};

// Places committed audit entries in the Merkle tree and signs tree heads.
// One per database: every kvod runs one, and the one holding a PostgreSQL
// session advisory lock does the work (another takes over when its
// connection goes). Each round, in one transaction, gives the unsequenced
// entries contiguous indexes in the order their commits became visible,
// stores their leaf hashes and sequence MACs and a signed head of the new
// size. Writers never wait for it: they only INSERT.
//
// Every kvod is a witness: each head it signs is recorded (fsynced) in its
// witness file before the transaction that publishes it commits, and a
// kvod that does not hold the lock follows the heads another signs,
// checking each extends the last it recorded. Whenever it (re)loads the
// tree from the database it checks the stored leaves reproduce the heads it
// recorded. A contradiction (rows removed, renumbered or rewritten, heads
// removed, a different head for a size it saw) trips `integrity` and the
// sequencer signs nothing more. Entries whose write MAC fails (written
// outside kvod) are quarantined, alarmed and never signed.
//
// Thread-safe. Start() runs rounds every `interval` on its own thread;
// Stop() runs a last round so a clean shutdown leaves everything signed.
class AuditSequencer final {
 public:
  AuditSequencer(std::string conninfo, TreeHeadSigner signer,
                 std::chrono::milliseconds interval,
                 SequencerOptions options = {});
  ~AuditSequencer();
  AuditSequencer(const AuditSequencer&) = delete;
  AuditSequencer& operator=(const AuditSequencer&) = delete;

  void Start();
  void Stop();

  // One round on the caller's thread. The signed tree size, or nullopt when
  // another kvod is the sequencer. UNAVAILABLE when the database is gone;
  // FAILED_PRECONDITION once the log contradicted the witness.
  absl::StatusOr<std::optional<uint64_t>> RunOnce();

 private:
  // Loads every stored leaf and checks it against the witness.
  absl::Status Load(pqxx::transaction_base& tx);
  // Leader: sequences pending entries and signs; false when nothing more.
  absl::StatusOr<bool> SequenceBatch();
  // Not the leader: records the heads another kvod signed.
  absl::Status Follow();
  absl::Status Contradiction(std::string reason);
  bool TryLead();

  const std::string conninfo_;
  const TreeHeadSigner signer_;
  const std::chrono::milliseconds interval_;
  const SequencerOptions options_;

  std::mutex mu_;  // one round at a time; guards everything below
  std::unique_ptr<pqxx::connection> conn_;
  bool leader_ = false;
  bool loaded_ = false;
  std::string contradiction_;  // non-empty once tripped
  CompactTree tree_;
  uint64_t signed_size_ = 0;
  bool signed_any_ = false;
  int64_t signed_at_ms_ = 0;
  int32_t key_id_ = 0;

  common::PeriodicTask rounds_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_SEQUENCER_H_
