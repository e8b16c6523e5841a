#include "tests/sim/shrinker.h"

#include <iostream>

#include "absl/time/clock.h"

namespace kvo::sim {
namespace {

// The trace up to and including the failing day's end.
std::vector<Action> CutAfterDay(const std::vector<Action>& trace, int day) {
  std::vector<Action> out;
  int days = 0;
  for (const Action& a : trace) {
    out.push_back(a);
    if (a.kind == Kind::kNextDay && days++ == day) break;
  }
  return out;
}

bool StillBreaks(const RunOptions& options, const std::vector<Action>& trace,
                 const std::string& invariant) {
  RunOptions quiet = options;
  quiet.keep_going = true;
  quiet.verbose = false;
  const RunResult r = Run(quiet, &trace, invariant);
  for (const Failure& f : r.failures) {
    if (f.broken.invariant == invariant) return true;
  }
  return false;
}

}  // namespace

std::vector<Action> Shrink(const RunOptions& options,
                           const std::vector<Action>& trace, int failing_day,
                           const std::string& invariant, absl::Duration budget,
                           int* attempts) {
  const absl::Time deadline = absl::Now() + budget;
  std::vector<Action> best = CutAfterDay(trace, failing_day);
  RunOptions replay = options;
  replay.days = failing_day + 1;
  size_t chunk = best.size() / 2;
  while (chunk >= 1 && absl::Now() < deadline) {
    bool dropped_any = false;
    for (size_t start = 0; start < best.size() && absl::Now() < deadline;) {
      std::vector<Action> candidate;
      size_t removed = 0;
      for (size_t i = 0; i < best.size(); ++i) {
        const bool in_chunk = i >= start && i < start + chunk;
        if (in_chunk && best[i].kind != Kind::kNextDay) {
          ++removed;
          continue;
        }
        candidate.push_back(best[i]);
      }
      if (removed == 0) {
        start += chunk;
        continue;
      }
      ++*attempts;
      if (StillBreaks(replay, candidate, invariant)) {
        best = std::move(candidate);
        dropped_any = true;
        std::cerr << "kvo_sim: shrinking: " << best.size()
                  << " actions still break " << invariant << std::endl;
      } else {
        start += chunk;
      }
    }
    if (!dropped_any || chunk > best.size()) chunk /= 2;
  }
  return best;
}

}  // namespace kvo::sim
