#include "tests/support/pg_environment.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

#include "services/common/migrator.h"
#include "services/common/source_dir.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
PgEnvironment* g_environment = nullptr;

fs::path MakeTempDir(const char* prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base ? base : "/tmp") +
                     "/" + prefix + "XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  return tmpl;
}

}  // namespace

TempDir::TempDir() : path_(MakeTempDir("kvo-test-")) {
  // kvod's cluster may run as another user (postgres) who must traverse.
  ::chmod(path_.c_str(), 0711);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

PgEnvironment* PgEnvironment::Get() { return g_environment; }

void PgEnvironment::SetUp() {
  g_environment = this;
  root_ = MakeTempDir("kvo-pg-");
  common::EmbeddedPostgresOptions options;
  options.root = root_;
  options.fast_initdb = true;
  // Durability is not under test here; speed is welcome.
  options.settings = {"fsync=off", "synchronous_commit=off",
                      "full_page_writes=off", "max_connections=200"};
  auto pg = common::EmbeddedPostgres::Start(options);
  ASSERT_TRUE(pg.ok()) << pg.status();
  postgres_ = std::move(*pg);
  ASSERT_TRUE(postgres_->CreateDatabaseIfMissing(kTemplateDb).ok());
  auto migrations =
      common::ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations");
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  pqxx::connection conn(postgres_->ConnectionString(kTemplateDb));
  auto report = common::ApplyMigrations(conn, *migrations);
  ASSERT_TRUE(report.ok()) << report.status();

  ASSERT_TRUE(postgres_->CreateDatabaseIfMissing(kKeyStoreTemplateDb).ok());
  auto key_migrations = common::ReadMigrations(fs::path(KVO_SOURCE_DIR) /
                                               "migrations" / "keystore");
  ASSERT_TRUE(key_migrations.ok()) << key_migrations.status();
  pqxx::connection keys(postgres_->ConnectionString(kKeyStoreTemplateDb));
  auto key_report = common::ApplyMigrations(keys, *key_migrations);
  ASSERT_TRUE(key_report.ok()) << key_report.status();
}

void PgEnvironment::TearDown() {
  if (postgres_ != nullptr) {
    EXPECT_TRUE(postgres_->Stop().ok());
    postgres_.reset();
  }
  std::error_code ec;
  if (!root_.empty()) fs::remove_all(root_, ec);
}

void PgTest::SetUp() {
  static std::atomic<int> counter{0};
  auto* env = PgEnvironment::Get();
  ASSERT_NE(env, nullptr) << "link the test with kvo_pg_test_main";
  dbname_ = "t_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter.fetch_add(1));
  ASSERT_TRUE(env->postgres()
                  .CreateDatabaseIfMissing(dbname_, PgEnvironment::kTemplateDb)
                  .ok());
  conninfo_ = env->postgres().ConnectionString(dbname_);
}

const std::string& PgTest::keystore_conninfo() {
  if (keystore_conninfo_.empty()) {
    auto* env = PgEnvironment::Get();
    const std::string name = dbname_ + "_keys";
    EXPECT_TRUE(
        env->postgres()
            .CreateDatabaseIfMissing(name, PgEnvironment::kKeyStoreTemplateDb)
            .ok());
    keystore_conninfo_ = env->postgres().ConnectionString(name);
  }
  return keystore_conninfo_;
}

void PgTest::TearDown() {
  if (auto* env = PgEnvironment::Get(); env != nullptr && !dbname_.empty()) {
    EXPECT_TRUE(env->postgres().DropDatabase(dbname_).ok());
    if (!keystore_conninfo_.empty()) {
      EXPECT_TRUE(env->postgres().DropDatabase(dbname_ + "_keys").ok());
    }
  }
}

}  // namespace kvo::testing
