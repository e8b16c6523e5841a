// Issue 25 (and 24's sealing): an attacker with superuser rights on kvod's
// PostgreSQL and nothing else, against the real running kvod. Sql() plays
// the attacker; nothing is restarted: the running kvod must notice.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/kvod_process.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using namespace kvo::v1;

// The sequencer's advisory lock key ("kvo-seq"), as pg_locks shows it.
constexpr int64_t kSequencerLock = 0x6b766f2d736571;

class AuditTrustE2E : public KvodFixture {
 protected:
  AuditTrustE2E() {
    policy_edits_ = {
        {"max_unsequenced_seconds: 60", "max_unsequenced_seconds: 5"}};
  }

  // A change kvod audits (and refuses while it fails closed).
  grpc::Status Change(const std::string& name) {
    CreateAreaRequest req;
    req.set_name(name);
    req.set_kind(AREA_KIND_SHOPPING_AREA);
    req.set_municipality("Deventer");
    Area area;
    return identity_->CreateArea(Ctx(admin_).get(), req, &area);
  }
  bool Serving() {
    CommandResult health = kvod_->Kvo({"--json", "health"});
    return health.exit_code == 0 &&
           health.out.find("\"status\":\"SERVING\"") != std::string::npos;
  }
  // Polls `done` for up to `seconds`.
  static bool Within(int seconds, const std::function<bool()>& done) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return done();
  }
  // kvod fails closed: health NOT_SERVING, a change refused as UNAVAILABLE
  // naming `why`, the alarm in its log.
  void ExpectFailsClosed(const std::string& why, const std::string& alarm) {
    grpc::Status refused;
    EXPECT_TRUE(
        Within(30,
               [&] {
                 refused = Change(absl::StrCat("Wijk ", ++areas_));
                 return refused.error_code() == grpc::StatusCode::UNAVAILABLE &&
                        refused.error_message().find(why) != std::string::npos;
               }))
        << refused.error_message() << "\n"
        << kvod_->process().Stderr();
    EXPECT_FALSE(Serving());
    EXPECT_THAT(kvod_->process().Stderr(),
                HasSubstr(absl::StrCat("\"alarm\":\"", alarm, "\"")));
  }
  // The attacker's own connection: ends kvod's sequencer session and takes
  // its advisory lock, so no kvod sequences while it holds it.
  std::unique_ptr<pqxx::connection> TakeSequencerLock() {
    auto conn = std::make_unique<pqxx::connection>(EmbeddedConninfo(data_));
    pqxx::nontransaction tx(*conn);
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
        "'advisory' AND granted AND classid = $1 AND objid = $2",
        static_cast<int64_t>(kSequencerLock >> 32),
        static_cast<int64_t>(kSequencerLock & 0xffffffff));
    tx.exec_params("SELECT pg_advisory_lock($1)", kSequencerLock);
    return conn;
  }
  int areas_ = 0;
  int64_t Unsequenced() {
    return Count(
        "SELECT count(*) FROM audit_entries WHERE seq IS NULL AND "
        "quarantined_at IS NULL");
  }
};

// 25.3: a trigger returning NULL dropped chosen entries unnoticed.
TEST_F(AuditTrustE2E, ATriggerThatDropsEntriesFailsTheCallAndKvodFailsClosed) {
  WaitForSignedHead(admin_);
  Sql("CREATE FUNCTION drop_changes() RETURNS trigger LANGUAGE plpgsql AS $$ "
      "BEGIN IF NEW.action LIKE 'identity.%' THEN RETURN NULL; END IF; "
      "RETURN NEW; END $$; CREATE TRIGGER drop_changes BEFORE INSERT ON "
      "audit_entries FOR EACH ROW EXECUTE FUNCTION drop_changes()");
  const int64_t before = Count("SELECT count(*) FROM areas");
  grpc::Status s = Change("Colmschate");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count("SELECT count(*) FROM areas"), before);
  ExpectFailsClosed("audit integrity failure", "audit_integrity");
}

// 25.4: "no hidden machinery": a rule appearing while kvod runs.
TEST_F(AuditTrustE2E, ARuleOnItsTablesMakesARunningKvodFailClosed) {
  ASSERT_TRUE(Serving());
  Sql("CREATE RULE keep_heads AS ON DELETE TO audit_tree_heads DO INSTEAD "
      "NOTHING");
  ExpectFailsClosed("rule keep_heads on audit_tree_heads", "audit_integrity");
}

// 25.6: an in-place rewrite was caught only at kvod's next start.
TEST_F(AuditTrustE2E, AnInPlaceRewriteMakesARunningKvodFailClosed) {
  WaitForSignedHead(admin_);
  Sql("UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 2");
  ExpectFailsClosed("entry 2", "audit_integrity");
}

// 25.6: deleting every signed head was never flagged.
TEST_F(AuditTrustE2E, DeletingEverySignedHeadMakesARunningKvodFailClosed) {
  WaitForSignedHead(admin_);
  Sql("DELETE FROM audit_tree_heads");
  ExpectFailsClosed("signed heads were removed", "audit_integrity");
}

// 25.3: with the sequencer's lock taken, rows not yet sequenced could be
// deleted without a trace.
TEST_F(AuditTrustE2E, EntriesDeletedBeforeTheyAreSequencedAreNoticed) {
  WaitForSignedHead(admin_);
  auto attacker = TakeSequencerLock();
  ASSERT_TRUE(Change("Colmschate").ok());
  ASSERT_GT(Unsequenced(), 0);
  Sql("DELETE FROM audit_entries WHERE seq IS NULL");
  ExpectFailsClosed("deleted from the database", "audit_integrity");
}

// 24.3: a sequencer that cannot seal made no difference to kvod: health
// SERVING, writes acknowledged. Now it fails closed while it lasts.
TEST_F(AuditTrustE2E, ASequencerThatCannotSealMakesKvodFailClosedWhileItLasts) {
  WaitForSignedHead(admin_);
  auto attacker = TakeSequencerLock();
  ASSERT_TRUE(Change("Colmschate").ok());
  ExpectFailsClosed("not sealed", "audit_sealing");
  attacker.reset();  // the lock goes: kvod's sequencer takes over again
  EXPECT_TRUE(Within(30, [&] { return Serving(); }))
      << kvod_->process().Stderr();
  EXPECT_TRUE(Change("Diepenveen").ok());
}

// 25.4: 30 copies of a real row (with its MAC) were sequenced and signed.
TEST_F(AuditTrustE2E, CopiesOfAGenuineRowAreRefusedAndFlagged) {
  WaitForSignedHead(admin_);
  constexpr char kColumns[] =
      "at, principal_id, role, action, subject, purpose, outcome, "
      "request_id, entry_mac, area_id, peer, writer_id, write_no";
  for (int i = 0; i < 30; ++i) {
    Sql(absl::StrCat("INSERT INTO audit_entries (", kColumns, ") SELECT ",
                     kColumns, " FROM audit_entries WHERE seq = 3"));
  }
  EXPECT_TRUE(Within(20, [&] { return Unsequenced() == 0; }));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE quarantined_at "
                  "IS NOT NULL"),
            30);
  EXPECT_THAT(kvod_->process().Stderr(),
              HasSubstr("\"alarm\":\"audit_copied_entry\""));
  VerifyResponse verify;
  ASSERT_TRUE(audit_->Verify(Ctx(admin_).get(), {}, &verify).ok());
  EXPECT_FALSE(verify.ok());
  EXPECT_THAT(verify.problem(), HasSubstr("copy an entry already in the log"));
}

// 25.5: emptying the subject index hid reads from `kvo audit log
// --subject` while verify stayed ok.
TEST_F(AuditTrustE2E, AnEmptiedSubjectIndexFailsVerify) {
  WaitForSignedHead(admin_);
  ASSERT_GT(Count("SELECT count(*) FROM audit_subjects"), 0);
  Sql("DELETE FROM audit_subjects");
  VerifyResponse verify;
  ASSERT_TRUE(audit_->Verify(Ctx(admin_).get(), {}, &verify).ok());
  EXPECT_FALSE(verify.ok());
  EXPECT_THAT(verify.problem(), HasSubstr("subject index"));
}

}  // namespace
}  // namespace kvo::testing
