#ifndef KVO_SERVICES_COMMON_FOREGROUND_CALLS_H_
#define KVO_SERVICES_COMMON_FOREGROUND_CALLS_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace kvo::common {

// The calls somebody stands waiting for (a shopkeeper's door check), kept
// ahead of bulk work on a small machine. While one is in flight, and for a
// moment after, a pool that yields to them (DbPool::YieldTo) lends at most
// `background_slots` connections at once: the other callers queue in kvod,
// costing no CPU, instead of each running a PostgreSQL backend that the
// door's threads must share the cores with. 0 slots: no yielding.
//
// Thread-safe; lock-free.
class ForegroundCalls final {
 public:
  using Clock = std::chrono::steady_clock;
  // How long after the last foreground call the limit holds: a door that
  // syncs in a loop leaves gaps of a round trip between its calls.
  static constexpr std::chrono::milliseconds kLinger{20};

  explicit ForegroundCalls(size_t background_slots)
      : background_slots_(background_slots) {}
  ForegroundCalls(const ForegroundCalls&) = delete;
  ForegroundCalls& operator=(const ForegroundCalls&) = delete;

  // Marks one foreground call in flight for its lifetime; nothing when
  // `calls` is null (no pool yields).
  class Scope final {
   public:
    explicit Scope(ForegroundCalls* calls) : calls_(calls) {
      if (calls_ != nullptr) {
        calls_->in_flight_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      if (calls_ == nullptr) return;
      calls_->last_left_ns_.store(Now(), std::memory_order_relaxed);
      calls_->in_flight_.fetch_sub(1, std::memory_order_relaxed);
    }

   private:
    ForegroundCalls* calls_;
  };

  // How many of a pool's `size` connections other work may hold now.
  size_t Allowed(size_t size) const {
    if (background_slots_ == 0 || !Busy()) return size;
    return std::min(size, background_slots_);
  }

  bool Busy() const {
    if (in_flight_.load(std::memory_order_relaxed) > 0) return true;
    return Now() - last_left_ns_.load(std::memory_order_relaxed) <
           std::chrono::nanoseconds(kLinger).count();
  }

 private:
  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               Clock::now().time_since_epoch())
        .count();
  }

  const size_t background_slots_;
  std::atomic<int> in_flight_{0};
  std::atomic<int64_t> last_left_ns_{INT64_MIN / 2};
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_FOREGROUND_CALLS_H_
