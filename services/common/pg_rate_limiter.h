#ifndef KVO_SERVICES_COMMON_PG_RATE_LIMITER_H_
#define KVO_SERVICES_COMMON_PG_RATE_LIMITER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/db_pool.h"
#include "services/common/rate_limiter.h"

namespace kvo::common {

// Fixed-window counters in the data database (the UNLOGGED table
// rate_windows), so a limit holds across every kvod on it: an attacker who
// spreads password guesses over N replicas gets the limit once, not N
// times. One short transaction per event: an atomic upsert that counts and
// answers in one round trip, no WAL (an UNLOGGED table's commit waits for
// no flush and no standby). A key's window starts with its first event and
// lasts `window` on the database's clock (one clock for every replica), as
// RateLimiter's do in memory; rows whose window ended are deleted now and
// then by whichever kvod counts. After a crash or a failover the counts
// start again from zero (UNLOGGED tables are emptied and not replicated):
// at most one extra window's worth.
//
// Fails closed: when the database cannot count, Acquire answers
// UNAVAILABLE and the caller refuses. What is limited (a login, a photo
// view) needs the same database a moment later anyway, so this refuses
// nothing that could have succeeded.
//
// `scope` keeps limits with the same window apart ("login", "photo").
// Thread-safe.
class PgRateLimiter final : public RateLimit {
 public:
  PgRateLimiter(DbPool& pool, std::string scope, std::chrono::seconds window);

  absl::StatusOr<int64_t> Acquire(absl::string_view key, int limit) override;

 private:
  DbPool& pool_;
  const std::string scope_;
  const std::chrono::seconds window_;
  // steady_clock ticks of the last cleanup this process ran.
  std::atomic<int64_t> cleaned_at_{0};
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_PG_RATE_LIMITER_H_
