#include "services/common/migration_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "services/common/migrator.h"
#include "services/common/source_dir.h"

namespace kvo::common {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(MigrationRulesTest, WhatOnlyAddsPasses) {
  EXPECT_THAT(ContractingStatements(R"sql(
CREATE TABLE shop_notes (id bigserial PRIMARY KEY, shop_id bigint NOT NULL
  REFERENCES shops (id), note text NOT NULL, UNIQUE (shop_id, note));
ALTER TABLE persons ADD COLUMN nickname text;
ALTER TABLE persons ADD COLUMN visits integer NOT NULL DEFAULT 0,
  ADD COLUMN shop_id bigint REFERENCES shops (id);
ALTER TABLE persons ALTER COLUMN description DROP NOT NULL;
ALTER TABLE persons DROP CONSTRAINT persons_description_check;
ALTER TABLE persons ALTER COLUMN visits SET DEFAULT 1;
ALTER TABLE audit_entries SET (autovacuum_analyze_scale_factor = 8);
CREATE INDEX persons_by_nickname ON persons (nickname);
DROP INDEX persons_by_old_name;
UPDATE persons SET visits = 0 WHERE visits IS NULL;
ALTER TYPE card_kind ADD VALUE 'schorsing';
CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$
BEGIN DROP TABLE x; ALTER TABLE y RENAME TO z; END $$ LANGUAGE plpgsql;
COMMENT ON TABLE persons IS 'DROP TABLE persons; -- not a statement';
)sql"),
              IsEmpty());
}

TEST(MigrationRulesTest, WhatTakesAwayOrNarrowsIsFound) {
  EXPECT_THAT(ContractingStatements("DROP TABLE shop_notes;"),
              ElementsAre("DROP TABLE shop_notes"));
  EXPECT_THAT(ContractingStatements("drop   view\n  door_view"),
              ElementsAre("drop view door_view"));
  for (const char* sql : {
           "ALTER TABLE persons DROP COLUMN nickname",
           "ALTER TABLE persons DROP nickname",
           "ALTER TABLE persons RENAME COLUMN nickname TO alias",
           "ALTER TABLE persons RENAME TO people",
           "ALTER TABLE persons ALTER COLUMN blind_index TYPE bytea",
           "ALTER TABLE persons ALTER blind_index SET DATA TYPE bytea",
           "ALTER TABLE persons ALTER COLUMN nickname SET NOT NULL",
           "ALTER TABLE persons ALTER COLUMN visits DROP DEFAULT",
           "ALTER TABLE persons ADD COLUMN born date NOT NULL",
           "ALTER TABLE persons ADD CONSTRAINT c CHECK (visits >= 0)",
           "ALTER TABLE persons ADD UNIQUE (nickname)",
           "ALTER TABLE cards ADD FOREIGN KEY (shop_id) REFERENCES shops (id)",
           "ALTER TABLE persons ADD COLUMN a text, DROP COLUMN b",
           "CREATE UNIQUE INDEX persons_once ON persons (nickname)",
           "TRUNCATE rate_windows",
           "REVOKE INSERT ON audit_entries FROM kvo",
           "DROP TRIGGER audit_append_only ON audit_entries",
           "DROP FUNCTION audit_guard()",
       }) {
    EXPECT_THAT(ContractingStatements(sql), SizeIs(1)) << sql;
  }
}

TEST(MigrationRulesTest, AContractLineLetsItsOwnStatementThroughOnly) {
  EXPECT_THAT(ContractingStatements(R"sql(
-- contract: kvod 2026.12 and later no longer read nickname.
ALTER TABLE persons DROP COLUMN nickname;
ALTER TABLE persons DROP COLUMN alias;
)sql"),
              ElementsAre("ALTER TABLE persons DROP COLUMN alias"));
}

TEST(MigrationRulesTest, AMigrationFromTheLineOnThatContractsIsRefused) {
  std::vector<Migration> migrations = {
      {26, "old", "V026__old.sql", "DROP TABLE before_the_rule;", ""},
      {27, "new", "V027__new.sql", "ALTER TABLE persons DROP nickname;", ""}};
  EXPECT_TRUE(CheckExpandOnly(migrations, 28).ok());
  const absl::Status s = CheckExpandOnly(migrations, 27);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              ::testing::AllOf(::testing::HasSubstr("V027__new.sql"),
                               ::testing::HasSubstr("DROP nickname"),
                               ::testing::HasSubstr("-- contract:")));
}

// The project's own migrations keep the rule kvod enforces at start.
TEST(MigrationRulesTest, TheProjectsMigrationsOnlyExpandFromTheRuleOn) {
  namespace fs = std::filesystem;
  auto data = ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(CheckExpandOnly(*data, kDataExpandOnlyFrom).ok())
      << CheckExpandOnly(*data, kDataExpandOnlyFrom);
  auto keys =
      ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations" / "keystore");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(CheckExpandOnly(*keys, kKeyStoreExpandOnlyFrom).ok());
  // The rule would have caught what earlier releases did (V022 changed
  // column types): it reads real migrations, not only the examples above.
  EXPECT_FALSE(CheckExpandOnly(*data, 22).ok());
}

}  // namespace
}  // namespace kvo::common
