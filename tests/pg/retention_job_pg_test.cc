// The retention job against a real PostgreSQL: one replica at a time, the
// run audited, after-commit steps only after the commit.
#include <pqxx/pqxx>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/retention/retention_job.h"
#include "tests/support/pg_environment.h"

namespace kvo::retention {
namespace {

using ::testing::HasSubstr;

// A rule that "deletes" `n` things and records when its after-commit step
// ran.
class CountingRule final : public common::RetentionRule {
 public:
  explicit CountingRule(int n, std::string kind = "counting")
      : n_(n), kind_(std::move(kind)) {}
  std::string kind() const override { return kind_; }
  common::RetentionItem Due(pqxx::transaction_base&, absl::Time) override {
    ++asked_;
    return {kind(), static_cast<uint64_t>(n_), std::nullopt, {}, nullptr};
  }
  common::RetentionItem Apply(pqxx::transaction_base&, absl::Time) override {
    ++asked_;
    common::RetentionItem item{kind(),
                               static_cast<uint64_t>(n_),
                               std::nullopt,
                               {"person:abc"},
                               nullptr};
    item.after_commit = [this] { ++committed_; };
    return item;
  }
  int committed_ = 0;
  int asked_ = 0;  // Due and Apply calls

 private:
  const int n_;
  const std::string kind_;
};

class RetentionJobPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    pool_ = std::make_unique<common::DbPool>(conninfo(), 2);
  }
  int64_t Count(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  }
  audit::AuditRecord Officer() {
    audit::AuditRecord r;
    r.principal_id = 7;
    r.role = "privacy_officer";
    r.request_id = "req-1";
    return r;
  }

  std::unique_ptr<common::DbPool> pool_;
  common::OffsetClock clock_;
};

TEST_F(RetentionJobPgTest, ARunIsAuditedAndItsAfterCommitStepsRun) {
  CountingRule rule(3);
  RetentionJob job(*pool_, clock_, {&rule});
  auto dry = job.Run(/*dry_run=*/true, Officer());
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->items.at(0).count, 3u);
  EXPECT_EQ(rule.committed_, 0);
  auto run = job.Run(/*dry_run=*/false, Officer());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(rule.committed_, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.run' AND principal_id = 7 AND subject = "
                  "'person:abc' AND purpose LIKE '%counting=3%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.dry_run'"),
            1);
}

TEST_F(RetentionJobPgTest, TwoReplicasNeverRunAtOnce) {
  CountingRule rule(1);
  RetentionJob job(*pool_, clock_, {&rule});
  // Another replica's run, holding the lock in its transaction.
  pqxx::connection other(conninfo());
  pqxx::work other_tx(other);
  other_tx.exec("SELECT pg_advisory_xact_lock(" +
                std::to_string(0x6b766f2d726574) + ")");
  auto run = job.Run(/*dry_run=*/false, Officer());
  EXPECT_EQ(run.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(run.status().message(), HasSubstr("another kvod is running"));
  EXPECT_EQ(rule.committed_, 0);
  other_tx.commit();
  EXPECT_TRUE(job.Run(/*dry_run=*/false, Officer()).ok());
  EXPECT_EQ(rule.committed_, 1);
}

TEST_F(RetentionJobPgTest, AKindFilterRunsOnlyThoseRules) {
  CountingRule card(2, "card"), person(1, "person");
  RetentionJob job(*pool_, clock_, {&card, &person});
  auto run = job.Run(/*dry_run=*/false, Officer(), {"person"});
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->items.size(), 1u);
  EXPECT_EQ(run->items[0].kind, "person");
  EXPECT_EQ(card.asked_, 0);
  EXPECT_EQ(person.committed_, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.run' AND purpose LIKE '%person=1' AND purpose "
                  "NOT LIKE '%card%'"),
            1);
}

TEST_F(RetentionJobPgTest, AnUnknownKindRunsNothingAndSaysWhatIsKnown) {
  CountingRule card(2, "card"), person(1, "person");
  RetentionJob job(*pool_, clock_, {&card, &person});
  for (bool dry_run : {false, true}) {
    auto run = job.Run(dry_run, Officer(), {"person", "cards"});
    EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(run.status().message(), HasSubstr("--kind"));
    EXPECT_THAT(run.status().message(), HasSubstr("'cards'"));
    EXPECT_THAT(run.status().message(), HasSubstr("card, person"));
  }
  EXPECT_EQ(card.asked_ + person.asked_, 0);
  EXPECT_EQ(person.committed_, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action LIKE "
                  "'retention.%'"),
            0);
}

}  // namespace
}  // namespace kvo::retention
