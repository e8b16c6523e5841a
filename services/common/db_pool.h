#ifndef KVO_SERVICES_COMMON_DB_POOL_H_
#define KVO_SERVICES_COMMON_DB_POOL_H_

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "services/common/commit_outcome.h"
#include "services/common/foreground_calls.h"
#include "services/common/metrics.h"

namespace kvo::common {

// How long what kvod knew from the database may still answer for it once
// the database went away (a failover takes seconds): a confirmed session, a
// door's "no change". Nothing is written meanwhile, so nothing it knew can
// have been changed through it; the bound covers a kvod cut off from a
// database that the others still reach.
inline constexpr std::chrono::seconds kOutageGrace{30};

// Runs `sql` as a prepared statement of the transaction's connection,
// declaring it there on first use: the server parses and plans each
// statement once per connection instead of once per call. Stores use it on
// their hot paths with their named SQL constants.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& sql,
                          Args&&... args) {
  const std::string name =
      "kvo_" + std::to_string(std::hash<std::string>{}(sql));
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

// A PostgreSQL array literal ("{1,2,3}") of numbers or of plain words,
// for a parameter cast in the SQL ($1::bigint[]).
template <typename T>
std::string SqlArray(const std::vector<T>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

// The one row of a prepared statement that returns exactly one.
template <typename... Args>
pqxx::row ExecPrepared1(pqxx::transaction_base& tx, const std::string& sql,
                        Args&&... args) {
  pqxx::result r = ExecPrepared(tx, sql, std::forward<Args>(args)...);
  if (r.size() != 1) {
    throw pqxx::unexpected_rows("expected 1 row, got " +
                                std::to_string(r.size()));
  }
  return r[0];
}

// A fixed-size pool of libpqxx connections (libpqxx ships none). Connections
// open lazily and are replaced after they break, so a PostgreSQL restart
// costs the requests that were in flight, never the process.
//
// Thread-safe. Errors: UNAVAILABLE when the database cannot be reached or no
// connection frees up in time.
class DbPool final {
 public:
  DbPool(std::string conninfo, int size,
         std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5));
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;

  // A borrowed connection, returned to the pool when destroyed.
  class Lease final {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& conn() { return *conn_; }
    // Drops the connection instead of returning it (it broke).
    void Discard() { broken_ = true; }

   private:
    friend class DbPool;
    Lease(DbPool* pool, size_t slot, pqxx::connection* conn)
        : pool_(pool), slot_(slot), conn_(conn) {}
    DbPool* pool_;
    size_t slot_;
    pqxx::connection* conn_;
    bool broken_ = false;
  };

  absl::StatusOr<Lease> Acquire();

  // Runs `fn(pqxx::work&)` in one transaction and commits when it returns an
  // ok status (fn returns absl::Status or absl::StatusOr<T>). libpqxx
  // exceptions end here: a broken connection gives UNAVAILABLE, a
  // serialization failure or deadlock is retried, a unique violation gives
  // ALREADY_EXISTS, anything else INTERNAL; no SQL text reaches the caller.
  // `what` names the use case for messages and logs ("apply migrations").
  template <typename Tx = pqxx::work, typename Fn>
  auto InTransaction(absl::string_view what, Fn&& fn)
      -> std::invoke_result_t<Fn&, Tx&>;

  // Turns a libpqxx exception into a status (see InTransaction) and discards
  // the lease's connection if it broke.
  static absl::Status TranslateError(const std::exception& e,
                                     absl::string_view what, Lease* lease);

  const std::string& conninfo() const { return conninfo_; }

  // From now on the pool lends at most calls.Allowed(size) connections at
  // once (see ForegroundCalls): its callers wait while the door is busy.
  // Set before the pool is used; `calls` outlives the pool.
  void YieldTo(const ForegroundCalls* calls) { yield_to_ = calls; }

  // From now on the calls that found no connection free are counted in
  // `registry` under pool="<name>": how many waited
  // (kvo_db_pool_waits_total), how long (kvo_db_pool_wait_seconds) and how
  // many gave up (kvo_db_pool_timeouts_total). A call that finds one free
  // costs nothing more. Set before the pool is used.
  void CountWaits(MetricRegistry& registry, std::string_view name);

  // Drops every idle connection now and each leased one when it comes back:
  // after the database restarted they are all broken, and the next callers
  // should get fresh ones rather than one failure per stale connection.
  void DiscardAll();

 private:
  void Release(size_t slot, bool broken);

  const std::string conninfo_;
  const std::chrono::milliseconds acquire_timeout_;
  const ForegroundCalls* yield_to_ = nullptr;
  Counter* waits_ = nullptr;
  Counter* timeouts_ = nullptr;
  Histogram* wait_seconds_ = nullptr;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> conns_;  // guarded by mu_
  std::vector<bool> in_use_;                              // guarded by mu_
  std::vector<bool> stale_;                               // guarded by mu_
};

template <typename Tx, typename Fn>
auto DbPool::InTransaction(absl::string_view what, Fn&& fn)
    -> std::invoke_result_t<Fn&, Tx&> {
  using Result = std::invoke_result_t<Fn&, Tx&>;
  constexpr int kMaxAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    absl::Status failure;
    try {
      Tx tx(lease->conn());
      Result result = fn(tx);
      if (!result.ok()) {
        TellCommitOutcome(false);
        return result;  // tx aborts as it goes out of scope
      }
      tx.commit();
      TellCommitOutcome(true);
      return result;
    } catch (const std::exception& e) {
      TellCommitOutcome(false);
      failure = TranslateError(e, what, &*lease);
    }
    if (failure.code() != absl::StatusCode::kAborted ||
        attempt == kMaxAttempts) {
      return failure;
    }
  }
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DB_POOL_H_
