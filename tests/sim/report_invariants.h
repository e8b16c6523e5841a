#ifndef KVO_TESTS_SIM_REPORT_INVARIANTS_H_
#define KVO_TESTS_SIM_REPORT_INVARIANTS_H_

#include <string>
#include <vector>

#include "tests/sim/invariants.h"
#include "tests/sim/model.h"
#include "tests/sim/world.h"

namespace kvo::sim {

// Promise: each area's reduction report (as its coordinator reads it, over
// the previous and the current calendar month: the report takes whole
// months only) shows the incidents the model recorded, per offence type,
// in total and per month, each counted by when it occurred (Amsterdam); a
// count of 1 to 4 reads "< 5" (and a total that would give it away
// "verborgen"), every other count as it is; and the incidents reported to
// the police (police_reports), a report recorded after its incident too.
void ReductionReportRecounts(World& world, const Model& model,
                             std::vector<Broken>& out);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_REPORT_INVARIANTS_H_
