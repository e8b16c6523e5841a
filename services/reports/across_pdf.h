#ifndef KVO_SERVICES_REPORTS_ACROSS_PDF_H_
#define KVO_SERVICES_REPORTS_ACROSS_PDF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/reports/across_report.h"

namespace kvo::reports {

// The report across areas as an A4 PDF in Dutch: the title block, bars of
// the incidents per area for both periods (a hidden or withheld value as a
// pale bar with its text, never at its value), then per section a table of
// each figure with a line per area and the total. INTERNAL when cairo
// fails. Thread-safe.
absl::StatusOr<std::string> RenderAcrossPdf(const AcrossReport& report,
                                            absl::CivilDay made_on);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_ACROSS_PDF_H_
