#ifndef KVO_SERVICES_AUDIT_AUDIT_WRITES_H_
#define KVO_SERVICES_AUDIT_AUDIT_WRITES_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_integrity.h"
#include "services/common/commit_outcome.h"

namespace kvo::audit {

// What this kvod process wrote into the audit log, so that it notices when
// the database did not keep it. Each write is numbered under a random id of
// the process (both covered by the entry's MAC: a copy of a row is told
// from the row). Every insert must give its row back (PgAuditStore::Append
// fails the call and raises the alarm when a trigger or rule swallowed it);
// while tracking is on, the row's id and the transaction that wrote it are
// kept until the sequencer placed the row, and Check() fails when a row
// whose transaction committed is gone (deleted before it was sequenced) or
// was set aside as forged (rewritten). One per process (ProcessAuditWrites);
// thread-safe.
class AuditWrites final : public common::CommitListener {
 public:
  AuditWrites();

  // 16 random bytes, new at every start.
  const std::string& writer() const { return writer_; }
  int64_t NextNumber() { return next_.fetch_add(1) + 1; }

  // kvod turns tracking on (and gives the alarm a place); tests of the bare
  // store leave it off; null turns it off again.
  void Track(AuditIntegrity* integrity);
  // The insert gave its row back: its id and its transaction's id. Until
  // DbPool tells that transaction committed (CommitOutcome), the write is
  // unacknowledged: its call failed as far as anyone was told.
  void Written(int64_t id, int64_t xid, int64_t at_micros);
  void CommitOutcome(bool committed) override;
  // The insert stored nothing: logs the alarm and trips the integrity.
  void NothingStored(absl::string_view action);

  struct CheckResult {
    // Rows written before `now - limit` and still not sequenced.
    uint64_t overdue = 0;
    uint64_t still_tracked = 0;
  };
  // Looks up the rows written so far (in its own statements of `tx`): those
  // sequenced are forgotten; a committed one that is gone, or quarantined,
  // trips the integrity (INTERNAL "... disappeared" as well). A row missing
  // is only believed on the second look (a commit may be under way), and
  // only of a write whose commit kvod saw succeed: one whose commit failed
  // (a failover cut it; the new primary may even have given its
  // transaction id to another) was never acknowledged, nothing was
  // disclosed by its call, and it is forgotten with a warning.
  absl::StatusOr<CheckResult> Check(pqxx::transaction_base& tx,
                                    int64_t now_micros, int64_t limit_micros);

 private:
  struct Write {
    int64_t id = 0;
    int64_t xid = 0;
    int64_t at_micros = 0;
    bool missing_once = false;
  };
  void Alarm(const std::string& reason);

  std::string writer_;
  std::atomic<int64_t> next_{0};
  std::mutex mu_;
  bool tracking_ = false;                // guarded by mu_
  AuditIntegrity* integrity_ = nullptr;  // guarded by mu_
  std::vector<Write> written_;           // guarded by mu_
  // Ids of writes whose commit kvod has not seen succeed.
  std::unordered_set<int64_t> unacknowledged_;  // guarded by mu_
  std::mutex check_mu_;                         // one Check at a time
  static thread_local std::vector<int64_t> pending_;
};

AuditWrites& ProcessAuditWrites();

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_WRITES_H_
