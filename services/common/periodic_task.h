#ifndef KVO_SERVICES_COMMON_PERIODIC_TASK_H_
#define KVO_SERVICES_COMMON_PERIODIC_TASK_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace kvo::common {

// Runs `work` on a thread of its own every `interval` (first at once when
// `run_first`, else after one interval) until Stop(), which wakes it at
// once and waits for a running round to end. The background jobs
// (sequencer, retention, refusal summaries) share it. Thread-safe; Start
// after Stop starts again.
class PeriodicTask final {
 public:
  PeriodicTask() = default;
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start(std::chrono::milliseconds interval, std::function<void()> work,
             bool run_first) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this, interval, work = std::move(work), run_first] {
      std::unique_lock lock(mu_);
      bool due = run_first;
      for (;;) {
        if (due) {
          lock.unlock();
          work();
          lock.lock();
        }
        if (wake_.wait_for(lock, interval, [this] { return stopping_; })) {
          return;
        }
        due = true;
      }
    });
  }

  // True when it was running.
  bool Stop() {
    {
      std::lock_guard lock(mu_);
      if (!thread_.joinable()) return false;
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_PERIODIC_TASK_H_
