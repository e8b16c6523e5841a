#ifndef KVO_SERVICES_COMMON_CLOCK_H_
#define KVO_SERVICES_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kvo::common {

// The one source of "now" for rules and jobs, so a test moves time (a year
// in a line) instead of sleeping. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock plus an offset. kvod runs with offset zero unless its
// policy allows clock control (testing { clock_control: true }) and
// --clock-offset-days moves it; tests move it directly.
class OffsetClock final : public Clock {
 public:
  absl::Time Now() const override {
    return absl::Now() + absl::Microseconds(offset_us_.load());
  }
  void Advance(absl::Duration by) {
    offset_us_.fetch_add(absl::ToInt64Microseconds(by));
  }
  absl::Duration offset() const {
    return absl::Microseconds(offset_us_.load());
  }

 private:
  std::atomic<int64_t> offset_us_{0};
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_CLOCK_H_
