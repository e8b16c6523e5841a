#include "services/common/pg_rate_limiter.h"

#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

// Counts one event for `key` ($1) in its window, which starts with the
// first event and lasts $2 seconds (a new one starts with the first event
// after it ended), and answers the count and the whole seconds left in the
// window. A count past the limit ($3) stays at limit + 1, so a flood cannot
// overflow it. Two kvods counting the same key at once serialise on its
// row: neither count is lost.
constexpr char kCountSql[] =
    "INSERT INTO rate_windows AS w (key, window_end, count) "
    "VALUES ($1, statement_timestamp() + $2::bigint * interval '1 second', 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN w.window_end <= statement_timestamp() THEN 1 "
    "ELSE LEAST(w.count, $3::integer) + 1 END, "
    "window_end = CASE WHEN w.window_end <= statement_timestamp() "
    "THEN excluded.window_end ELSE w.window_end END "
    "RETURNING w.count, "
    "ceil(extract(epoch FROM w.window_end - statement_timestamp()))::bigint";

// Windows that ended: nobody counts in them again.
constexpr char kCleanupSql[] =
    "DELETE FROM rate_windows WHERE window_end < statement_timestamp()";

constexpr std::chrono::minutes kCleanupEvery{1};

}  // namespace

PgRateLimiter::PgRateLimiter(DbPool& pool, std::string scope,
                             std::chrono::seconds window)
    : pool_(pool), scope_(std::move(scope)), window_(window) {}

absl::StatusOr<int64_t> PgRateLimiter::Acquire(absl::string_view key,
                                               int limit) {
  const int64_t now =
      std::chrono::steady_clock::now().time_since_epoch().count();
  int64_t cleaned = cleaned_at_.load();
  const bool clean =
      now - cleaned >=
          std::chrono::steady_clock::duration(kCleanupEvery).count() &&
      cleaned_at_.compare_exchange_strong(cleaned, now);
  const std::string full_key = absl::StrCat(scope_, ":", key);
  return pool_.InTransaction(
      "count against a rate limit",
      [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
        if (clean) tx.exec0(kCleanupSql);
        const pqxx::row r =
            ExecPrepared1(tx, kCountSql, full_key,
                          static_cast<int64_t>(window_.count()), limit);
        if (r[0].as<int>() <= limit) return int64_t{0};
        return std::max<int64_t>(1, r[1].as<int64_t>());
      });
}

}  // namespace kvo::common
