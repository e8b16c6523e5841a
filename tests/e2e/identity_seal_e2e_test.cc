// Whoever holds only kvod's database (a superuser on its PostgreSQL, not the
// data dir and its keys) tries to let themselves in by SQL: mint a session,
// repoint or extend one, raise a role, add an area, lift a suspension, add a
// shop membership, forge a licence or a declaration, swap two logins. Each
// is refused (or not used) by the real kvod, with an integrity alarm in its
// log and the audit log.
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "tests/support/kvod_fixture.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace kvo::v1;

// A token check is cached for 1 s (kvod's kTokenCacheTtl): past it, the
// next call reads the rows again.
void PastTokenCache() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
}

class IdentitySealE2E : public KvodFixture {
 protected:
  void SetUp() override {
    KvodFixture::SetUp();
    gallery_ = GalleryService::NewStub(kvod_->Channel());
    cycle_ = CycleService::NewStub(kvod_->Channel());
  }

  grpc::Status WhoAmI(const std::string& token, Principal* me = nullptr) {
    Principal out;
    return identity_->WhoAmI(Ctx(token).get(), {}, me ? me : &out);
  }

  // Integrity alarms naming `subject` in the audit log.
  int64_t Alarms(const std::string& subject) {
    return Count(
        "SELECT count(*) FROM audit_entries WHERE action = 'integrity.alarm' "
        "AND subject = '" +
        subject + "'");
  }

  void ExpectAlarmLogged() {
    EXPECT_THAT(kvod_->process().Stderr(),
                HasSubstr("\"alarm\":\"integrity\""));
  }

  grpc::Status Sync(const std::string& token) {
    SyncGalleryRequest req;
    auto ctx = Ctx(token);
    auto reader = gallery_->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    while (reader->Read(&u)) {
    }
    return reader->Finish();
  }

  int64_t ShopOf(int64_t principal) {
    return Count(absl::StrCat(
        "SELECT shop_id FROM shop_members WHERE principal_id = ", principal));
  }

  static std::string Day(int days_from_today) {
    return absl::FormatCivilTime(
        absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days_from_today);
  }

  std::unique_ptr<GalleryService::Stub> gallery_;
  std::unique_ptr<CycleService::Stub> cycle_;
};

TEST_F(IdentitySealE2E, AMintedSessionIsRefusedWithAnAlarm) {
  int64_t police = 0;
  MakeUser("agent1", ROLE_POLICE, {area_a_}, &police);
  const std::string token(64, 'c');
  // The attack of issue 25: the unkeyed hash of a token the attacker chose.
  Sql(absl::StrCat(
      "INSERT INTO sessions (token_hash, principal_id, expires_at) VALUES "
      "(sha256(convert_to('",
      token, "', 'UTF8')), ", police, ", now() + interval '1 hour')"));
  grpc::Status s = WhoAmI(token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();

  EXPECT_GE(Alarms(absl::StrCat("principal:", police)), 1);
  ExpectAlarmLogged();
  const std::string admin_token(64, 'd');
  Sql(absl::StrCat(
      "INSERT INTO sessions (token_hash, principal_id, expires_at) VALUES "
      "(sha256(convert_to('",
      admin_token,
      "', 'UTF8')), (SELECT id FROM principals WHERE role = 'admin'), now() + "
      "interval '1 hour')"));
  EXPECT_EQ(WhoAmI(admin_token).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IdentitySealE2E, ARepointedOrExtendedSessionIsRefusedWithAnAlarm) {
  int64_t shop = 0;
  const std::string token =
      MakeUser("shop1", ROLE_SHOPKEEPER, {area_a_}, &shop);
  ASSERT_TRUE(WhoAmI(token).ok());
  // Repointed to the admin: the shopkeeper's token would be the admin's.
  Sql(absl::StrCat(
      "UPDATE sessions SET principal_id = (SELECT id FROM principals WHERE "
      "role = 'admin') WHERE principal_id = ",
      shop));
  PastTokenCache();
  Principal me;
  grpc::Status s = WhoAmI(token, &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "answered as " << me.login();
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'integrity.alarm' AND purpose LIKE 'session row%'"),
            1);
  ExpectAlarmLogged();

  // A real session kept alive past its end.
  const std::string other = Login("shop1");
  Sql(absl::StrCat(
      "UPDATE sessions SET expires_at = expires_at + interval '1 year' "
      "WHERE principal_id = ",
      shop, " AND revoked_at IS NULL"));
  EXPECT_EQ(WhoAmI(other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IdentitySealE2E, ARaisedRoleIsRefusedWithAnAlarm) {
  int64_t shop = 0;
  const std::string token =
      MakeUser("shop1", ROLE_SHOPKEEPER, {area_a_}, &shop);
  ASSERT_TRUE(WhoAmI(token).ok());
  Sql("UPDATE principals SET role = 'privacy_officer' WHERE login = 'shop1'");
  PastTokenCache();
  Principal me;
  grpc::Status s = WhoAmI(token, &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "answered as role " << me.role();
  grpc::Status login;
  Login("shop1", kPassword, &login);
  EXPECT_EQ(login.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_GE(Alarms(absl::StrCat("principal:", shop)), 2);
  ExpectAlarmLogged();
}

TEST_F(IdentitySealE2E, AnAddedAreaIsRefusedWithAnAlarm) {
  int64_t police = 0;
  const std::string token = MakeUser("agent1", ROLE_POLICE, {area_a_}, &police);
  Sql(
      absl::StrCat("INSERT INTO principal_areas (principal_id, area_id) "
                   "VALUES (",
                   police, ", ", area_b_, ")"));
  PastTokenCache();
  Principal me;
  grpc::Status s = WhoAmI(token, &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "answered with " << me.area_ids_size() << " areas";
  EXPECT_GE(Alarms(absl::StrCat("principal:", police)), 1);
}

TEST_F(IdentitySealE2E, ASuspensionLiftedBySqlStays) {
  int64_t shop = 0;
  MakeUser("shop1", ROLE_SHOPKEEPER, {area_a_}, &shop);
  SetPrincipalStatusRequest suspend;
  suspend.set_principal_id(shop);
  suspend.set_reason("test");
  Principal out;
  ASSERT_TRUE(
      identity_->SuspendPrincipal(Ctx(admin_).get(), suspend, &out).ok());
  Sql("UPDATE principals SET status = 'active' WHERE login = 'shop1'");
  grpc::Status login;
  Login("shop1", kPassword, &login);
  EXPECT_EQ(login.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << login.error_message();
  EXPECT_GE(Alarms(absl::StrCat("principal:", shop)), 1);

  // Reactivating through kvod refuses to seal over the forged row.
  grpc::Status again =
      identity_->ReactivatePrincipal(Ctx(admin_).get(), suspend, &out);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::DATA_LOSS)
      << again.error_message();
}

TEST_F(IdentitySealE2E, AShopMembershipAddedBySqlOpensNoDoor) {
  int64_t member = 0, outsider = 0;
  const std::string member_token =
      MakeUser("shop1", ROLE_SHOPKEEPER, {area_a_}, &member);
  const std::string outsider_token =
      MakeUser("shop2", ROLE_SHOPKEEPER, {area_a_}, &outsider);
  AdmitToDoor(area_a_, {member});
  ASSERT_TRUE(Sync(member_token).ok());
  Sql(absl::StrCat("INSERT INTO shop_members (shop_id, principal_id) VALUES (",
                   ShopOf(member), ", ", outsider, ")"));
  grpc::Status s = Sync(outsider_token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_GE(Alarms(absl::StrCat("principal:", outsider)), 1);
  ExpectAlarmLogged();
}

TEST_F(IdentitySealE2E, AForgedLicenceOpensNoDoor) {
  int64_t shop = 0;
  const std::string token =
      MakeUser("shop1", ROLE_SHOPKEEPER, {area_b_}, &shop);
  AdmitToDoor(area_b_, {shop});
  ASSERT_TRUE(Sync(token).ok());
  // The area's licence gone, one written by SQL in its place (the cache of
  // what opens the door lives 5 s).
  Sql(absl::StrCat("DELETE FROM licences WHERE area_id = ", area_b_));
  Sql(absl::StrCat(
      "INSERT INTO licences (area_id, kind, number, holder, valid_from, "
      "valid_until) VALUES (",
      area_b_, ", 'ccv_bulk', 'CCV-FORGED', 'Nobody', '", Day(-10), "', '",
      Day(300), "')"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5200));
  grpc::Status s = Sync(token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_GE(Alarms(absl::StrCat("area:", area_b_)), 1);
}

TEST_F(IdentitySealE2E, ADeclarationForgedBySqlOpensNoDoor) {
  int64_t shop = 0;
  const std::string token =
      MakeUser("shop1", ROLE_SHOPKEEPER, {area_b_}, &shop);
  AdmitToDoor(area_b_, {shop});
  const int64_t shop_id = ShopOf(shop);
  // The shop takes its declaration back, through kvod.
  RecordParticipantRequest undeclared;
  undeclared.set_area_id(area_b_);
  undeclared.set_shop_id(shop_id);
  undeclared.set_agreement_signed_on(Day(-30));
  Participant out;
  ASSERT_TRUE(
      cycle_->RecordParticipant(Ctx(admin_).get(), undeclared, &out).ok());
  EXPECT_EQ(Sync(token).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Sql(absl::StrCat("UPDATE participants SET declaration_signed_on = '",
                   Day(-30), "' WHERE shop_id = ", shop_id));
  std::this_thread::sleep_for(std::chrono::milliseconds(5200));
  grpc::Status s = Sync(token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_GE(Alarms(absl::StrCat("shop:", shop_id)), 1);
}

TEST_F(IdentitySealE2E, SwappedLoginsShowNoForgedNameInTheLog) {
  int64_t one = 0, two = 0;
  MakeUser("agent1", ROLE_POLICE, {area_a_}, &one);
  MakeUser("agent2", ROLE_POLICE, {area_a_}, &two);
  const std::string officer =
      MakeUser("officer1", ROLE_PRIVACY_OFFICER, {}, nullptr);
  WaitForSignedHead(officer);
  Sql("UPDATE principals SET login = 'swap-tmp' WHERE login = 'agent1'; "
      "UPDATE principals SET login = 'agent1' WHERE login = 'agent2'; "
      "UPDATE principals SET login = 'agent2' WHERE login = 'swap-tmp'");

  QueryLogRequest q;
  q.set_principal(std::to_string(one));
  q.set_action("identity.login");
  q.set_purpose("test: who logged in");
  QueryLogResponse log;
  grpc::Status s = audit_->QueryLog(Ctx(officer).get(), q, &log);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(log.rows_size(), 1);
  for (const LogRow& row : log.rows()) {
    EXPECT_THAT(row.login(), Not(HasSubstr("agent"))) << "a forged name";
    EXPECT_THAT(row.login(), HasSubstr("integrity alarm"));
  }
  // Asking by the swapped login finds no one under a forged name either.
  q.set_principal("agent2");
  s = audit_->QueryLog(Ctx(officer).get(), q, &log);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS) << s.error_message();
  EXPECT_GE(Alarms(absl::StrCat("principal:", one)), 1);
  q.set_principal("agent1");
  EXPECT_EQ(audit_->QueryLog(Ctx(officer).get(), q, &log).error_code(),
            grpc::StatusCode::DATA_LOSS);
  EXPECT_GE(Alarms(absl::StrCat("principal:", two)), 1);
}

}  // namespace
}  // namespace kvo::testing
