#ifndef KVO_SERVICES_RETENTION_RETENTION_JOB_H_
#define KVO_SERVICES_RETENTION_RETENTION_JOB_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/audit_entry.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/periodic_task.h"
#include "services/common/retention_rule.h"

namespace kvo::retention {

struct RetentionRun {
  bool dry_run = false;
  absl::Time at;
  std::vector<common::RetentionItem> items;  // one per rule, in rule order
};

// The one retention job: asks every module's rule what is due at the
// clock's now and, unless it is a dry run, has each delete it, all in one
// transaction with one audit entry naming kind, count and pseudonymous ids.
// One replica at a time (a transaction-scoped advisory lock). Runs on its
// own every `interval` (Start) and on demand (Run). Each run is counted in
// common::ProcessMetrics() (kvo_retention_runs_total). Thread-safe.
class RetentionJob final {
 public:
  RetentionJob(common::DbPool& pool, const common::Clock& clock,
               std::vector<common::RetentionRule*> rules);
  ~RetentionJob();

  // `requested_by` is the audit record of whoever asked (its action and
  // purpose are filled in here). `kinds` limits the run to those rules'
  // kinds, in rule order; empty runs them all. INVALID_ARGUMENT, before
  // anything runs, for a kind no rule has; FAILED_PRECONDITION when another
  // replica runs retention at this moment.
  absl::StatusOr<RetentionRun> Run(bool dry_run,
                                   audit::AuditRecord requested_by,
                                   const std::vector<std::string>& kinds = {});

  void Start(absl::Duration interval);
  void Stop() { timer_.Stop(); }

 private:
  absl::StatusOr<RetentionRun> RunUncounted(
      bool dry_run, audit::AuditRecord requested_by,
      const std::vector<std::string>& kinds);
  // The rules whose kinds are named (all for none), or INVALID_ARGUMENT.
  absl::StatusOr<std::vector<common::RetentionRule*>> Selected(
      const std::vector<std::string>& kinds) const;

  common::DbPool& pool_;
  const common::Clock& clock_;
  const std::vector<common::RetentionRule*> rules_;
  common::PeriodicTask timer_;
};

}  // namespace kvo::retention

#endif  // KVO_SERVICES_RETENTION_RETENTION_JOB_H_
