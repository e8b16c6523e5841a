#ifndef KVO_SERVICES_CYCLE_FIGURES_CSV_H_
#define KVO_SERVICES_CYCLE_FIGURES_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::cycle {

// Police and fire-brigade figures as imported from CSV. The documented
// column set: a header line "period,category,count", then one line per
// figure: period as YYYY-MM (a month), category one of the known
// categories, count a whole number >= 0. Blank lines are skipped; fields
// have no quotes or commas. Pure; thread-safe.
struct Figure {
  std::string period;  // "2026-03"
  std::string category;
  int64_t count = 0;
};

inline constexpr char kFiguresHeader[] = "period,category,count";

// Every figure of `csv`, or INVALID_ARGUMENT listing each bad line (line
// number, column, why; the first 20) so that nothing of a file with any
// bad line is imported. A duplicate (period, category) is a bad line.
absl::StatusOr<std::vector<Figure>> ParseFigures(
    absl::string_view csv, const std::vector<std::string>& categories);

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_FIGURES_CSV_H_
