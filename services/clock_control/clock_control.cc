#include "services/clock_control/clock_control.h"

#include "absl/strings/str_cat.h"

namespace kvo::clockctl {

absl::Status CheckStep(absl::Duration step) {
  if (step <= absl::ZeroDuration() || step > kMaxStep) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seconds: must be from 1 to ", absl::ToInt64Seconds(kMaxStep),
        " (31 days); the clock never goes back, got ",
        absl::ToInt64Seconds(step)));
  }
  return absl::OkStatus();
}

absl::Status ClockControl::Refuse(audit::AuditRecord who, absl::Status status) {
  who.outcome = audit::Outcome::kDenied;
  audit_(who);
  return status;
}

absl::StatusOr<Advanced> ClockControl::Advance(absl::Duration step,
                                               bool run_jobs,
                                               audit::AuditRecord who) {
  who.action = "testing.advance_clock";
  if (!allowed_) {
    return Refuse(std::move(who),
                  absl::PermissionDeniedError(
                      "the policy does not allow clock control (it needs "
                      "testing { clock_control: true }, for tests and the "
                      "simulation only)"));
  }
  if (auto s = CheckStep(step); !s.ok()) return Refuse(std::move(who), s);
  clock_.Advance(step);
  Advanced out;
  out.now = clock_.Now();
  out.offset = clock_.offset();
  // The step is part of the record: the log shows how far time was moved.
  who.subject = absl::StrCat("clock:+", absl::ToInt64Seconds(step), "s");
  audit_(who);
  if (run_jobs && run_jobs_) {
    auto jobs = run_jobs_(who);
    if (!jobs.ok()) return jobs.status();
    out.jobs = std::move(*jobs);
  }
  return out;
}

absl::StatusOr<Advanced> ClockControl::Get(audit::AuditRecord who) {
  if (!allowed_) {
    who.action = "testing.get_clock";
    return Refuse(std::move(who),
                  absl::PermissionDeniedError(
                      "the policy does not allow clock control (it needs "
                      "testing { clock_control: true })"));
  }
  Advanced out;
  out.now = clock_.Now();
  out.offset = clock_.offset();
  return out;
}

}  // namespace kvo::clockctl
