#ifndef KVO_SERVICES_COMMON_NO_CHANGE_CALLS_H_
#define KVO_SERVICES_COMMON_NO_CHANGE_CALLS_H_

#include <grpcpp/server_context.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kvo::common {

// Calls that found nothing to change or disclose (a door device's poll of
// SyncGallery with nothing new) are the bulk of kvod's traffic and tell an
// operator nothing one by one: the RPC log counts them instead and writes
// one summary line per interval. The handler marks such a call; the RPC
// log interceptor takes the mark off (the client never sees it) and
// counts the call instead of logging it.

// Marks the call as one that changed nothing. Call before returning OK.
void MarkNoChange(grpc::ServerContextBase& context);

// Whether the trailing metadata of a call about to send its status holds
// the mark; removes it.
bool TakeNoChangeMark(std::multimap<std::string, std::string>& trailing);

// The count of marked calls since the last summary. Thread-safe.
class NoChangeCounter final {
 public:
  using Clock = std::chrono::steady_clock;

  struct Summary {
    int64_t calls = 0;
    double total_ms = 0;
    double max_ms = 0;
    double seconds = 0;  // the interval counted over
  };

  explicit NoChangeCounter(Clock::time_point now = Clock::now());

  void Note(double ms);
  // What was counted since the last Take (or construction); starts again.
  Summary Take(Clock::time_point now = Clock::now());

 private:
  std::mutex mu_;
  Summary current_;          // guarded by mu_
  Clock::time_point since_;  // guarded by mu_
};

// Logs `summary` as one line, {"msg":"door syncs","no_change":"N",
// "ms_avg":..., "ms_max":..., "seconds":...}; nothing when it counted no
// call.
void LogNoChangeSummary(const NoChangeCounter::Summary& summary);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_NO_CHANGE_CALLS_H_
