#ifndef KVO_TESTS_SUPPORT_PG_ENVIRONMENT_H_
#define KVO_TESTS_SUPPORT_PG_ENVIRONMENT_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "services/common/embedded_postgres.h"

namespace kvo::testing {

// One throwaway PostgreSQL cluster per test binary, started with the same
// launcher kvod uses, in a temp dir. The migrations are applied once to a
// template database; every PgTest gets a fresh copy of it. The cluster dies
// with the test binary even when that is killed (parent-death signal).
class PgEnvironment final : public ::testing::Environment {
 public:
  static constexpr const char* kTemplateDb = "kvo_template";
  // The key store's migrations (migrations/keystore/), applied once too.
  static constexpr const char* kKeyStoreTemplateDb = "kvo_keys_template";

  void SetUp() override;
  void TearDown() override;

  static PgEnvironment* Get();
  common::EmbeddedPostgres& postgres() { return *postgres_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::unique_ptr<common::EmbeddedPostgres> postgres_;
};

// A test with its own database, cloned from the migrated template and
// dropped afterwards.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& conninfo() const { return conninfo_; }
  const std::string& dbname() const { return dbname_; }
  // A key store database of the test's own, made on first use.
  const std::string& keystore_conninfo();

 private:
  std::string dbname_;
  std::string conninfo_;
  std::string keystore_conninfo_;
};

// A fresh temp directory (mkdtemp under $TMPDIR or /tmp), removed by the
// destructor.
class TempDir final {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_PG_ENVIRONMENT_H_
