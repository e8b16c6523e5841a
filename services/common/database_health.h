#ifndef KVO_SERVICES_COMMON_DATABASE_HEALTH_H_
#define KVO_SERVICES_COMMON_DATABASE_HEALTH_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kvo::common {

// Whether a session of the server may write: the primary, not a standby,
// and not read-only by default (the check of libpq's
// target_session_attrs=read-write). kvod writes on every call (the audit
// entry), so a database that answers but refuses writes is down for it.
inline constexpr char kAcceptsWritesSql[] =
    "SELECT NOT pg_is_in_recovery() AND "
    "current_setting('transaction_read_only') = 'off'";

// Whether a database answers and accepts writes, for kvod's health: a
// thread of its own runs kAcceptsWritesSql every `interval` over a
// connection it keeps (a new one when that broke or answered no, so a
// multi-host --database-url finds the new primary after a failover;
// connecting and each query give up after kTimeout), and calls
// `on_change(up)` from that thread on every change. It starts up (kvod
// reached the database before it serves). MarkDown() reports a loss seen
// elsewhere, e.g. the embedded cluster's supervisor, at once; Poke() makes
// it probe now. Thread-safe.
class DatabaseHealth final {
 public:
  static constexpr std::chrono::seconds kTimeout{2};

  // `name` says which database in the log ("data", "key store").
  DatabaseHealth(std::string name, std::string conninfo,
                 std::chrono::milliseconds interval,
                 std::function<void(bool up)> on_change);
  ~DatabaseHealth();
  DatabaseHealth(const DatabaseHealth&) = delete;
  DatabaseHealth& operator=(const DatabaseHealth&) = delete;

  void Start();
  void Stop();
  void MarkDown();
  void Poke();
  bool up() const { return up_; }

 private:
  void Run();
  // Applies a probe's result unless MarkDown came since it began.
  void Report(bool up, uint64_t epoch);

  const std::string name_;
  const std::string conninfo_;
  const std::chrono::milliseconds interval_;
  const std::function<void(bool)> on_change_;
  std::atomic<bool> up_{true};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;   // guarded by mu_
  bool poked_ = false;      // guarded by mu_
  bool reconnect_ = false;  // guarded by mu_
  uint64_t epoch_ = 0;      // guarded by mu_
  std::thread thread_;
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DATABASE_HEALTH_H_
