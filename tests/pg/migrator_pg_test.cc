#include <fstream>
#include <future>
#include <pqxx/pqxx>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/migrator.h"
#include "services/common/source_dir.h"
#include "tests/support/pg_environment.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;
using kvo::testing::PgEnvironment;
using kvo::testing::TempDir;
using ::testing::HasSubstr;

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Each test migrates its own empty database, not the pre-migrated template.
class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    db_ = "mig_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    ASSERT_TRUE(
        PgEnvironment::Get()->postgres().CreateDatabaseIfMissing(db_).ok());
    conninfo_ = PgEnvironment::Get()->postgres().ConnectionString(db_);
    WriteFile(dir_.path() / "V001__first.sql", "CREATE TABLE a (x int);");
    WriteFile(dir_.path() / "V002__second.sql", "CREATE TABLE b (y int);");
  }
  void TearDown() override {
    EXPECT_TRUE(PgEnvironment::Get()->postgres().DropDatabase(db_).ok());
  }
  absl::StatusOr<MigrationReport> Apply() {
    auto migrations = ReadMigrations(dir_.path());
    if (!migrations.ok()) return migrations.status();
    pqxx::connection conn(conninfo_);
    return ApplyMigrations(conn, *migrations);
  }
  int CountTables() {
    pqxx::connection conn(conninfo_);
    pqxx::work tx(conn);
    return tx
        .exec1(
            "SELECT count(*) FROM pg_tables WHERE schemaname='public' "
            "AND tablename IN ('a','b','c')")[0]
        .as<int>();
  }

  TempDir dir_;
  std::string db_;
  std::string conninfo_;
};

TEST_F(MigratorTest, AppliesInOrderOnceAndRecordsChecksums) {
  auto first = Apply();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->applied_now, 2);
  auto again = Apply();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->applied_now, 0);
  EXPECT_EQ(again->already_applied, 2);
  pqxx::connection conn(conninfo_);
  pqxx::work tx(conn);
  auto rows = tx.exec(
      "SELECT version, length(checksum) FROM schema_migrations "
      "ORDER BY version");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0].as<int>(), 2);
  EXPECT_EQ(rows[1][1].as<int>(), 64);
}

TEST_F(MigratorTest, AddsANewMigrationLater) {
  ASSERT_TRUE(Apply().ok());
  WriteFile(dir_.path() / "V003__third.sql", "CREATE TABLE c (z int);");
  auto report = Apply();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied_now, 1);
  EXPECT_EQ(CountTables(), 3);
}

TEST_F(MigratorTest, RefusesAChangedAppliedFileAndAppliesNothing) {
  ASSERT_TRUE(Apply().ok());
  WriteFile(dir_.path() / "V001__first.sql", "CREATE TABLE a (x bigint);");
  WriteFile(dir_.path() / "V003__third.sql", "CREATE TABLE c (z int);");
  auto report = Apply();
  ASSERT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(),
              HasSubstr("V001__first.sql changed after it was applied"));
  EXPECT_EQ(CountTables(), 2) << "V003 must not run after a refusal";
}

TEST_F(MigratorTest, RefusesWhenAnAppliedFileIsMissing) {
  ASSERT_TRUE(Apply().ok());
  fs::remove(dir_.path() / "V002__second.sql");
  auto report = Apply();
  ASSERT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      report.status().message(),
      HasSubstr("migration V2 (second) applied, but its file is missing"));
}

TEST_F(MigratorTest, AFailingMigrationLeavesNoTrace) {
  WriteFile(dir_.path() / "V003__broken.sql",
            "CREATE TABLE c (z int); SELECT no_such_function();");
  auto report = Apply();
  ASSERT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(), HasSubstr("V003__broken.sql failed"));
  EXPECT_EQ(CountTables(), 2) << "table c must be rolled back";
}

TEST_F(MigratorTest, ConcurrentStartsMigrateExactlyOnce) {
  constexpr int kStarters = 4;
  std::vector<std::future<absl::StatusOr<MigrationReport>>> runs;
  for (int i = 0; i < kStarters; ++i) {
    runs.push_back(std::async(std::launch::async, [this] { return Apply(); }));
  }
  int applied = 0;
  for (auto& run : runs) {
    auto report = run.get();
    ASSERT_TRUE(report.ok()) << report.status();
    applied += report->applied_now;
  }
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(CountTables(), 2);
}

TEST(ReadMigrationsTest, RejectsBadNamesAndGaps) {
  TempDir dir;
  WriteFile(dir.path() / "V001__ok.sql", "SELECT 1;");
  WriteFile(dir.path() / "v2-bad.sql", "SELECT 1;");
  auto bad_name = ReadMigrations(dir.path());
  EXPECT_THAT(bad_name.status().message(),
              HasSubstr("v2-bad.sql is not named"));
  fs::remove(dir.path() / "v2-bad.sql");
  WriteFile(dir.path() / "V003__gap.sql", "SELECT 1;");
  auto gap = ReadMigrations(dir.path());
  EXPECT_THAT(gap.status().message(), HasSubstr("V003__gap.sql where V2"));
}

TEST(ReadMigrationsTest, ProjectMigrationsAreWellFormed) {
  auto migrations = ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations");
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  EXPECT_FALSE(migrations->empty());
}

// Issue 25: kvod's own ANALYZE had copied sampled data keys into the key
// store's pg_statistic. keystore/V003__trustdata.sql drops what was sampled
// and no ANALYZE samples a key column again.
TEST_F(MigratorTest, TheKeyStoreMigrationDropsAndStopsSampledKeys) {
  auto all =
      ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations" / "keystore");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_GE(all->size(), 3u);
  const std::vector<Migration> before(all->begin(), all->begin() + 2);
  pqxx::connection conn(conninfo_);
  ASSERT_TRUE(ApplyMigrations(conn, before).ok());
  auto sampled = [&] {
    pqxx::work tx(conn);
    return tx
        .exec1(
            "SELECT count(*) FROM pg_stats WHERE (tablename, attname) IN "
            "(('data_keys', 'wrapped_key'), ('key_encryption_keys', "
            "'wrapped_key'), ('root_key', 'blind_key'))")[0]
        .as<int>();
  };
  {
    pqxx::work tx(conn);
    tx.exec0(
        "INSERT INTO key_encryption_keys (version, wrapped_key) VALUES (1, "
        "'\\x0102')");
    tx.exec0(
        "INSERT INTO data_keys (person_id, kek_version, wrapped_key) SELECT "
        "g, 1, sha256(g::text::bytea) || sha256(g::text::bytea) FROM "
        "generate_series(1, 200) g");
    tx.exec0(
        "INSERT INTO root_key (root_id, blind_key) VALUES ('\\x01', "
        "'\\x0203')");
    tx.commit();
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec("ANALYZE");
  }
  ASSERT_EQ(sampled(), 3) << "as an older kvod's ANALYZE left them";
  ASSERT_TRUE(ApplyMigrations(conn, *all).ok());
  EXPECT_EQ(sampled(), 0);
  {
    pqxx::nontransaction tx(conn);
    tx.exec("ANALYZE");
  }
  EXPECT_EQ(sampled(), 0);
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_stats WHERE tablename = "
                     "'data_keys' AND attname = 'person_id'")[0]
                .as<int>(),
            1)
      << "the other columns are still analysed";
}

// Issue 28: kvod re-analysed the growing audit log at each doubling. A
// table that sets autovacuum_analyze_scale_factor is analysed by that rule
// (changes beyond the factor x its rows at the last analysis); any other
// once its rows changed by half; a table never analysed at once.
TEST_F(MigratorTest, AnalyzeStaleTablesFollowsATablesOwnScaleFactor) {
  pqxx::connection conn(conninfo_);
  auto insert = [&](const std::string& table, int rows) {
    pqxx::work tx(conn);
    tx.exec0("INSERT INTO " + table + " SELECT generate_series(1, " +
             std::to_string(rows) + ")");
    tx.commit();
    // The statistics views see this backend's counts now, not within a
    // second.
    pqxx::nontransaction flush(conn);
    flush.exec("SELECT pg_stat_force_next_flush()");
  };
  {
    pqxx::work tx(conn);
    tx.exec0("CREATE TABLE plain (x int)");
    tx.exec0(
        "CREATE TABLE log (x int) WITH (autovacuum_analyze_scale_factor = 2, "
        "autovacuum_enabled = false)");
    tx.exec0("ALTER TABLE plain SET (autovacuum_enabled = false)");
    tx.commit();
  }
  insert("plain", 100);
  insert("log", 100);
  using ::testing::ElementsAre;
  auto first = AnalyzeStaleTables(conn);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(*first, ElementsAre("public.log", "public.plain"))
      << "never analysed";
  insert("plain", 150);  // more than half of its 250 rows now
  insert("log", 150);
  auto second = AnalyzeStaleTables(conn);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(*second, ElementsAre("public.plain"))
      << "150 changes are within 2 x the log's 100 rows";
  insert("log", 60);
  auto third = AnalyzeStaleTables(conn);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_THAT(*third, ElementsAre("public.log")) << "210 changes are beyond";
}

// The audit log's tables carry their own analysis settings (V027).
TEST_F(MigratorTest, TheAuditLogSetsItsOwnAnalyzeScaleFactor) {
  auto all = ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations");
  ASSERT_TRUE(all.ok()) << all.status();
  pqxx::connection conn(conninfo_);
  ASSERT_TRUE(ApplyMigrations(conn, *all).ok());
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_class WHERE relname IN "
                     "('audit_entries', 'audit_subjects') AND "
                     "reloptions::text LIKE "
                     "'%autovacuum_analyze_scale_factor=%'")[0]
                .as<int>(),
            2);
}

}  // namespace
}  // namespace kvo::common
