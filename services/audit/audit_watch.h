#ifndef KVO_SERVICES_AUDIT_AUDIT_WATCH_H_
#define KVO_SERVICES_AUDIT_AUDIT_WATCH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/witness.h"
#include "services/common/db_pool.h"
#include "services/common/metrics.h"
#include "services/common/periodic_task.h"

namespace kvo::audit {

struct AuditWatchOptions {
  const Witness* witness = nullptr;
  AuditIntegrity* integrity = nullptr;  // required
  // The key store's database, checked for hidden machinery too; optional.
  common::DbPool* keystore = nullptr;
  std::string public_key;  // raw 32 bytes: the one key heads may carry
  // The policy's max_unsequenced_seconds, in microseconds.
  int64_t max_unsequenced_micros = 60'000'000;
  // Entries written before this may have lost their content (Unix
  // microseconds); null: not checked.
  std::function<int64_t()> erasable_before_micros;
  // The quick checks: hidden machinery, what this kvod wrote, sealing, the
  // newest entries and the latest witnessed head.
  std::chrono::milliseconds interval{std::chrono::seconds(5)};
  uint64_t recent_entries = 1000;
  // The whole log, as kvo audit verify checks it.
  std::chrono::milliseconds full_interval{std::chrono::minutes(10)};
};

// A running kvod's watch over the audit log it holds in a database it does
// not trust (issue 25). Every `interval`:
//  - no trigger, rule, row-level policy or security, or event trigger on
//    the database's tables (kvod creates none; each can drop or change
//    what kvod writes);
//  - every entry this process wrote is still there until it is sequenced
//    (AuditWrites), and was not rewritten;
//  - the log is being sealed: no entry waits longer than the limit
//    (SetSealing: kvod fails closed only while it lasts);
//  - the newest `recent_entries` sequenced entries are contiguous, hash to
//    their leaves and carry their sequence MACs, and the latest head this
//    kvod witnessed is still stored with the same root;
// and every `full_interval` the whole log is verified like kvo audit verify
// does (entries, heads, witnessed heads, the subject index). Any change
// trips the integrity: kvod fails closed, health NOT_SERVING, alarm logged.
// Each quick round also sets the sealing backlog's gauges in
// common::ProcessMetrics(). Thread-safe.
class AuditWatch final {
 public:
  AuditWatch(common::DbPool& pool, AuditWatchOptions options);
  ~AuditWatch();

  // Checks for hidden machinery at once (start-up), then runs the rounds.
  void Start();
  void Stop();

  // One round of each, on the caller's thread; the problem found (also
  // tripped), OK otherwise (and when the database is out of reach).
  absl::Status CheckHiddenMachinery();
  absl::Status CheckQuick();
  absl::Status VerifyAll();

 private:
  absl::Status CheckWritesAndSealing();
  absl::Status CheckNewest();
  absl::Status Problem(std::string problem);

  common::DbPool& pool_;
  const AuditWatchOptions options_;
  // The sealing backlog as each quick round saw it, for the operator.
  common::Gauge& unsealed_entries_ = common::ProcessMetrics().GetGauge(
      "kvo_audit_unsealed_entries",
      "Audit entries waiting for a signed tree head (the whole log, as this "
      "kvod's last watch round saw it).");
  common::Gauge& oldest_unsealed_seconds_ = common::ProcessMetrics().GetGauge(
      "kvo_audit_oldest_unsealed_age_seconds",
      "Age of the oldest audit entry waiting for a signed tree head; 0 when "
      "none waits.");
  common::PeriodicTask quick_;
  common::PeriodicTask full_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_WATCH_H_
