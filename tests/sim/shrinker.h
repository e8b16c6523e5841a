#ifndef KVO_TESTS_SIM_SHRINKER_H_
#define KVO_TESTS_SIM_SHRINKER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/sim/runner.h"

namespace kvo::sim {

// The shortest trace found, within `budget`, that still breaks `invariant`:
// the trace is cut after the failing day, then chunks of actions (halves,
// quarters, ... down to single actions; never a day's end) are dropped
// while a replay against a fresh kvod still breaks it. Each replay is a
// whole run, so the budget bounds the attempts; whatever was found by then
// is returned. `attempts` counts the replays.
std::vector<Action> Shrink(const RunOptions& options,
                           const std::vector<Action>& trace, int failing_day,
                           const std::string& invariant, absl::Duration budget,
                           int* attempts);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_SHRINKER_H_
