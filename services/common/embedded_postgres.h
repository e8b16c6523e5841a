#ifndef KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_
#define KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
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
// Errors: FAILED_PRECONDITION for a missing PostgreSQL installation or an
// unusable directory, UNAVAILABLE when the server does not come up; each
// message is one line a person can act on. Not thread-safe.
class EmbeddedPostgres final {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(
      const EmbeddedPostgresOptions& options);

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;
  ~EmbeddedPostgres();

  // Fast shutdown (active transactions roll back), waits for the exit.
  // Idempotent.
  absl::Status Stop();

  // A libpq connection string for `dbname` as the cluster's superuser.
  std::string ConnectionString(absl::string_view dbname) const;

  // Creates `dbname` (optionally as a copy of `template_db`) unless it
  // exists. Names are quoted; no user input reaches here.
  absl::Status CreateDatabaseIfMissing(absl::string_view dbname,
                                       absl::string_view template_db = "");
  absl::Status DropDatabase(absl::string_view dbname);

  // True when this start ran initdb (a new cluster).
  bool initialized_now() const { return initialized_now_; }
  pid_t pid() const { return pid_; }

  static constexpr absl::string_view kSuperuser = "kvo";
  static constexpr int kPort = 5432;

 private:
  EmbeddedPostgres() = default;

  std::filesystem::path socket_dir_;
  pid_t pid_ = -1;
  bool initialized_now_ = false;
};

// The directory with initdb and postgres: $KVO_PG_BINDIR, else the system's
// PostgreSQL 15 (/usr/lib/postgresql/15/bin).
absl::StatusOr<std::filesystem::path> FindPostgresBinDir();

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_EMBEDDED_POSTGRES_H_
