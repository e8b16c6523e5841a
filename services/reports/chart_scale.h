#ifndef KVO_SERVICES_REPORTS_CHART_SCALE_H_
#define KVO_SERVICES_REPORTS_CHART_SCALE_H_

#include <cstdint>
#include <vector>

namespace kvo::reports {

// The ticks of a count axis a person reads at a glance: 0 and round steps
// (1, 2 or 5 times a power of ten) up to the first tick at or above `max`,
// about five steps: max 278 -> 0, 50, 100, ..., 300; max 7 -> 0, 1, ..., 7;
// max 0 (or less) -> 0, 1. Counts: the step is never below 1. Pure.
std::vector<int64_t> NiceTicks(double max);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_CHART_SCALE_H_
