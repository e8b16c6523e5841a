#ifndef KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_H_
#define KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/audit_entry.h"
#include "services/common/clock.h"

namespace kvo::clockctl {

// The largest step one call may take: a month, so a runaway loop cannot
// throw the clock years ahead in one call and a day-by-day caller is not
// hindered.
inline constexpr absl::Duration kMaxStep = absl::Hours(24 * 31);

// INVALID_ARGUMENT unless 0 < `step` <= kMaxStep (never back, bounded).
absl::Status CheckStep(absl::Duration step);

// What the time jobs did: the retention run's deletions by kind and the
// persons it erased (pseudonymous ids).
struct JobsRun {
  std::map<std::string, uint64_t> deleted;
  std::vector<std::string> erased_persons;
};

// What runs after the clock moved when the caller asks for it: the jobs
// that act on time, at the new time. `requested_by` is the caller's audit
// record.
using RunTimeJobs = std::function<absl::StatusOr<JobsRun>(
    const audit::AuditRecord& requested_by)>;

struct Advanced {
  absl::Time now;
  absl::Duration offset;
  JobsRun jobs;
};

// The use case behind TestingService: moves kvod's OffsetClock forward when
// the policy allows clock control, audits every call (refusals included)
// and optionally runs the time jobs. Thread-safe (the clock is atomic;
// concurrent advances add up).
class ClockControl final {
 public:
  // `audit` appends one record in a transaction of its own.
  ClockControl(bool allowed, common::OffsetClock& clock,
               std::function<void(const audit::AuditRecord&)> audit,
               RunTimeJobs run_jobs)
      : allowed_(allowed),
        clock_(clock),
        audit_(std::move(audit)),
        run_jobs_(std::move(run_jobs)) {}

  // PERMISSION_DENIED (audited) without clock control; INVALID_ARGUMENT
  // (audited) for a step out of range; then the clock moves, is audited,
  // and with `run_jobs` the jobs run.
  absl::StatusOr<Advanced> Advance(absl::Duration step, bool run_jobs,
                                   audit::AuditRecord who);
  // PERMISSION_DENIED (audited) without clock control.
  absl::StatusOr<Advanced> Get(audit::AuditRecord who);

 private:
  absl::Status Refuse(audit::AuditRecord who, absl::Status status);

  const bool allowed_;
  common::OffsetClock& clock_;
  std::function<void(const audit::AuditRecord&)> audit_;
  RunTimeJobs run_jobs_;
};

}  // namespace kvo::clockctl

#endif  // KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_H_
