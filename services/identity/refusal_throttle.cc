#include "services/identity/refusal_throttle.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kvo::identity {
namespace {

constexpr int kDefaultPerMinute = 20;
// Past this many addresses, ended windows without a pending count are
// dropped on the next refusal so the map stays as small as the flood.
constexpr size_t kPruneAbove = 10'000;

}  // namespace

RefusalThrottle::RefusalThrottle(int per_minute)
    : per_minute_(per_minute > 0 ? per_minute : kDefaultPerMinute) {}

bool RefusalThrottle::Note(absl::string_view address, int64_t now_ms,
                           std::vector<Summary>* due) {
  std::lock_guard lock(mu_);
  if (windows_.size() > kPruneAbove) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now_ms - it->second.start_ms >= kWindowMs &&
                   it->second.suppressed == 0
               ? windows_.erase(it)
               : std::next(it);
    }
  }
  auto [it, fresh] = windows_.try_emplace(std::string(address));
  Window& w = it->second;
  if (fresh || now_ms - w.start_ms >= kWindowMs) {
    if (!fresh && w.suppressed > 0) {
      due->push_back(
          Summary{it->first, w.start_ms, w.start_ms + kWindowMs, w.suppressed});
    }
    w = Window{now_ms, 0, 0};
  }
  if (w.audited < per_minute_) {
    ++w.audited;
    return true;
  }
  ++w.suppressed;
  return false;
}

std::vector<RefusalThrottle::Summary> RefusalThrottle::TakeIf(int64_t now_ms,
                                                              bool all) {
  std::vector<Summary> out;
  std::lock_guard lock(mu_);
  for (auto it = windows_.begin(); it != windows_.end();) {
    const Window& w = it->second;
    const bool ended = now_ms - w.start_ms >= kWindowMs;
    if (w.suppressed > 0 && (all || ended)) {
      out.push_back(Summary{it->first, w.start_ms,
                            all ? now_ms : w.start_ms + kWindowMs,
                            w.suppressed});
    }
    it = all || ended ? windows_.erase(it) : std::next(it);
  }
  return out;
}

std::vector<RefusalThrottle::Summary> RefusalThrottle::TakeDue(int64_t now_ms) {
  return TakeIf(now_ms, false);
}

std::vector<RefusalThrottle::Summary> RefusalThrottle::TakeAll() {
  return TakeIf(absl::ToUnixMillis(absl::Now()), true);
}

std::string RefusalSummaryPurpose(const RefusalThrottle::Summary& summary) {
  return absl::StrCat(
      summary.count, " refusals of unauthenticated calls from ",
      summary.address, " in the minute from ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                       absl::FromUnixMillis(summary.window_start_ms),
                       absl::UTCTimeZone()),
      " beyond the per-address limit: counted, not audited one by one");
}

}  // namespace kvo::identity
