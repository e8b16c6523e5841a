#include "services/common/db_pool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

namespace kvo::common {

DbPool::DbPool(std::string conninfo, int size,
               std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)),
      acquire_timeout_(acquire_timeout),
      conns_(size > 0 ? size : 1),
      in_use_(conns_.size(), false),
      stale_(conns_.size(), false) {}

DbPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      slot_(other.slot_),
      conn_(other.conn_),
      broken_(other.broken_) {
  other.pool_ = nullptr;
}

DbPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(slot_, broken_);
}

void DbPool::CountWaits(MetricRegistry& registry, std::string_view name) {
  const MetricLabels labels = {{"pool", std::string(name)}};
  waits_ = &registry.GetCounter(
      "kvo_db_pool_waits_total",
      "Connection requests that found no free connection and waited.", labels);
  timeouts_ = &registry.GetCounter(
      "kvo_db_pool_timeouts_total",
      "Connection requests that waited in vain (answered UNAVAILABLE).",
      labels);
  wait_seconds_ = &registry.GetHistogram(
      "kvo_db_pool_wait_seconds",
      "How long the requests that waited for a connection waited.",
      LatencySecondsBuckets(), labels);
}

absl::StatusOr<DbPool::Lease> DbPool::Acquire() {
  size_t slot = 0;
  {
    std::unique_lock lock(mu_);
    auto free_slot = [&] {
      const size_t allowed = yield_to_ == nullptr
                                 ? conns_.size()
                                 : yield_to_->Allowed(conns_.size());
      if (static_cast<size_t>(
              std::count(in_use_.begin(), in_use_.end(), true)) >= allowed) {
        return false;
      }
      for (size_t i = 0; i < in_use_.size(); ++i) {
        if (!in_use_[i]) {
          slot = i;
          return true;
        }
      }
      return false;
    };
    // Yielding ends when the door goes quiet, which no release announces:
    // look again once per linger time (not more often: every waiter wakes
    // on its own, and their wake-ups would take CPU from the door).
    const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
    const std::chrono::milliseconds step =
        yield_to_ == nullptr ? acquire_timeout_ : ForegroundCalls::kLinger;
    bool waited = false;
    while (!free_slot()) {
      const auto now = std::chrono::steady_clock::now();
      if (!waited && waits_ != nullptr) waits_->Increment();
      waited = true;
      if (now >= deadline) {
        if (timeouts_ != nullptr) timeouts_->Increment();
        return absl::UnavailableError(
            "the database is busy: no connection became free in time; retry "
            "shortly");
      }
      freed_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                step, deadline - now));
    }
    in_use_[slot] = true;
    if (waited && wait_seconds_ != nullptr) {
      wait_seconds_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        (deadline - acquire_timeout_))
              .count());
    }
  }
  // Connecting happens outside the lock: it can take a while.
  std::unique_ptr<pqxx::connection>& conn = conns_[slot];
  if (conn == nullptr || !conn->is_open()) {
    try {
      conn = std::make_unique<pqxx::connection>(conninfo_);
    } catch (const std::exception& e) {
      conn.reset();
      Release(slot, /*broken=*/true);
      LogWarn("database connect failed", {{"error", e.what()}});
      return absl::UnavailableError(
          "the database is unavailable; retry shortly");
    }
  }
  return Lease(this, slot, conn.get());
}

void DbPool::Release(size_t slot, bool broken) {
  std::unique_ptr<pqxx::connection> dropped;
  {
    std::lock_guard lock(mu_);
    if (broken || stale_[slot]) dropped = std::move(conns_[slot]);
    in_use_[slot] = false;
    stale_[slot] = false;
  }
  freed_.notify_one();
}

void DbPool::DiscardAll() {
  std::vector<std::unique_ptr<pqxx::connection>> dropped;
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < conns_.size(); ++i) {
    if (in_use_[i]) {
      stale_[i] = true;
    } else if (conns_[i] != nullptr) {
      dropped.push_back(std::move(conns_[i]));
    }
  }
}

namespace {

bool ConnectionLost(DbPool::Lease* lease) {
  return lease != nullptr && !lease->conn().is_open();
}

absl::Status Unavailable(absl::string_view what, DbPool::Lease* lease) {
  if (lease != nullptr) lease->Discard();
  LogWarn("database connection lost", {{"during", what}});
  return absl::UnavailableError(
      absl::StrCat("the database is unavailable (", what, "); retry shortly"));
}

}  // namespace

absl::Status DbPool::TranslateError(const std::exception& e,
                                    absl::string_view what, Lease* lease) {
  // Only the SQLSTATE is logged: constraint messages can quote values.
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Unavailable(what, lease);
  }
  // In libpqxx 6 these are not sql_errors.
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    return absl::AbortedError(
        absl::StrCat("conflict with a concurrent change (", what, ")"));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == "40001" || state == "40P01") {
      return absl::AbortedError(
          absl::StrCat("conflict with a concurrent change (", what, ")"));
    }
    if (state == "23505") {
      return absl::AlreadyExistsError(absl::StrCat(what, ": already exists"));
    }
    // A read-only session: the host was a primary when this connection was
    // made and is a standby now (a failover), or is read-only by setting.
    // The connection goes, so the next one finds the primary through
    // target_session_attrs=read-write; the call may be retried.
    if (state == "25006") {
      if (lease != nullptr) lease->Discard();
      LogWarn("database refused a write: session is read-only",
              {{"during", what}});
      return absl::UnavailableError(
          absl::StrCat("the database does not accept writes now (", what,
                       "); retry shortly"));
    }
    if (state == "57014") {
      return absl::DeadlineExceededError(
          absl::StrCat(what, ": took too long and was cancelled"));
    }
    // Connection failures, shutdowns and crashes of the server (57P0x),
    // too many connections or no space (53): the outage, not a bug.
    if (state.starts_with("08") || state.starts_with("53") ||
        state == "57P01" || state == "57P02" || state == "57P03" ||
        ConnectionLost(lease)) {
      return Unavailable(what, lease);
    }
    LogError("database error", {{"during", what}, {"sqlstate", state}});
    return absl::InternalError(absl::StrCat("internal error during ", what));
  }
  // An error libpqxx does not classify, on a connection that is gone, is
  // the outage, not a bug.
  if (ConnectionLost(lease)) return Unavailable(what, lease);
  LogError("database error", {{"during", what}, {"error", e.what()}});
  return absl::InternalError(absl::StrCat("internal error during ", what));
}

}  // namespace kvo::common
