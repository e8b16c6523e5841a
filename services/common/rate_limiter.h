#ifndef KVO_SERVICES_COMMON_RATE_LIMITER_H_
#define KVO_SERVICES_COMMON_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

// A limit of events per key (a principal, a source address) and fixed
// window, the window being the implementation's. Acquire counts one event
// for `key`: 0 when allowed, else the seconds until the window resets and
// `limit` events are allowed again; UNAVAILABLE when the count cannot be
// kept (the caller refuses: a limit that cannot count lets nothing through).
// Thread-safe.
class RateLimit {
 public:
  virtual ~RateLimit() = default;
  virtual absl::StatusOr<int64_t> Acquire(absl::string_view key, int limit) = 0;
};

// Fixed-window counters in this process's memory: with N replicas a client
// gets up to N times the limit. For what must not cost a database round
// trip (the no-change door sync) and for unit tests; what must hold across
// replicas (password guessing, photo views) counts in the database
// (PgRateLimiter). Never fails.
class RateLimiter final : public RateLimit {
 public:
  explicit RateLimiter(std::chrono::seconds window) : window_(window) {}

  absl::StatusOr<int64_t> Acquire(absl::string_view key, int limit) override;

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int count = 0;
  };
  const std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_RATE_LIMITER_H_
