#ifndef KVO_SERVICES_COMMON_MIGRATOR_H_
#define KVO_SERVICES_COMMON_MIGRATOR_H_

#include <filesystem>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kvo::common {

// One forward-only schema change: migrations/V###__name.sql.
struct Migration {
  int version = 0;
  std::string name;
  std::string file_name;
  std::string sql;
  std::string checksum;  // SHA-256 of the file's bytes, hex
};

// Reads and orders the migration files of `dir`. A .sql file whose name does
// not match V###__name.sql, a duplicate or a missing version number is
// FAILED_PRECONDITION naming the file.
absl::StatusOr<std::vector<Migration>> ReadMigrations(
    const std::filesystem::path& dir);

// Rolling upgrades: from these versions on (the first after replicas
// shipped) a migration only expands (migration_rules.h); one that contracts
// must mark it with `-- contract: <why>`.
constexpr int kDataExpandOnlyFrom = 27;
constexpr int kKeyStoreExpandOnlyFrom = 4;

// FAILED_PRECONDITION naming the file and the statement when a migration
// numbered `from` or later contracts the schema without saying why.
absl::Status CheckExpandOnly(const std::vector<Migration>& migrations,
                             int from);

struct MigrationReport {
  int applied_now = 0;
  int already_applied = 0;
};

// Applies the migrations not yet recorded in schema_migrations, each in its
// own transaction, under a session advisory lock so that two kvod starting
// together on one database never both migrate. Refuses (FAILED_PRECONDITION,
// nothing applied) when an applied file changed since or is missing.
absl::StatusOr<MigrationReport> ApplyMigrations(
    pqxx::connection& conn, const std::vector<Migration>& migrations);

// Gives the planner statistics where it has none or they are stale (a new
// schema, a bulk load autovacuum has not analysed yet): ANALYZE of every
// table whose rows changed by more than half since its last analysis (or
// that was never analysed). A table that sets autovacuum_analyze_scale_factor
// (an append-only log whose statistics need not follow each doubling) is
// analysed by autovacuum's rule with its own settings instead. kvod runs it
// at start after ApplyMigrations and every second after; the tables
// analysed.
absl::StatusOr<std::vector<std::string>> AnalyzeStaleTables(
    pqxx::connection& conn);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_MIGRATOR_H_
