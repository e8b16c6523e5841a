// The audit log against whoever holds the database and nothing else (issue
// 25), and one spelling of an entry's subjects (issue 24): against a real
// PostgreSQL, with the SQL such an attacker would run.
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/audit_watch.h"
#include "services/audit/audit_writes.h"
#include "services/audit/log_verification.h"
#include "services/audit/pg_audit_store.h"
#include "services/audit/witness.h"
#include "services/common/commit_outcome.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "tests/support/pg_environment.h"

namespace kvo::audit {
namespace {

using ::testing::HasSubstr;

class AuditTrustPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    ASSERT_TRUE(common::InitCrypto());
    pool_ = std::make_unique<common::DbPool>(conninfo(), 4);
    auto witness = Witness::Open(tmp_.path() / "witness.log");
    ASSERT_TRUE(witness.ok()) << witness.status();
    witness_ = std::move(*witness);
    SequencerOptions options;
    options.witness = witness_.get();
    options.integrity = &integrity_;
    seq_ = std::make_unique<AuditSequencer>(
        conninfo(), TreeHeadSigner::FromSeed(std::string(32, 's')),
        std::chrono::seconds(60), options);
  }
  void TearDown() override {
    ProcessAuditWrites().Track(nullptr);
    seq_.reset();
    pool_.reset();
    PgTest::TearDown();
  }

  absl::Status Write(const std::string& subject,
                     const std::string& action = "registry.get_person") {
    AuditRecord r;
    r.principal_id = 7;
    r.role = "police";
    r.action = action;
    r.subject = subject;
    r.purpose = "door check";
    return pool_->InTransaction("append", [&](pqxx::work& tx) {
      PgAuditStore::Append(tx, r);
      return absl::OkStatus();
    });
  }
  uint64_t Sequence() {
    auto size = seq_->RunOnce();
    EXPECT_TRUE(size.ok()) << size.status();
    return size.ok() && size->has_value() ? **size : 0;
  }
  VerifyReport Verify() {
    pqxx::connection conn(conninfo());
    pqxx::transaction<pqxx::repeatable_read> tx(conn);
    return VerifyStoredLog(tx, TrustedChecks(witness_.get(), "", 0));
  }
  AuditWatch Watch(uint64_t recent = 1000) {
    AuditWatchOptions o;
    o.witness = witness_.get();
    o.integrity = &integrity_;
    o.max_unsequenced_micros = 60'000'000;
    o.recent_entries = recent;
    return AuditWatch(*pool_, o);
  }
  void Sql(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  int64_t Count(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  }
  static std::string Person(int i) {
    // As long as a real pseudonym, and then some.
    return absl::StrCat("person:", std::string(40, 'a' + i % 26), i);
  }

  kvo::testing::TempDir tmp_;
  std::unique_ptr<common::DbPool> pool_;
  std::unique_ptr<Witness> witness_;
  AuditIntegrity integrity_;
  std::unique_ptr<AuditSequencer> seq_;
};

// Issue 24: a retention run naming ~70 persons joined with blanks wedged
// the sequencer for good (one 3-4 kB "subject" past the btree row limit).
TEST_F(AuditTrustPgTest, NoEntryWedgesTheSequencerAndEverySubjectIsIndexed) {
  std::vector<std::string> many;
  for (int i = 0; i < 500; ++i) many.push_back(Person(i));
  ASSERT_TRUE(Write(JoinSubjects(many), "retention.run").ok());
  // As the old retention job wrote them: blanks between.
  std::string blanks;
  for (int i = 500; i < 600; ++i) absl::StrAppend(&blanks, Person(i), " ");
  ASSERT_TRUE(Write(blanks, "retention.run").ok());
  // One id far too long to be anyone's: not indexed, never a wedge.
  ASSERT_TRUE(Write("person:" + std::string(5000, 'x')).ok());
  ASSERT_TRUE(Write(Person(1)).ok());
  EXPECT_EQ(Sequence(), 4u);
  // 500 + 100, and the last entry's (its person is among the 500).
  EXPECT_EQ(Count("SELECT count(*) FROM audit_subjects"), 601);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_subjects WHERE subject = '" +
                  Person(1) + "'"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_subjects WHERE subject = '" +
                  Person(550) + "'"),
            1);
  EXPECT_EQ(Count("SELECT max(octet_length(subject)) FROM audit_subjects"),
            static_cast<int64_t>(Person(599).size()));
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  // And the next round goes on.
  ASSERT_TRUE(Write(Person(2)).ok());
  EXPECT_EQ(Sequence(), 5u);
}

TEST_F(AuditTrustPgTest, SplitSubjectsIsTheOneSpelling) {
  EXPECT_EQ(SplitSubjects("person:b,person:a, person:b\tarea:1,,"),
            (std::vector<std::string>{"area:1", "person:a", "person:b"}));
  EXPECT_EQ(JoinSubjects(std::vector<std::string>{"person:a", "person:b"}),
            "person:a,person:b");
  EXPECT_TRUE(SplitSubjects(std::string(kMaxSubjectBytes + 1, 'x')).empty());
}

// Issue 25.4: 30 copies of a genuine row (with its MAC) were sequenced.
TEST_F(AuditTrustPgTest, CopiesOfAGenuineRowAreQuarantinedNotSigned) {
  ASSERT_TRUE(Write(Person(1)).ok());
  ASSERT_TRUE(Write(Person(2)).ok());
  ASSERT_EQ(Sequence(), 2u);
  constexpr char kColumns[] =
      "at, principal_id, role, action, subject, purpose, outcome, "
      "request_id, entry_mac, area_id, peer, writer_id, write_no";
  for (int i = 0; i < 30; ++i) {
    Sql(absl::StrCat("INSERT INTO audit_entries (", kColumns, ") SELECT ",
                     kColumns, " FROM audit_entries WHERE seq = 1"));
  }
  // A pending row copied before the sequencer saw it.
  ASSERT_TRUE(Write(Person(3)).ok());
  Sql(absl::StrCat("INSERT INTO audit_entries (", kColumns, ") SELECT ",
                   kColumns,
                   " FROM audit_entries WHERE seq IS NULL AND "
                   "subject = '",
                   Person(3), "'"));
  // Placed: the genuine write, then the 31 alarm entries naming the copies.
  const uint64_t size = Sequence();
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE quarantined_at "
                  "IS NOT NULL"),
            31);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE seq IS NOT NULL "
                  "AND subject = '" +
                  Person(1) + "'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE seq IS NOT NULL "
                  "AND subject = '" +
                  Person(3) + "'"),
            1);
  EXPECT_EQ(size, 3u + 31u);
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.problem, HasSubstr("copy an entry already in the log"));
}

// Entries written before the writer id existed keep verifying (v1/v2 MAC).
TEST_F(AuditTrustPgTest, AnEntryWithTheOlderMacIsStillSequenced) {
  SequencedEntry e;
  e.at_micros = 1'700'000'000'000'000;
  e.principal_id = 3;
  e.role = "police";
  e.action = "registry.get_person";
  e.subject = Person(4);
  e.outcome = "ok";
  const std::string mac = ProcessAuditMac()->EntryMac(e);
  Sql(absl::StrCat(
      "INSERT INTO audit_entries (at, principal_id, role, action, subject, "
      "outcome, entry_mac) VALUES (timestamptz 'epoch' + ",
      e.at_micros, " * interval '1 microsecond', 3, 'police', ",
      "'registry.get_person', '", e.subject, "', 'ok', decode('",
      common::HexEncode(mac), "', 'hex'))"));
  EXPECT_EQ(Sequence(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE quarantined_at "
                  "IS NOT NULL"),
            0);
  EXPECT_TRUE(Verify().ok);
}

// Issue 25.5: deleting rows of the subject index hid reads from
// `kvo audit log --subject` while verify stayed ok.
TEST_F(AuditTrustPgTest, VerifyProvesTheSubjectIndexComplete) {
  ASSERT_TRUE(
      Write(JoinSubjects(std::vector<std::string>{Person(1), Person(2)})).ok());
  ASSERT_TRUE(Write(Person(1)).ok());
  ASSERT_EQ(Sequence(), 2u);
  ASSERT_TRUE(Verify().ok);
  Sql("DELETE FROM audit_subjects WHERE subject = '" + Person(1) +
      "' AND seq = 1");
  VerifyReport removed = Verify();
  EXPECT_FALSE(removed.ok);
  EXPECT_THAT(removed.problem, HasSubstr("subject index"));
  EXPECT_THAT(removed.problem, HasSubstr("entry 1"));
  Sql("INSERT INTO audit_subjects VALUES ('" + Person(1) +
      "', 1), ('person:someone-else', 0)");
  VerifyReport added = Verify();
  EXPECT_FALSE(added.ok);
  EXPECT_THAT(added.problem, HasSubstr("entry 0"));
}

// Issue 25.3: a trigger returning NULL, or a rule DO INSTEAD NOTHING,
// silently dropped chosen entries.
TEST_F(AuditTrustPgTest, AnInsertThatStoresNothingFailsAndRaisesTheAlarm) {
  ProcessAuditWrites().Track(&integrity_);
  Sql("CREATE FUNCTION drop_reads() RETURNS trigger LANGUAGE plpgsql AS $$ "
      "BEGIN IF NEW.action = 'registry.get_person' THEN RETURN NULL; END IF; "
      "RETURN NEW; END $$; CREATE TRIGGER drop_reads BEFORE INSERT ON "
      "audit_entries FOR EACH ROW EXECUTE FUNCTION drop_reads()");
  EXPECT_TRUE(Write(Person(1), "area.create").ok());
  EXPECT_FALSE(Write(Person(1)).ok());
  EXPECT_FALSE(integrity_.ok());
  EXPECT_THAT(integrity_.reason(), HasSubstr("stored nothing"));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries"), 1);
  // The watch names it too.
  AuditWatch watch = Watch();
  absl::Status found = watch.CheckHiddenMachinery();
  EXPECT_THAT(found.message(),
              HasSubstr("trigger drop_reads on audit_entries"));
}

TEST_F(AuditTrustPgTest, ARuleThatSwallowsEntriesFailsTheWrite) {
  ProcessAuditWrites().Track(&integrity_);
  Sql("CREATE RULE drop_reads AS ON INSERT TO audit_entries WHERE "
      "NEW.action = 'registry.get_person' DO INSTEAD NOTHING");
  EXPECT_FALSE(Write(Person(1)).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries"), 0);
  Sql("DROP RULE drop_reads ON audit_entries; CREATE RULE drop_all AS ON "
      "INSERT TO audit_entries DO INSTEAD NOTHING");
  EXPECT_FALSE(Write(Person(1)).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries"), 0);
  AuditWatch watch = Watch();
  EXPECT_THAT(watch.CheckHiddenMachinery().message(),
              HasSubstr("rule drop_all on audit_entries"));
  EXPECT_TRUE(integrity_.tripped());
}

// Issue 25.3: with the sequencer's advisory lock taken, rows not yet
// sequenced could be deleted without a trace.
TEST_F(AuditTrustPgTest, AWrittenEntryDeletedBeforeItIsSequencedTrips) {
  ProcessAuditWrites().Track(&integrity_);
  AuditWatch watch = Watch();
  ASSERT_TRUE(Write(Person(1)).ok());
  ASSERT_TRUE(Write(Person(2)).ok());
  // A write that rolled back is no loss.
  (void)pool_->InTransaction("rolled back", [&](pqxx::work& tx) {
    AuditRecord r;
    r.action = "registry.get_person";
    r.subject = Person(3);
    PgAuditStore::Append(tx, r);
    return absl::AbortedError("changed its mind");
  });
  EXPECT_TRUE(watch.CheckQuick().ok());
  EXPECT_TRUE(integrity_.ok());
  Sql("DELETE FROM audit_entries WHERE subject = '" + Person(2) + "'");
  (void)watch.CheckQuick();  // seen missing once: a commit may be under way
  absl::Status s = watch.CheckQuick();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(integrity_.tripped());
  EXPECT_THAT(integrity_.reason(), HasSubstr("deleted from the database"));
}

// Issue 27 (found by scripts/ha-drill): a failover can lose a transaction
// whose commit kvod saw fail (the old primary had it, the new one never got
// it, and may give its id to another transaction). Its call failed and
// disclosed nothing: no alarm. One whose commit kvod saw succeed still
// trips when it goes.
TEST_F(AuditTrustPgTest, AnEntryOfACommitThatFailedMayBeLostInAFailover) {
  ProcessAuditWrites().Track(&integrity_);
  AuditWatch watch = Watch();
  {
    // Committed in the database, but kvod was told the commit failed (here
    // by hand: the pool tells so when commit() throws).
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    AuditRecord r;
    r.action = "registry.get_person";
    r.subject = Person(1);
    PgAuditStore::Append(tx, r);
    tx.commit();
    common::TellCommitOutcome(false);
  }
  ASSERT_TRUE(Write(Person(2)).ok());
  Sql("DELETE FROM audit_entries WHERE subject = '" + Person(1) + "'");
  EXPECT_TRUE(watch.CheckQuick().ok());
  EXPECT_TRUE(watch.CheckQuick().ok());
  EXPECT_TRUE(integrity_.ok()) << integrity_.reason();
  Sql("DELETE FROM audit_entries WHERE subject = '" + Person(2) + "'");
  (void)watch.CheckQuick();
  EXPECT_FALSE(watch.CheckQuick().ok());
  EXPECT_THAT(integrity_.reason(), HasSubstr("deleted from the database"));
}

TEST_F(AuditTrustPgTest, ARewrittenPendingEntryTrips) {
  ProcessAuditWrites().Track(&integrity_);
  AuditWatch watch = Watch();
  ASSERT_TRUE(Write(Person(1)).ok());
  Sql("UPDATE audit_entries SET subject = 'person:someone-else'");
  Sequence();  // quarantines it: its MAC fails
  EXPECT_FALSE(watch.CheckQuick().ok());
  EXPECT_THAT(integrity_.reason(), HasSubstr("rewritten"));
}

// Issue 24: a sequencer that cannot seal makes kvod fail closed, while it
// lasts.
TEST_F(AuditTrustPgTest, EntriesWaitingTooLongFailClosedUntilSealed) {
  ProcessAuditWrites().Track(&integrity_);
  AuditWatchOptions o;
  o.integrity = &integrity_;
  o.max_unsequenced_micros = 1000;
  AuditWatch watch(*pool_, o);
  ASSERT_TRUE(Write(Person(1)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(watch.CheckQuick().ok());
  EXPECT_FALSE(integrity_.ok());
  EXPECT_FALSE(integrity_.tripped());
  EXPECT_THAT(integrity_.Check().message(), HasSubstr("not sealed"));
  Sequence();
  EXPECT_TRUE(watch.CheckQuick().ok());
  EXPECT_TRUE(integrity_.ok());
}

// Issue 25.4: no hidden machinery on kvod's tables.
TEST_F(AuditTrustPgTest, HiddenMachineryOfEveryKindIsFound) {
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$ "
       "BEGIN RETURN NEW; END $$; CREATE TRIGGER t AFTER DELETE ON "
       "audit_subjects FOR EACH ROW EXECUTE FUNCTION nothing()",
       "trigger t on audit_subjects"},
      {"CREATE RULE r AS ON UPDATE TO audit_tree_heads DO INSTEAD NOTHING",
       "rule r on audit_tree_heads"},
      {"CREATE POLICY p ON audit_entries USING (action <> 'x')",
       "row-level policy p on audit_entries"},
      {"ALTER TABLE audit_entries ENABLE ROW LEVEL SECURITY",
       "row-level security on audit_entries"},
      {"CREATE FUNCTION ev() RETURNS event_trigger LANGUAGE plpgsql AS $$ "
       "BEGIN END $$; CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE "
       "FUNCTION ev()",
       "event trigger e"},
  };
  AuditWatch watch = Watch();
  EXPECT_TRUE(watch.CheckHiddenMachinery().ok());
  for (const auto& [sql, what] : attacks) {
    Sql(sql);
    absl::Status s = watch.CheckHiddenMachinery();
    EXPECT_THAT(s.message(), HasSubstr(what)) << sql;
  }
  EXPECT_TRUE(integrity_.tripped());
  Sql("DROP EVENT TRIGGER e");
}

// Issue 25.6: a running kvod noticed only a change in the number of
// entries.
TEST_F(AuditTrustPgTest, ARunningWatchCatchesRewritesReordersAndLostHeads) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Write(Person(i)).ok());
  ASSERT_EQ(Sequence(), 6u);
  {
    AuditWatch watch = Watch();
    EXPECT_TRUE(watch.CheckQuick().ok());
    EXPECT_TRUE(watch.VerifyAll().ok());
  }
  struct Attack {
    std::string sql;
    std::string named;
  };
  const std::vector<Attack> attacks = {
      {"UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 4",
       "entry 4 does not match"},
      {"UPDATE audit_entries SET seq = -seq WHERE seq IN (3, 5); UPDATE "
       "audit_entries SET seq = CASE seq WHEN -3 THEN 5 ELSE 3 END WHERE seq "
       "IN (-3, -5)",
       "entry 3"},
      {"DELETE FROM audit_entries WHERE seq = 2", "entry 2 is missing"},
      {"DELETE FROM audit_tree_heads", "gone in the database"},
  };
  for (const Attack& a : attacks) {
    SCOPED_TRACE(a.sql);
    AuditIntegrity integrity;
    AuditWatchOptions o;
    o.witness = witness_.get();
    o.integrity = &integrity;
    Sql("CREATE TABLE keep AS SELECT * FROM audit_entries; CREATE TABLE "
        "keep_heads AS SELECT * FROM audit_tree_heads; " +
        a.sql);
    AuditWatch watch(*pool_, o);
    absl::Status s = watch.CheckQuick();
    EXPECT_THAT(s.message(), HasSubstr(a.named));
    EXPECT_TRUE(integrity.tripped());
    Sql("DELETE FROM audit_entries; INSERT INTO audit_entries OVERRIDING "
        "SYSTEM VALUE SELECT * FROM keep; DELETE FROM audit_tree_heads; "
        "INSERT INTO audit_tree_heads SELECT * FROM keep_heads; DROP TABLE "
        "keep; DROP TABLE keep_heads");
  }
}

// The whole log on a schedule: a change older than the newest part.
TEST_F(AuditTrustPgTest, TheScheduledFullVerifyCatchesAnOldRewrite) {
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Write(Person(i)).ok());
  ASSERT_EQ(Sequence(), 8u);
  AuditWatch watch = Watch(/*recent=*/3);
  Sql("UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 1");
  EXPECT_TRUE(watch.CheckQuick().ok());  // only the newest 3
  EXPECT_FALSE(watch.VerifyAll().ok());
  EXPECT_TRUE(integrity_.tripped());
  EXPECT_THAT(integrity_.reason(), HasSubstr("re-verified"));
}

}  // namespace
}  // namespace kvo::audit
