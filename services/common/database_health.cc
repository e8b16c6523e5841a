#include "services/common/database_health.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <utility>

#include "services/common/log.h"

namespace kvo::common {
namespace {

using std::chrono::steady_clock;

// expand_dbname: `conninfo` may be key=value pairs or a URI, and the
// timeout is added to either.
PGconn* Connect(const std::string& conninfo) {
  const std::string timeout = std::to_string(DatabaseHealth::kTimeout.count());
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), timeout.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn) != CONNECTION_OK) {
    PQfinish(conn);
    return nullptr;
  }
  return conn;
}

// kAcceptsWritesSql without blocking past kTimeout: a server that hangs
// counts as down like one that is gone, one that answers no (a standby, a
// demoted primary, a read-only database) as down too.
bool Ping(PGconn* conn) {
  if (PQsendQuery(conn, kAcceptsWritesSql) == 0) return false;
  const auto deadline = steady_clock::now() + DatabaseHealth::kTimeout;
  bool ok = false;
  for (;;) {
    while (PQisBusy(conn) == 0) {
      PGresult* r = PQgetResult(conn);
      if (r == nullptr) return ok && PQstatus(conn) == CONNECTION_OK;
      ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
           PQgetvalue(r, 0, 0)[0] == 't';
      PQclear(r);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{PQsocket(conn), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return false;
    }
    if (PQconsumeInput(conn) == 0) return false;
  }
}

}  // namespace

DatabaseHealth::DatabaseHealth(std::string name, std::string conninfo,
                               std::chrono::milliseconds interval,
                               std::function<void(bool)> on_change)
    : name_(std::move(name)),
      conninfo_(std::move(conninfo)),
      interval_(interval),
      on_change_(std::move(on_change)) {}

DatabaseHealth::~DatabaseHealth() { Stop(); }

void DatabaseHealth::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void DatabaseHealth::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DatabaseHealth::MarkDown() {
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    ++epoch_;
    changed = up_.exchange(false);
    poked_ = true;
    // The kept connection's backend may answer for a moment after its
    // postmaster died; only a new connection tells.
    reconnect_ = true;
  }
  wake_.notify_all();
  if (changed) {
    LogWarn("database unreachable or not accepting writes: not serving",
            {{"database", name_}});
    on_change_(false);
  }
}

void DatabaseHealth::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  wake_.notify_all();
}

void DatabaseHealth::Report(bool up, uint64_t epoch) {
  {
    std::lock_guard lock(mu_);
    if (epoch != epoch_ || up_ == up) return;
    up_ = up;
  }
  if (up) {
    LogInfo("database reachable again", {{"database", name_}});
  } else {
    LogWarn("database unreachable or not accepting writes: not serving",
            {{"database", name_}});
  }
  on_change_(up);
}

void DatabaseHealth::Run() {
  PGconn* conn = nullptr;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const uint64_t epoch = epoch_;
    poked_ = false;
    const bool reconnect = std::exchange(reconnect_, false);
    lock.unlock();
    if (reconnect && conn != nullptr) {
      PQfinish(conn);
      conn = nullptr;
    }
    // A broken kept connection is no verdict: the server may have come
    // back, so try a fresh one at once.
    bool up = conn != nullptr && Ping(conn);
    if (!up) {
      if (conn != nullptr) PQfinish(conn);
      conn = Connect(conninfo_);
      up = conn != nullptr && Ping(conn);
    }
    Report(up, epoch);
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_ || poked_; });
  }
  lock.unlock();
  if (conn != nullptr) PQfinish(conn);
}

}  // namespace kvo::common
