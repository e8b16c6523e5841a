#include "services/common/rate_limiter.h"

namespace kvo::common {

absl::StatusOr<int64_t> RateLimiter::Acquire(absl::string_view key, int limit) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  // Drop stale windows now and then so the map stays as small as the set
  // of active keys.
  if (windows_.size() > 10000) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now - it->second.start >= window_ ? windows_.erase(it)
                                             : std::next(it);
    }
  }
  Window& w = windows_[std::string(key)];
  if (w.count == 0 || now - w.start >= window_) {
    w.start = now;
    w.count = 0;
  }
  if (w.count >= limit) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(w.start +
                                                                 window_ - now);
    return std::max<int64_t>(1, left.count() + 1);
  }
  ++w.count;
  return int64_t{0};
}

}  // namespace kvo::common
