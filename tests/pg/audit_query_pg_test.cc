// Reading the access log against a real PostgreSQL: queries by subject,
// principal, action, area and time through the store, newest first and
// paged; the indexes they need are used; entries with an area and address
// (v2) verify and their area cannot be changed unseen; retention's emptied
// entries still show, honestly, in time queries.
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/log_verification.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "tests/support/pg_environment.h"

namespace kvo::audit {
namespace {

using ::testing::HasSubstr;

class AuditQueryPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    ASSERT_TRUE(common::InitCrypto());
    pool_ = std::make_unique<common::DbPool>(conninfo(), 2);
  }

  void Append(const AuditRecord& r) {
    ASSERT_TRUE(pool_
                    ->InTransaction("append",
                                    [&](pqxx::work& tx) {
                                      PgAuditStore::Append(tx, r);
                                      return absl::OkStatus();
                                    })
                    .ok());
  }

  // Principal p reads `subject` in area `area` from its own address.
  void Read(int64_t p, const std::string& subject, int64_t area,
            const std::string& action = "gallery.sync") {
    AuditRecord r;
    r.principal_id = p;
    r.role = "shopkeeper";
    r.action = action;
    r.subject = subject;
    r.purpose = "door check";
    r.area_id = area;
    r.peer = absl::StrCat("ipv4:10.0.0.", p);
    Append(r);
  }

  void Sequence() {
    AuditSequencer seq(conninfo(),
                       TreeHeadSigner::FromSeed(std::string(32, 'q')),
                       std::chrono::seconds(60));
    auto size = seq.RunOnce();
    ASSERT_TRUE(size.ok() && size->has_value()) << size.status();
  }

  std::vector<uint64_t> Indexes(const LogFilter& f,
                                std::optional<uint64_t> before = {},
                                int limit = 100) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    std::vector<uint64_t> out;
    for (const auto& s : PgAuditStore::Query(tx, f, before, limit)) {
      out.push_back(s.entry.index);
    }
    return out;
  }

  std::string Sql1(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    std::string out;
    for (const auto& row : tx.exec(sql)) {
      out += row[0].c_str();
      out += "\n";
    }
    tx.commit();
    return out;
  }

  std::unique_ptr<common::DbPool> pool_;
};

TEST_F(AuditQueryPgTest, BySubjectFindsEntriesNamingSeveralSubjects) {
  Read(1, "person:a", 1);                       // 0
  Read(2, "person:b,person:a", 1);              // 1: one sync disclosing two
  Read(3, "person:b", 2);                       // 2
  Read(1, "person:ab", 1);                      // 3: not person:a
  Read(2, "person:a", 2, "gallery.get_photo");  // 4
  Sequence();
  LogFilter f;
  f.subject = "person:a";
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{4, 1, 0}));
  f.principal_id = 2;
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{4, 1}));
  f.action = "gallery.sync";
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{1}));
  LogFilter by_area;
  by_area.area_id = 2;
  EXPECT_EQ(Indexes(by_area), (std::vector<uint64_t>{4, 2}));
  // Paging: the next page starts below the last index shown.
  EXPECT_EQ(Indexes(LogFilter{}, 3, 2), (std::vector<uint64_t>{2, 1}));

  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  EXPECT_TRUE(PgAuditStore::SubjectNamed(tx, "person:b"));
  EXPECT_FALSE(PgAuditStore::SubjectNamed(tx, "person:zzz"));
  auto stored = PgAuditStore::StoredAt(tx, 2);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entry.area_id, 2);
  EXPECT_EQ(stored->entry.peer, "ipv4:10.0.0.3");
}

TEST_F(AuditQueryPgTest, TimeRangeIsHalfOpen) {
  Read(1, "person:a", 1);
  Read(1, "person:b", 1);
  Sequence();
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  auto e0 = PgAuditStore::StoredAt(tx, 0);
  auto e1 = PgAuditStore::StoredAt(tx, 1);
  LogFilter f;
  f.from_micros = e0->entry.at_micros;
  f.to_micros = e1->entry.at_micros;
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{0}));
  f.from_micros = e1->entry.at_micros;
  f.to_micros = e1->entry.at_micros + 1;
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{1}));
}

TEST_F(AuditQueryPgTest, AreaAndAddressAreHashedAndVerified) {
  Read(1, "person:a", 7);
  Read(2, "person:b", 0);
  Sequence();
  auto verify = [&] {
    pqxx::connection conn(conninfo());
    pqxx::transaction<pqxx::repeatable_read> tx(conn);
    StoredLogChecks checks;
    checks.trust.mac = ProcessAuditMac();
    return VerifyStoredLog(tx, checks);
  };
  VerifyReport ok = verify();
  EXPECT_TRUE(ok.ok) << ok.problem;
  // Moving a read to another area is tampering like any other.
  Sql1("UPDATE audit_entries SET area_id = 8 WHERE seq = 0");
  VerifyReport moved = verify();
  EXPECT_FALSE(moved.ok);
  EXPECT_EQ(moved.first_bad_index, 0);
  Sql1("UPDATE audit_entries SET area_id = 7 WHERE seq = 0");
  Sql1("UPDATE audit_entries SET peer = '' WHERE seq = 1");
  VerifyReport readdressed = verify();
  EXPECT_FALSE(readdressed.ok);
  EXPECT_EQ(readdressed.first_bad_index, 1);
}

TEST_F(AuditQueryPgTest, RetentionErasesSubjectsButTimeQueriesShowTheEntry) {
  Read(1, "person:a", 1);
  Read(1, "person:a", 1);
  Sequence();
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    // Everything written up to now + 1 s is "old".
    auto last = PgAuditStore::StoredAt(tx, 0);
    EXPECT_EQ(PgAuditStore::EraseContent(tx, last->entry.at_micros + 1), 1u);
    tx.commit();
  }
  LogFilter f;
  f.subject = "person:a";
  EXPECT_EQ(Indexes(f), (std::vector<uint64_t>{1}));
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  auto all = PgAuditStore::Query(tx, LogFilter{}, std::nullopt, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].content_erased);
  EXPECT_EQ(all[1].entry.subject, "");
  EXPECT_EQ(all[1].entry.peer, "");
  EXPECT_FALSE(all[0].content_erased);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_subjects")[0].as<int>(), 1);
}

// The plans of the two hot queries walk their index, newest first, and stop
// after a page: no sort of the principal's or the person's whole history.
TEST_F(AuditQueryPgTest, QueriesUseTheirIndexes) {
  Sql1(
      "INSERT INTO audit_entries (principal_id, role, action, subject, "
      "outcome, seq, at) SELECT 1 + i % 500, 'shopkeeper', 'gallery.sync', "
      "'person:' || (i % 5000), 'ok', i, now() FROM generate_series(0, "
      "49999) i");
  Sql1(
      "INSERT INTO audit_subjects (subject, seq) SELECT subject, seq FROM "
      "audit_entries");
  // One person read 25,000 times: only walking the index newest first
  // (not fetching and sorting all of them) keeps their first page cheap.
  Sql1(
      "INSERT INTO audit_subjects (subject, seq) SELECT 'person:hot', i FROM "
      "generate_series(0, 49999, 2) i");
  Sql1("ANALYZE audit_entries; ANALYZE audit_subjects");
  auto plan = [&](const std::string& subject) {
    return Sql1(
        "EXPLAIN SELECT seq FROM (SELECT e.* FROM audit_subjects s JOIN "
        "audit_entries e ON e.seq = s.seq WHERE s.subject = '" +
        subject + "') q WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 51");
  };
  const std::string hot = plan("person:hot");
  EXPECT_THAT(hot, HasSubstr("Index Only Scan Backward using "
                             "audit_subjects_pkey"));
  EXPECT_THAT(hot, ::testing::Not(HasSubstr("Sort")));
  // A person read a few times: any way through the key, never a scan of
  // the table.
  const std::string rare = plan("person:42");
  EXPECT_THAT(rare, HasSubstr("audit_subjects_pkey"));
  EXPECT_THAT(rare, ::testing::Not(HasSubstr("Seq Scan")));
  const std::string by_principal = Sql1(
      "EXPLAIN SELECT seq FROM audit_entries WHERE seq IS NOT NULL AND "
      "principal_id = 42 ORDER BY seq DESC LIMIT 51");
  EXPECT_THAT(by_principal, HasSubstr("audit_entries_by_principal"));
  EXPECT_THAT(by_principal, ::testing::Not(HasSubstr("Sort")));
  // And through the store's own SQL, the same rows.
  LogFilter f;
  f.subject = "person:42";
  auto rows = Indexes(f, std::nullopt, 3);
  EXPECT_EQ(rows, (std::vector<uint64_t>{45042, 40042, 35042}));
  LogFilter p;
  p.principal_id = 43;
  EXPECT_EQ(Indexes(p, std::nullopt, 2), (std::vector<uint64_t>{49542, 49042}));
}

}  // namespace
}  // namespace kvo::audit
