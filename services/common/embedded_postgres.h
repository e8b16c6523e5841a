#ifndef KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_
#define KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

struct EmbeddedPostgresOptions {
  // The directory that holds the cluster: <root>/pg is PGDATA, <root>/pgrun
  // the unix socket directory, <root>/log/postgres.log the server log.
  std::filesystem::path root;
  // Extra "name=value" server settings (tests turn fsync off).
  std::vector<std::string> settings;
  // initdb without fsync: for throwaway test clusters only.
  bool fast_initdb = false;
  // Added to the niceness of the server's processes (0-19): under load the
  // kernel runs kvod's threads (the door's in-memory syncs) before the
  // database's work, which writers queue for anyway.
  int nice = 0;
  std::chrono::seconds start_timeout{60};
};

// Runs a private PostgreSQL 15 cluster as a child process: initdb on first
// use, then `postgres` listening only on a unix socket in a 0700 directory
// (no TCP). When the caller is root the cluster runs as the unprivileged
// `postgres` user (or $KVO_PG_USER), which owns its directories.
//
// The child gets the kernel's parent-death signal (SIGINT, fast shutdown), so
// a SIGKILLed owner never leaves the cluster running. The kernel ties that
// signal to the *thread* that forked: call Start() from a thread that lives as
// long as the cluster (the main thread).
//
// A cluster left by a killed kvod is never started on twice: Start stops an
// orphaned postmaster of this data directory and waits until every process
// of the old cluster let go of its shared memory (backends of a killed
// postmaster linger a moment) before the new postmaster starts.
//
// Supervise() keeps the server running: a postmaster that dies is noticed
// within kWatchInterval and started again (PostgreSQL recovers from its
// WAL).
//
// Errors: FAILED_PRECONDITION for a missing PostgreSQL installation or an
// unusable directory, UNAVAILABLE when the server does not come up; each
// message is one line a person can act on. Start, Supervise and Stop are
// for one thread (the main thread); pid() may be read from any.
class EmbeddedPostgres final {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(
      const EmbeddedPostgresOptions& options);

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;
  ~EmbeddedPostgres();

  // Fast shutdown (active transactions roll back), waits for the exit.
  // Ends supervision first. Idempotent.
  absl::Status Stop();

  // From now on a thread of its own watches the server. When it exits
  // without Stop() (killed, crashed), `on_change(false)` runs within
  // kWatchInterval; the server is then started again, retried every
  // kRestartBackoff until it comes up, and `on_change(true)` runs once it
  // accepts connections. The thread forks the new servers, and ties their
  // parent-death signal to itself: it lives until Stop(). Call once.
  void Supervise(std::function<void(bool running)> on_change);

  // A libpq connection string for `dbname` as the cluster's superuser.
  std::string ConnectionString(absl::string_view dbname) const;

  // Creates `dbname` (optionally as a copy of `template_db`) unless it
  // exists. Names are quoted; no user input reaches here.
  absl::Status CreateDatabaseIfMissing(absl::string_view dbname,
                                       absl::string_view template_db = "");
  absl::Status DropDatabase(absl::string_view dbname);

  // True when this start ran initdb (a new cluster).
  bool initialized_now() const { return initialized_now_; }
  // The postmaster's pid; -1 while it is down.
  pid_t pid() const { return pid_; }

  static constexpr absl::string_view kSuperuser = "kvo";
  static constexpr int kPort = 5432;
  static constexpr std::chrono::milliseconds kWatchInterval{100};
  static constexpr std::chrono::milliseconds kRestartBackoff{500};

 private:
  EmbeddedPostgres() = default;

  // Clears what an earlier server left, starts `postgres` and waits until
  // it accepts connections, `options_.start_timeout` at most, or until
  // `cancelled()` (then it stops the new server again).
  absl::StatusOr<pid_t> Launch(const std::function<bool()>& cancelled);
  void SuperviseLoop(const std::function<void(bool)>& on_change);

  EmbeddedPostgresOptions options_;
  std::filesystem::path bin_dir_;
  std::filesystem::path pgdata_;
  std::filesystem::path socket_dir_;
  std::filesystem::path log_dir_;
  std::atomic<pid_t> pid_{-1};
  bool initialized_now_ = false;

  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread supervisor_;
};

// The directory with initdb and postgres: $KVO_PG_BINDIR, else the system's
// PostgreSQL 15 (/usr/lib/postgresql/15/bin).
absl::StatusOr<std::filesystem::path> FindPostgresBinDir();

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_
