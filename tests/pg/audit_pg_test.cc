// The audit log against a real PostgreSQL: concurrent appends, the
// sequencer, tamper detection and two sequencers on one database.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <future>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_retention.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/log_verification.h"
#include "services/audit/pg_audit_store.h"
#include "services/audit/witness.h"
#include "services/common/clock.h"
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

  // As kvod verifies: both MACs of every entry (with the key main()
  // installed), and, when given, a witness's heads and one trusted key.
  VerifyReport Verify(const Witness* witness = nullptr,
                      const std::string& trusted_key = "") {
    pqxx::connection conn(conninfo());
    pqxx::transaction<pqxx::repeatable_read> tx(conn);
    StoredLogChecks checks;
    checks.trust.mac = ProcessAuditMac();
    if (!trusted_key.empty()) checks.trust.trusted_keys.push_back(trusted_key);
    if (witness != nullptr) {
      for (const WitnessedHead& w : witness->Heads()) {
        checks.trust.witnessed.push_back(w.head);
      }
    }
    return VerifyStoredLog(tx, checks);
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

TEST_F(TamperTest, RewrittenEntryAndLeafHashIsNamedByItsOwnIndex) {
  // A careful forger recomputes the leaf hash as well: the entry's MAC,
  // made with a key the database never held, names it.
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
  EXPECT_EQ(r.first_bad_index, 25);
  EXPECT_THAT(r.problem, HasSubstr("entry 25 is not what kvod sequenced"));
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

// The attacks of someone who holds the database, against a sequencer that
// records its heads in a witness file outside it. Each "restart" is a new
// AuditSequencer on the same witness, as kvod's next start would be.
class WitnessTest : public AuditPgTest {
 protected:
  void SetUp() override {
    AuditPgTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("kvo-witness-", ::getpid(), "-", ++counter_);
    std::filesystem::create_directories(dir_);
    witness_ = Open();
    auto seq = Sequencer();
    Append(20, "a");
    ASSERT_EQ(Sequence(*seq), 20u);
    Append(20, "b");
    ASSERT_EQ(Sequence(*seq), 40u);
    ASSERT_TRUE(Verify(witness_.get()).ok);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::unique_ptr<Witness> Open() {
    auto w = Witness::Open(dir_ / "witness.log");
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }
  std::unique_ptr<AuditSequencer> Sequencer(Witness* witness = nullptr,
                                            char seed = 'w') {
    SequencerOptions options;
    options.witness = witness != nullptr ? witness : witness_.get();
    options.integrity = &integrity_;
    return std::make_unique<AuditSequencer>(conninfo(), Signer(seed),
                                            std::chrono::seconds(60), options);
  }
  // A restarted sequencer: refuses, and trips the integrity switch.
  void ExpectRestartRefuses(const std::string& why) {
    auto restarted = Sequencer();
    auto r = restarted->RunOnce();
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition)
        << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(why));
    EXPECT_FALSE(integrity_.ok());
    // And signs nothing afterwards, whatever is appended.
    Append(1, "after");
    EXPECT_FALSE(restarted->RunOnce().ok());
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<Witness> witness_;
  AuditIntegrity integrity_;
};

TEST_F(WitnessTest, TruncatedLogAndItsHeadsAreNotSignedAgain) {
  // The attacker deletes the last entries and every head above them, so
  // the database alone looks like an intact log of 30 entries.
  Sql("DELETE FROM audit_entries WHERE seq >= 30;"
      "DELETE FROM audit_tree_heads WHERE tree_size > 20");
  // Entries 20 to 29 lost their head; the attacker cannot sign another.
  EXPECT_THAT(Verify().problem, HasSubstr("20 to 29 are not covered"));
  ExpectRestartRefuses("witnessed a signed tree head of 40");
  VerifyReport r = Verify(witness_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("truncated"));
}

TEST_F(WitnessTest, DroppedAndRenumberedEntryIsNamedByItsIndex) {
  // Drop entry 5, move every later entry down one, recompute their leaf
  // hashes (the forger knows the format), delete the heads above 5.
  Sql("DELETE FROM audit_entries WHERE seq = 5;"
      // In two steps: the unique index checks each row as it moves.
      "UPDATE audit_entries SET seq = -seq WHERE seq > 5;"
      "UPDATE audit_entries SET seq = -seq - 1 WHERE seq < 0;"
      "DELETE FROM audit_tree_heads WHERE tree_size > 5");
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    PgAuditStore::ForEachSequenced(tx, [&](const StoredEntry& e) {
      if (e.entry.index >= 5) {
        const Hash leaf = LeafHash(CanonicalBytes(e.entry));
        tx.exec_params0(
            "UPDATE audit_entries SET leaf_hash = decode($1, 'hex') "
            "WHERE seq = $2",
            common::HexEncode(absl::string_view(
                reinterpret_cast<const char*>(leaf.data()), leaf.size())),
            e.entry.index);
      }
      return true;
    });
    tx.commit();
  }
  VerifyReport r = Verify(witness_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 5);
  EXPECT_THAT(r.problem, HasSubstr("entry 5 is not what kvod sequenced"));
  ExpectRestartRefuses("witnessed");
}

TEST_F(WitnessTest, DeletingEveryHeadFailsVerify) {
  Sql("DELETE FROM audit_tree_heads");
  VerifyReport r = Verify(witness_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("not covered by any signed tree head"));
  // The leaves still reproduce what kvod witnessed: it signs them again.
  auto restarted = Sequencer();
  EXPECT_TRUE(restarted->RunOnce().ok());
  EXPECT_TRUE(integrity_.ok());
  EXPECT_TRUE(Verify(witness_.get()).ok);
}

TEST_F(WitnessTest, EntryWrittenOutsideKvodIsQuarantinedNotSigned) {
  Sql("INSERT INTO audit_entries (principal_id, role, action, subject, "
      "purpose, outcome) VALUES (7, 'police', 'registry.read_person', "
      "'person:42', 'door check', 'ok')");
  auto seq = Sequencer();
  auto size = seq->RunOnce();
  ASSERT_TRUE(size.ok()) << size.status();
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_entries WHERE subject = "
                     "'person:42' AND seq IS NULL AND quarantined_at IS NOT "
                     "NULL")[0]
                .as<int>(),
            1);
  // The alarm is itself on record, signed.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_entries WHERE action = "
                     "'audit.quarantine' AND seq IS NOT NULL")[0]
                .as<int>(),
            1);
  tx.commit();
  VerifyReport r = Verify(witness_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("written into the audit log outside kvod"));
}

TEST_F(WitnessTest, HeadsSignedWithAKeyAddedToTheTableAreRefused) {
  // The attacker registers their own key and re-signs the latest head.
  TreeHeadSigner rogue = Signer('r');
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    auto head = PgAuditStore::TreeHead(tx, 40);
    ASSERT_TRUE(head.has_value());
    TreeHead th{head->tree_size, {}, head->timestamp_ms};
    std::memcpy(th.root.data(), head->root_hash.data(), th.root.size());
    const int32_t key = PgAuditStore::RegisterKey(tx, rogue.public_key());
    tx.exec_params0(
        "UPDATE audit_tree_heads SET key_id = $1, signature = decode($2, "
        "'hex') WHERE tree_size = 40",
        key, common::HexEncode(rogue.Sign(th)));
    tx.commit();
  }
  EXPECT_TRUE(Verify().ok) << "trusting the key table, it passes";
  VerifyReport r = Verify(witness_.get(), Signer('w').public_key());
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("signed by a key kvod does not hold"));
}

TEST_F(WitnessTest, AFollowerWitnessesTheLeadersHeadsAndCatchesATruncation) {
  auto leader = Sequencer();  // the same key, as replicas share it
  ASSERT_EQ(Sequence(*leader), 40u);
  std::filesystem::create_directories(dir_ / "follower");
  auto fw = Witness::Open(dir_ / "follower" / "witness.log");
  ASSERT_TRUE(fw.ok());
  AuditIntegrity follower_integrity;
  SequencerOptions options;
  options.witness = fw->get();
  options.integrity = &follower_integrity;
  AuditSequencer follower(conninfo(), Signer('w'), std::chrono::seconds(60),
                          options);
  auto r = follower.RunOnce();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->has_value()) << "the leader holds the lock";
  Append(5, "c");
  ASSERT_EQ(Sequence(*leader), 45u);
  ASSERT_TRUE(follower.RunOnce().ok());
  ASSERT_TRUE((*fw)->Latest().has_value());
  EXPECT_EQ((*fw)->Latest()->head.tree_size, 45u);
  Sql("DELETE FROM audit_entries WHERE seq >= 43;"
      "DELETE FROM audit_tree_heads WHERE tree_size > 40");
  EXPECT_EQ(follower.RunOnce().status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(follower_integrity.ok());
}

TEST_F(WitnessTest, AHeadRecordedButNeverCommittedIsVoidedNotAlarmed) {
  // kvod stopped between fsyncing a head and committing it.
  StoredTreeHead ghost{41, std::string(32, 'g'), 1, std::string(64, 's'),
                       Signer('w').public_key()};
  ASSERT_TRUE(witness_->Record(ghost, /*committed=*/false).ok());
  witness_.reset();
  witness_ = Open();  // as the next start reads it
  Append(3, "d");
  auto seq = Sequencer();
  EXPECT_EQ(Sequence(*seq), 43u);
  EXPECT_TRUE(integrity_.ok());
  EXPECT_TRUE(Verify(witness_.get()).ok);
}

// Audit retention: old entries lose their content, the tree keeps their
// leaves, and verify tells retention from someone emptying a fresh entry.
TEST_F(WitnessTest, RetentionEmptiesOldEntriesAndTheLogStillVerifies) {
  common::OffsetClock clock;
  AuditContentRetention rule(/*retention_days=*/1826);
  auto run = [&](bool apply) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    common::RetentionItem item =
        apply ? rule.Apply(tx, clock.Now()) : rule.Due(tx, clock.Now());
    tx.commit();
    return item;
  };
  EXPECT_EQ(run(true).count, 0u) << "nothing is five years old yet";
  const common::RetentionItem before = run(false);
  ASSERT_TRUE(before.next_due.has_value());
  EXPECT_GT(*before.next_due, clock.Now() + absl::Hours(24 * 1825));
  clock.Advance(absl::Hours(24 * 1827));
  EXPECT_EQ(run(false).count, 40u);
  const common::RetentionItem done = run(true);
  EXPECT_EQ(done.count, 40u);
  EXPECT_FALSE(done.next_due.has_value());
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_entries WHERE subject <> "
                       "'' OR purpose <> '' OR principal_id IS NOT NULL")[0]
                  .as<int>(),
              0);
  }
  auto verify_at = [&](absl::Time now) {
    pqxx::connection conn(conninfo());
    pqxx::transaction<pqxx::repeatable_read> tx(conn);
    StoredLogChecks checks;
    checks.trust.mac = ProcessAuditMac();
    for (const WitnessedHead& w : witness_->Heads()) {
      checks.trust.witnessed.push_back(w.head);
    }
    checks.trust.erasable_before_micros =
        absl::ToUnixMicros(now - absl::Hours(24 * 1826));
    return VerifyStoredLog(tx, checks);
  };
  VerifyReport r = verify_at(clock.Now());
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 40u);
  // The same log, judged today: those entries were emptied too early.
  VerifyReport early = verify_at(absl::Now());
  EXPECT_FALSE(early.ok);
  EXPECT_EQ(early.first_bad_index, 0);
  EXPECT_THAT(early.problem, HasSubstr("before its retention period ended"));
  // New entries are sequenced on top of the emptied ones.
  Append(2, "late");
  auto seq = Sequencer();
  EXPECT_EQ(Sequence(*seq), 42u);
}

TEST_F(WitnessTest, AnAttackerCannotPassOffARecentEntryAsRetained) {
  // Empty entry 30 and back-date it: its sequence MAC covers its time.
  Sql("UPDATE audit_entries SET principal_id = NULL, role = '', action = '', "
      "subject = '', purpose = '', request_id = '', content_erased_at = now(), "
      "at = at - interval '6 years' WHERE seq = 30");
  pqxx::connection conn(conninfo());
  pqxx::transaction<pqxx::repeatable_read> tx(conn);
  StoredLogChecks checks;
  checks.trust.mac = ProcessAuditMac();
  checks.trust.erasable_before_micros =
      absl::ToUnixMicros(absl::Now() - absl::Hours(24 * 1826));
  VerifyReport r = VerifyStoredLog(tx, checks);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 30);
  EXPECT_THAT(r.problem, HasSubstr("entry 30 is not what kvod sequenced"));
}

TEST_F(AuditPgTest, MissingLeavesAreDataLossNotACrash) {
  Append(10);
  AuditSequencer seq(conninfo(), Signer('m'), std::chrono::seconds(60));
  ASSERT_EQ(Sequence(seq), 10u);
  Sql("DELETE FROM audit_entries WHERE seq = 4");
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  auto leaves = PgAuditStore::LeafHashes(tx, 10);
  EXPECT_EQ(leaves.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(leaves.status().message(), HasSubstr("audit entry 4 is missing"));
}

}  // namespace
}  // namespace kvo::audit
