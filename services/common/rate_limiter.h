#ifndef KVO_SERVICES_COMMON_RATE_LIMITER_H_
#define KVO_SERVICES_COMMON_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"

namespace kvo::common {

// Fixed-window counters per key (a principal, a source address), in this
// process's memory: with N replicas a client gets at most N times the limit,
// which is what a per-replica limit is for (scraping, password guessing);
// the per-account lockout that must hold globally lives in the database.
// Thread-safe.
class RateLimiter final {
 public:
  explicit RateLimiter(std::chrono::seconds window) : window_(window) {}

  // Counts one event for `key`; 0 when allowed, else the seconds until the
  // window resets and `limit` events are allowed again.
  int64_t Acquire(absl::string_view key, int limit);

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
