#ifndef KVO_SERVICES_REPORTS_ACROSS_REPORT_H_
#define KVO_SERVICES_REPORTS_ACROSS_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/reports/reduction_report.h"

namespace kvo::reports {

// The reduction report of several areas side by side and their total
// (issue 17: a municipality or a region). Pure: the same plain inputs as
// one area's report, one per area.
//
// No count may be given away by subtraction. Besides the "< 5" of each
// area's own report, a value is *withheld* ("verborgen"):
//  - a total (the last column) in a period when any area's value on its
//    line is hidden or withheld in that period: otherwise the total minus
//    the areas shown gives the hidden one back (and with two hidden, their
//    sum might still single out a person);
//  - a section's ".total" line in a column when another line of that
//    section is hidden or withheld in that column: otherwise the total
//    minus the other lines does.
// The change of a withheld value is not shown either.

// One area's (or the total's) figure on a line; a withheld total is the
// figure's own first_withheld / second_withheld.
struct AcrossCell {
  Figure figure;
};

struct AcrossRow {
  std::string section;
  std::string metric;
  std::string label;
  std::vector<AcrossCell> areas;  // in the order of the inputs
  AcrossCell total;
};

struct AcrossReport {
  std::string title;  // the municipality, or "3 gebieden"
  std::vector<std::string> area_names;
  Period first;
  Period second;
  int64_t threshold = 5;
  std::vector<AcrossRow> rows;
  std::vector<std::string> notes;  // what is missing, per area
};

// INVALID_ARGUMENT for no areas, an empty title, areas with different
// periods or thresholds, and BuildReductionReport's refusals of an area.
absl::StatusOr<AcrossReport> BuildAcrossReport(
    std::string title, const std::vector<ReductionInputs>& areas);

// How a cell reads: "verborgen" when withheld, else as FormatValue /
// FormatChange.
std::string FormatCell(const AcrossCell& c, bool second, int64_t threshold);
std::string FormatCellChange(const AcrossCell& c);

// The report for a terminal (Dutch): per section a block per area and the
// total; as CSV (section,figure,metric,area,first,second,change), one line
// per figure and area and one for "Totaal".
std::string AcrossText(const AcrossReport& r);
std::string AcrossCsv(const AcrossReport& r);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_ACROSS_REPORT_H_
