#include "services/common/migrator.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/migration_rules.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;

// pg_advisory_lock key: "kvo-migr" as an int64.
constexpr int64_t kMigrationLockKey = 0x6b766f2d6d696772;

constexpr char kCreateTableSql[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     integer PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
))sql";
constexpr char kSelectAppliedSql[] =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
constexpr char kInsertAppliedSql[] =
    "INSERT INTO schema_migrations (version, name, checksum) "
    "VALUES ($1, $2, $3)";
constexpr char kLockSql[] = "SELECT pg_advisory_lock($1)";
constexpr char kUnlockSql[] = "SELECT pg_advisory_unlock($1)";

}  // namespace

absl::Status CheckExpandOnly(const std::vector<Migration>& migrations,
                             int from) {
  for (const Migration& m : migrations) {
    if (m.version < from) continue;
    const std::vector<std::string> found = ContractingStatements(m.sql);
    if (!found.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", m.file_name,
          " takes away what the kvods still "
          "running during a rolling upgrade use: \"",
          found.front(),
          "\"; migrations only add (expand); contract in a later release, "
          "after a line \"-- contract: <why no running kvod needs it>\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Migration>> ReadMigrations(const fs::path& dir) {
  static const std::regex kName(R"(V(\d{3})__([a-z0-9_]+)\.sql)");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("migrations directory ", dir.string(), " not found"));
  }
  std::vector<Migration> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    std::smatch m;
    if (!std::regex_match(file, m, kName)) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration file ", (dir / file).string(),
                       " is not named V###__name.sql (lowercase name)"));
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", entry.path().string()));
    }
    Migration mig;
    mig.version = std::stoi(m[1].str());
    mig.name = m[2].str();
    mig.file_name = file;
    mig.sql = buf.str();
    mig.checksum = HexEncode(Sha256(mig.sql));
    out.push_back(std::move(mig));
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list ", dir.string(), ": ", ec.message()));
  }
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) {
    return a.version < b.version;
  });
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].version != static_cast<int>(i) + 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migrations must be numbered V001, V002, ... without gaps or "
          "duplicates; found ",
          out[i].file_name, " where V", i + 1, " was expected"));
    }
  }
  return out;
}

absl::StatusOr<MigrationReport> ApplyMigrations(
    pqxx::connection& conn, const std::vector<Migration>& migrations) {
  MigrationReport report;
  {
    pqxx::nontransaction tx(conn);
    tx.exec_params(kLockSql, kMigrationLockKey);
  }
  // Released on every path, also when a migration fails.
  struct Unlock {
    pqxx::connection& conn;
    ~Unlock() {
      try {
        pqxx::nontransaction tx(conn);
        tx.exec_params(kUnlockSql, kMigrationLockKey);
      } catch (const std::exception&) {
        // The lock goes with the session anyway.
      }
    }
  } unlock{conn};

  std::map<int, std::pair<std::string, std::string>> applied;
  {
    pqxx::work tx(conn);
    tx.exec0(kCreateTableSql);
    for (const auto& row : tx.exec(kSelectAppliedSql)) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(),
                                   row[2].as<std::string>()};
    }
    tx.commit();
  }
  // Check every applied migration before applying anything new.
  for (const auto& [version, name_and_sum] : applied) {
    auto it = std::find_if(
        migrations.begin(), migrations.end(),
        [v = version](const Migration& m) { return m.version == v; });
    if (it == migrations.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the database has migration V", version, " (", name_and_sum.first,
          ") applied, but its file is missing; restore it (this kvod may be "
          "older than the database)"));
    }
    if (it->checksum != name_and_sum.second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", it->file_name,
          " changed after it was applied (checksum ",
          it->checksum.substr(0, 12), " differs from the recorded ",
          name_and_sum.second.substr(0, 12),
          "); migrations are forward-only: restore the file and add a new "
          "V### file instead"));
    }
  }
  for (const Migration& mig : migrations) {
    if (applied.contains(mig.version)) {
      ++report.already_applied;
      continue;
    }
    try {
      pqxx::work tx(conn);
      tx.exec(mig.sql);
      tx.exec_params0(kInsertAppliedSql, mig.version, mig.name, mig.checksum);
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      // The file is ours, not user input: its error text helps the developer.
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", mig.file_name, " failed: ", e.what()));
    }
    LogInfo("migration applied", {{"file", mig.file_name}});
    ++report.applied_now;
  }
  return report;
}

// A table that sets autovacuum_analyze_scale_factor (and maybe
// autovacuum_analyze_threshold) is stale by autovacuum's own rule with them
// (threshold + scale factor x its rows at the last analysis), so kvod and
// autovacuum agree; any other table once its rows changed by more than half.
constexpr char kStaleTablesSql[] =
    "SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) "
    "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "CROSS JOIN LATERAL (SELECT "
    "(SELECT split_part(o, '=', 2)::float8 FROM unnest(c.reloptions) o "
    "WHERE split_part(o, '=', 1) = 'autovacuum_analyze_scale_factor') AS "
    "scale, "
    "COALESCE((SELECT split_part(o, '=', 2)::float8 FROM "
    "unnest(c.reloptions) o WHERE split_part(o, '=', 1) = "
    "'autovacuum_analyze_threshold'), 0) AS threshold) t "
    "WHERE s.n_mod_since_analyze > 0 AND "
    "(COALESCE(s.last_analyze, s.last_autoanalyze) IS NULL OR "
    "CASE WHEN t.scale IS NULL THEN s.n_mod_since_analyze > s.n_live_tup / 2 "
    "ELSE s.n_mod_since_analyze > t.threshold + t.scale * "
    "GREATEST(c.reltuples, 0) END) ORDER BY 1";

absl::StatusOr<std::vector<std::string>> AnalyzeStaleTables(
    pqxx::connection& conn) {
  std::vector<std::string> tables;
  {
    pqxx::nontransaction tx(conn);
    for (const auto& r : tx.exec(kStaleTablesSql)) {
      tables.push_back(r[0].as<std::string>());
    }
  }
  for (const std::string& table : tables) {
    pqxx::nontransaction tx(conn);
    tx.exec0("ANALYZE " + table);
  }
  return tables;
}

}  // namespace kvo::common
