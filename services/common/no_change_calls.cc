#include "services/common/no_change_calls.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "services/common/log.h"

namespace kvo::common {
namespace {

// Trailing metadata as the flag: it travels with the call from the
// handler to the interceptor without a table keyed by call.
constexpr char kMarkKey[] = "kvo-log-no-change";

}  // namespace

void MarkNoChange(grpc::ServerContextBase& context) {
  context.AddTrailingMetadata(kMarkKey, "1");
}

bool TakeNoChangeMark(std::multimap<std::string, std::string>& trailing) {
  return trailing.erase(kMarkKey) > 0;
}

NoChangeCounter::NoChangeCounter(Clock::time_point now) : since_(now) {}

void NoChangeCounter::Note(double ms) {
  std::lock_guard lock(mu_);
  ++current_.calls;
  current_.total_ms += ms;
  current_.max_ms = std::max(current_.max_ms, ms);
}

NoChangeCounter::Summary NoChangeCounter::Take(Clock::time_point now) {
  std::lock_guard lock(mu_);
  Summary out = current_;
  out.seconds = std::chrono::duration<double>(now - since_).count();
  current_ = Summary{};
  since_ = now;
  return out;
}

void LogNoChangeSummary(const NoChangeCounter::Summary& summary) {
  if (summary.calls == 0) return;
  Log("info", "door syncs",
      {{"no_change", std::to_string(summary.calls)},
       {"ms_avg", absl::StrFormat("%.3f", summary.total_ms / summary.calls)},
       {"ms_max", absl::StrFormat("%.3f", summary.max_ms)},
       {"seconds", absl::StrFormat("%.0f", summary.seconds)}});
}

}  // namespace kvo::common
