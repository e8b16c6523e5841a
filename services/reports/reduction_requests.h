#ifndef KVO_SERVICES_REPORTS_REDUCTION_REQUESTS_H_
#define KVO_SERVICES_REPORTS_REDUCTION_REQUESTS_H_

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/reports.pb.h"
#include "services/reports/reduction_report.h"

namespace kvo::reports {

// The two periods of a request, checked: days as YYYY-MM-DD, neither
// empty nor inverted, not overlapping, none longer than the policy allows
// (reports.max_period_days). INVALID_ARGUMENT naming kvo's flag. Pure.
struct ReductionPeriods {
  Period first;
  Period second;
};
absl::StatusOr<ReductionPeriods> ValidateReductionReportRequest(
    const kvo::v1::ReductionReportRequest& r, const kvo::v1::Policy& policy);

// An across report's request, checked: exactly one of --municipality (1 to
// 200 characters) and --areas (1 to kMaxAcrossAreas distinct positive ids),
// and the periods as above. INVALID_ARGUMENT naming kvo's flag. Pure.
inline constexpr int kMaxAcrossAreas = 50;
absl::StatusOr<ReductionPeriods> ValidateReductionAcrossRequest(
    const kvo::v1::ReductionAcrossRequest& r, const kvo::v1::Policy& policy);

// reports.* with its defaults for 0.
int MaxPeriodDays(const kvo::v1::Policy& policy);
int SmallCountThreshold(const kvo::v1::Policy& policy);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REDUCTION_REQUESTS_H_
