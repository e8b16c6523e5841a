#ifndef KVO_SERVICES_IDENTITY_REFUSAL_THROTTLE_H_
#define KVO_SERVICES_IDENTITY_REFUSAL_THROTTLE_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/string_view.h"

namespace kvo::identity {

// Decides which refusals of unauthenticated calls are audited one by one:
// per source address, the first `per_minute` of a one-minute window each get
// an entry; the rest are only counted, and the count becomes one summary
// entry when the window is over. A flood of calls with a bad token then
// costs the log at most per_minute + 1 entries per address and minute
// instead of one per call. The caller writes the summaries it is handed
// (Note, TakeDue, TakeAll); nothing is counted twice or dropped. Times are
// Unix milliseconds, passed in so the rule is testable. Thread-safe.
class RefusalThrottle final {
 public:
  static constexpr int64_t kWindowMs = 60'000;

  struct Summary {
    std::string address;
    int64_t window_start_ms = 0;
    int64_t window_end_ms = 0;
    int64_t count = 0;  // refusals not audited one by one
  };

  // `per_minute` <= 0: 20.
  explicit RefusalThrottle(int per_minute);

  // Counts one refusal from `address` at `now_ms`; true when it is to be
  // audited on its own. A summary of the address's previous window, if one
  // is owed, is appended to `due`.
  bool Note(absl::string_view address, int64_t now_ms,
            std::vector<Summary>* due);
  // Summaries of every window that ended by `now_ms`; forgets those windows.
  std::vector<Summary> TakeDue(int64_t now_ms);
  // Every summary still owed, ended or not (at shutdown).
  std::vector<Summary> TakeAll();

  int per_minute() const { return per_minute_; }

 private:
  struct Window {
    int64_t start_ms = 0;
    int audited = 0;
    int64_t suppressed = 0;
  };
  std::vector<Summary> TakeIf(int64_t now_ms, bool all);

  const int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

// The purpose text of a summary entry: "1234 refusals of unauthenticated
// calls from ipv4:10.0.0.1 in the minute from 2024-05-01 10:00:00 UTC
// beyond the per-address limit: ..."
std::string RefusalSummaryPurpose(const RefusalThrottle::Summary& summary);

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_REFUSAL_THROTTLE_H_
