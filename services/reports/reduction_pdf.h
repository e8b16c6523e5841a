#ifndef KVO_SERVICES_REPORTS_REDUCTION_PDF_H_
#define KVO_SERVICES_REPORTS_REDUCTION_PDF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/reports/reduction_report.h"

namespace kvo::reports {

// The reduction report as an A4 PDF in Dutch: the area, both periods and
// the day it was made (`made_on`), the figures as tables, bars per incident
// type for the two periods, a line over the months of both, and the plan's
// objectives as met / not met (in words and by mark, never colour alone).
// A count too small to show is drawn as a pale bar or an open point with
// "< 5", never at its value. INTERNAL when cairo fails. Thread-safe.
absl::StatusOr<std::string> RenderReductionPdf(const ReductionReport& report,
                                               absl::CivilDay made_on);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REDUCTION_PDF_H_
