// The audit log against a real PostgreSQL: concurrent appends, the
// sequencer, tamper detection and two sequencers on one database.
#include <future>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/log_verification.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "tests/support/pg_environment.h"

namespace kvo::audit {
namespace {

using ::testing::HasSubstr;

TreeHeadSigner Signer(char seed) {
  return TreeHeadSigner::FromSeed(std::string(32, seed));
}

class AuditPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    ASSERT_TRUE(common::InitCrypto());
    pool_ = std::make_unique<common::DbPool>(conninfo(), 4);
  }

  void Append(int n, const std::string& tag = "t") {
    for (int i = 0; i < n; ++i) {
      AuditRecord r;
      r.principal_id = 1 + i % 3;
      r.role = "police";
      r.action = "registry.read_person";
      r.subject = absl::StrCat("person:", tag, i);
      r.purpose = "door check";
      r.outcome = i % 7 == 0 ? Outcome::kDenied : Outcome::kOk;
      r.request_id = absl::StrCat(tag, "-", i);
      ASSERT_TRUE(pool_
                      ->InTransaction("append",
                                      [&](pqxx::work& tx) {
                                        PgAuditStore::Append(tx, r);
                                        return absl::OkStatus();
                                      })
                      .ok());
    }
  }

  uint64_t Sequence(AuditSequencer& seq) {
    auto size = seq.RunOnce();
    EXPECT_TRUE(size.ok()) << size.status();
    EXPECT_TRUE(size.ok() && size->has_value())
        << "expected to be the sequencer";
    return size.ok() && size->has_value() ? **size : 0;
  }

  VerifyReport Verify() {
    pqxx::connection conn(conninfo());
    pqxx::transaction<pqxx::repeatable_read> tx(conn);
    return VerifyStoredLog(tx);
  }

  void Sql(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }

  std::unique_ptr<common::DbPool> pool_;
};

TEST_F(AuditPgTest, ConcurrentAppendsGetContiguousIndexesAndASignedHead) {
  std::vector<std::future<void>> writers;
  for (int w = 0; w < 4; ++w) {
    writers.push_back(std::async(
        std::launch::async, [this, w] { Append(25, absl::StrCat("w", w)); }));
  }
  for (auto& f : writers) f.get();
  AuditSequencer seq(conninfo(), Signer('a'), std::chrono::seconds(60));
  EXPECT_EQ(Sequence(seq), 100u);
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT seq), min(seq), max(seq) "
                     "FROM audit_entries")[0]
                .as<int>(),
            100);
  EXPECT_EQ(tx.exec1("SELECT max(seq) FROM audit_entries")[0].as<int>(), 99);
  auto head = PgAuditStore::TreeHead(tx, 0);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->tree_size, 100u);
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.entries_checked, 100u);
}

TEST_F(AuditPgTest, AHeadOfTheEmptyLogIsCheckedToo) {
  // kvod's sequencer starts before anything is logged and signs the empty
  // tree; later entries must still verify against every head.
  AuditSequencer seq(conninfo(), Signer('e'), std::chrono::seconds(60));
  EXPECT_EQ(Sequence(seq), 0u);
  VerifyReport empty = Verify();
  EXPECT_TRUE(empty.ok) << empty.problem;
  EXPECT_EQ(empty.tree_heads_checked, 1u);
  Append(3);
  EXPECT_EQ(Sequence(seq), 3u);
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 3u);
  EXPECT_EQ(r.tree_heads_checked, 2u);
  // The empty head is checked, not skipped: a wrong root there is named.
  Sql("UPDATE audit_tree_heads SET root_hash = "
      "set_byte(root_hash, 0, get_byte(root_hash, 0) # 1) WHERE tree_size = 0");
  EXPECT_FALSE(Verify().ok);
}

// Each way of tampering with rows directly in PostgreSQL is named with the
// first wrong index.
class TamperTest : public AuditPgTest {
 protected:
  void SetUp() override {
    AuditPgTest::SetUp();
    AuditSequencer seq(conninfo(), Signer('b'), std::chrono::seconds(60));
    Append(20, "a");
    ASSERT_EQ(Sequence(seq), 20u);
    Append(20, "b");
    ASSERT_EQ(Sequence(seq), 40u);
    ASSERT_TRUE(Verify().ok);
  }
};

TEST_F(TamperTest, EditedEntry) {
  Sql("UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 7");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 7);
  EXPECT_THAT(r.problem, HasSubstr("entry 7 does not match"));
}

TEST_F(TamperTest, DeletedEntry) {
  Sql("DELETE FROM audit_entries WHERE seq = 5");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 5);
  EXPECT_THAT(r.problem, HasSubstr("entry 5 is missing"));
}

TEST_F(TamperTest, ReorderedEntries) {
  Sql("UPDATE audit_entries SET seq = -1 WHERE seq = 3;"
      "UPDATE audit_entries SET seq = 3 WHERE seq = 9;"
      "UPDATE audit_entries SET seq = 9 WHERE seq = -1");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 3);
}

TEST_F(TamperTest, TruncatedLog) {
  Sql("DELETE FROM audit_entries WHERE seq >= 33");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 33);
  EXPECT_THAT(r.problem, HasSubstr("truncated"));
}

TEST_F(TamperTest, RewrittenEntryAndLeafHashIsCaughtByTheSignedHead) {
  // A careful forger recomputes the leaf hash as well: only the signed tree
  // head can tell, and it narrows the damage to the entries it covers.
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  auto entry = PgAuditStore::EntryAt(tx, 25);
  ASSERT_TRUE(entry.has_value());
  entry->purpose = "curiosity";
  const Hash forged = LeafHash(CanonicalBytes(*entry));
  tx.exec_params0(
      "UPDATE audit_entries SET purpose = 'curiosity', "
      "leaf_hash = decode($1, 'hex') WHERE seq = 25",
      common::HexEncode(absl::string_view(
          reinterpret_cast<const char*>(forged.data()), forged.size())));
  tx.commit();
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 20);
  EXPECT_THAT(r.problem, HasSubstr("entries 20 to 39 do not match the signed "
                                   "tree head of size 40"));
}

TEST_F(TamperTest, ForgedTreeHeadSignature) {
  Sql("UPDATE audit_tree_heads SET signature = "
      "set_byte(signature, 0, get_byte(signature, 0) # 1) "
      "WHERE tree_size = 20");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("size 20 has an invalid signature"));
}

TEST_F(AuditPgTest, TwoSequencersOnOneDatabaseKeepOneConsistentLog) {
  AuditSequencer first(conninfo(), Signer('c'), std::chrono::milliseconds(20));
  AuditSequencer second(conninfo(), Signer('d'), std::chrono::milliseconds(20));
  first.Start();
  second.Start();
  Append(30, "x");
  // Only one of them holds the lock; stopping it hands over to the other.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  first.Stop();
  Append(30, "y");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  second.Stop();
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  EXPECT_EQ(PgAuditStore::UnsequencedCount(tx), 0u);
  EXPECT_EQ(PgAuditStore::SequencedCount(tx), 60u);
  tx.commit();
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 60u);
  EXPECT_GE(r.tree_heads_checked, 2u);
}

}  // namespace
}  // namespace kvo::audit
