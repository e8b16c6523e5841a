// Identity, access control and the audit log, end to end: the real kvod
// (embedded PostgreSQL, TLS) driven over gRPC with the generated stubs.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "kvo/v1/cycle.pb.h"
#include "kvo/v1/donations.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/keys.pb.h"
#include "kvo/v1/privacy.pb.h"
#include "kvo/v1/reports.pb.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace kvo::v1;

using IdentityE2E = KvodFixture;

TEST_F(IdentityE2E, EnrollLoginWhoAmILogoutAndCodesWorkOnce) {
  CreatePrincipalRequest req;
  req.set_login("bakker");
  req.set_display_name("Bakkerij de Korenaar");
  req.set_role(ROLE_SHOPKEEPER);
  req.add_area_ids(area_a_);
  CreatePrincipalResponse created;
  ASSERT_TRUE(
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created).ok());
  EXPECT_EQ(created.principal().status(), PRINCIPAL_STATUS_PENDING);
  EXPECT_EQ(Count("SELECT count(*) FROM one_time_codes WHERE code_hash::text "
                  "LIKE '%" +
                  created.enrollment_code() + "%'"),
            0)
      << "codes are stored only as hashes";

  grpc::Status pending;
  Login("bakker", kPassword, &pending);
  EXPECT_EQ(pending.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "not enrolled answers like a wrong password";

  EnrollRequest enroll;
  enroll.set_code(created.enrollment_code());
  enroll.set_password("short");
  EnrollResponse enrolled;
  grpc::Status weak = identity_->Enroll(Ctx().get(), enroll, &enrolled);
  EXPECT_EQ(weak.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(weak.error_message(), HasSubstr("password: at least 12"));
  enroll.set_password(kPassword);
  ASSERT_TRUE(identity_->Enroll(Ctx().get(), enroll, &enrolled).ok());
  EXPECT_EQ(enrolled.principal().status(), PRINCIPAL_STATUS_ACTIVE);
  grpc::Status reused = identity_->Enroll(Ctx().get(), enroll, &enrolled);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  const std::string token = Login("bakker");
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(Count("SELECT count(*) FROM sessions WHERE encode(token_hash, "
                  "'hex') = '" +
                  token + "'"),
            0)
      << "tokens are stored only as hashes";
  Principal me;
  ASSERT_TRUE(identity_->WhoAmI(Ctx(token).get(), {}, &me).ok());
  EXPECT_EQ(me.login(), "bakker");
  EXPECT_EQ(me.role(), ROLE_SHOPKEEPER);
  EXPECT_THAT(me.area_ids(), ::testing::ElementsAre(area_a_));

  LogoutResponse out;
  ASSERT_TRUE(identity_->Logout(Ctx(token).get(), {}, &out).ok());
  grpc::Status after = identity_->WhoAmI(Ctx(token).get(), {}, &me);
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  BootstrapRequest again;
  again.set_code(kvod_->bootstrap_code());
  again.set_login("second");
  again.set_display_name("Second admin");
  again.set_password(kPassword);
  BootstrapResponse booted;
  EXPECT_EQ(identity_->Bootstrap(Ctx().get(), again, &booted).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "the bootstrap code works once";
}

TEST_F(IdentityE2E, ExpiredEnrollmentCodeIsRefused) {
  CreatePrincipalRequest req;
  req.set_login("laat");
  req.set_display_name("Te Laat");
  req.set_role(ROLE_SECURITY);
  req.add_area_ids(area_a_);
  CreatePrincipalResponse created;
  ASSERT_TRUE(
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created).ok());
  Sql("UPDATE one_time_codes SET expires_at = now() - interval '1 minute' "
      "WHERE kind = 'enrollment'");
  EnrollRequest enroll;
  enroll.set_code(created.enrollment_code());
  enroll.set_password(kPassword);
  EnrollResponse enrolled;
  grpc::Status s = identity_->Enroll(Ctx().get(), enroll, &enrolled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("expired"));
  EXPECT_EQ(Count("SELECT count(*) FROM principals WHERE login = 'laat' AND "
                  "status = 'pending'"),
            1);
}

TEST_F(IdentityE2E, SuspensionEndsAnActiveSessionWithinASecond) {
  int64_t id = 0;
  const std::string token = MakeUser("wacht", ROLE_SECURITY, {area_a_}, &id);
  Principal me;
  ASSERT_TRUE(identity_->WhoAmI(Ctx(token).get(), {}, &me).ok());
  SetPrincipalStatusRequest suspend;
  suspend.set_principal_id(id);
  suspend.set_reason("contract ended");
  Principal suspended;
  ASSERT_TRUE(
      identity_->SuspendPrincipal(Ctx(admin_).get(), suspend, &suspended).ok());
  EXPECT_EQ(suspended.status(), PRINCIPAL_STATUS_SUSPENDED);
  grpc::Status s = identity_->WhoAmI(Ctx(token).get(), {}, &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "sessions are revoked in the same transaction";
  grpc::Status login;
  Login("wacht", kPassword, &login);
  EXPECT_EQ(login.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(login.error_message(), HasSubstr("suspended"));
}

TEST_F(IdentityE2E, LoginAnswersAlikeForUnknownWrongLockedAndPending) {
  int64_t id = 0;
  MakeUser("gokker", ROLE_SHOPKEEPER, {area_a_}, &id);
  grpc::Status unknown;
  Login("nobody", kPassword, &unknown);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(unknown.error_message(), HasSubstr("wrong login or password"));
  for (int i = 0; i < 5; ++i) {
    grpc::Status s;
    Login("gokker", "wrong password number " + std::to_string(i), &s);
    EXPECT_EQ(s.error_code(), unknown.error_code());
    EXPECT_EQ(s.error_message(), unknown.error_message());
  }
  // Locked: the right password gets the same answer as any other.
  grpc::Status locked;
  Login("gokker", kPassword, &locked);
  EXPECT_EQ(locked.error_code(), unknown.error_code());
  EXPECT_EQ(locked.error_message(), unknown.error_message());
  CreatePrincipalRequest req;
  req.set_login("nog.niet");
  req.set_display_name("Nog Niet");
  req.set_role(ROLE_SHOPKEEPER);
  req.add_area_ids(area_a_);
  CreatePrincipalResponse created;
  ASSERT_TRUE(
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created).ok());
  grpc::Status pending;
  Login("nog.niet", kPassword, &pending);
  EXPECT_EQ(pending.error_code(), unknown.error_code());
  EXPECT_EQ(pending.error_message(), unknown.error_message());
  // The log keeps the real reasons.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'identity.login' AND outcome = 'denied' AND purpose LIKE "
                  "'login refused: account locked until%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'identity.login' AND outcome = 'denied' AND purpose = "
                  "'login refused: unknown login'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'identity.login' AND outcome = 'denied' AND purpose = "
                  "'login refused: not enrolled yet'"),
            1);

  // When the lock ends the count starts again: one more typo does not
  // lock at once, and the right password works.
  Sql("UPDATE principals SET locked_until = now() - interval '1 minute' "
      "WHERE login = 'gokker'");
  grpc::Status typo;
  Login("gokker", "one more typo", &typo);
  EXPECT_EQ(typo.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(Login("gokker").empty())
      << "a failure after a lockout ended must not lock again at once";
  EXPECT_EQ(Count("SELECT failed_logins FROM principals WHERE login = "
                  "'gokker'"),
            0);
}

TEST_F(IdentityE2E, UnlockReactivateAndResetPasswordWithTheCli) {
  int64_t id = 0;
  MakeUser("vergeet", ROLE_SECURITY, {area_a_}, &id);
  const std::string sid = std::to_string(id);
  auto lock = [&] {
    for (int i = 0; i < 5; ++i) {
      grpc::Status s;
      Login("vergeet", "not the password " + std::to_string(i), &s);
    }
    grpc::Status s;
    Login("vergeet", kPassword, &s);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << "locked";
  };
  ASSERT_EQ(
      kvod_->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword)
          .exit_code,
      0);
  CommandResult help = kvod_->Kvo({"principal", "unlock", "--help"});
  EXPECT_THAT(help.out, HasSubstr("coordinator"));
  help = kvod_->Kvo({"principal", "reset-password", "--help"});
  EXPECT_THAT(help.out, HasSubstr("Admin"));

  lock();
  CommandResult unlocked = kvod_->Kvo(
      {"principal", "unlock", sid, "--reason", "called the helpdesk"});
  ASSERT_EQ(unlocked.exit_code, 0) << unlocked.err;
  EXPECT_FALSE(Login("vergeet").empty()) << "unlock ends the lockout";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'identity.unlock' AND subject = 'principal:" +
                  sid + "' AND purpose = 'called the helpdesk'"),
            1);

  // Reactivation lifts a lockout too (it used to report success and
  // leave the account locked).
  lock();
  ASSERT_EQ(kvod_->Kvo({"principal", "suspend", sid}).exit_code, 0);
  ASSERT_EQ(kvod_->Kvo({"principal", "reactivate", sid}).exit_code, 0);
  const std::string session = Login("vergeet");
  ASSERT_FALSE(session.empty()) << "reactivation ends the lockout";

  CommandResult reset =
      kvod_->Kvo({"principal", "reset-password", sid, "--reason", "forgot it"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  std::string code;
  for (absl::string_view line : absl::StrSplit(reset.out, '\n')) {
    if (absl::ConsumePrefix(&line, "enrollment_code:")) {
      code = std::string(absl::StripAsciiWhitespace(line));
    }
  }
  ASSERT_FALSE(code.empty()) << reset.out;
  Principal me;
  EXPECT_EQ(identity_->WhoAmI(Ctx(session).get(), {}, &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "a reset ends every session";
  grpc::Status old;
  Login("vergeet", kPassword, &old);
  EXPECT_EQ(old.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "the old password stops working";
  const std::string fresh = "a brand new passphrase 42";
  CommandResult enrolled =
      kvod_->Kvo({"enroll", code, "--password-stdin"}, fresh);
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err << enrolled.out;
  EXPECT_FALSE(Login("vergeet", fresh).empty());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'identity.reset_password' AND subject = 'principal:" +
                  sid + "'"),
            1);

  // A coordinator resets the people of their own areas only.
  int64_t other = 0;
  MakeUser("elders", ROLE_SHOPKEEPER, {area_b_}, &other);
  const std::string coordinator =
      MakeUser("coord", ROLE_COORDINATOR, {area_a_});
  ResetPasswordRequest own;
  own.set_principal_id(id);
  ResetPasswordResponse answer;
  EXPECT_TRUE(
      identity_->ResetPassword(Ctx(coordinator).get(), own, &answer).ok());
  EXPECT_FALSE(answer.enrollment_code().empty());
  ResetPasswordRequest foreign;
  foreign.set_principal_id(other);
  EXPECT_EQ(identity_->ResetPassword(Ctx(coordinator).get(), foreign, &answer)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  SetPrincipalStatusRequest unlock_foreign;
  unlock_foreign.set_principal_id(other);
  EXPECT_EQ(
      identity_->UnlockPrincipal(Ctx(coordinator).get(), unlock_foreign, &me)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// Only a few refusals per address and minute are audited one by one.
class RefusalFloodE2E : public KvodFixture {
 protected:
  RefusalFloodE2E() {
    policy_edits_ = {
        {"unauthenticated_refusals_audited_per_address_per_minute: 20",
         "unauthenticated_refusals_audited_per_address_per_minute: 5"}};
  }
};

TEST_F(RefusalFloodE2E, MalformedTokenFloodIsCountedNotLoggedOneByOne) {
  constexpr int kCalls = 300;
  const int64_t before = Count("SELECT count(*) FROM audit_entries");
  for (int i = 0; i < kCalls; ++i) {
    Principal me;
    grpc::Status s = identity_->WhoAmI(Ctx("not-a-token").get(), {}, &me);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  const int64_t logged = Count("SELECT count(*) FROM audit_entries") - before;
  // 5 one by one; a 6th only if the flood straddled the end of a window
  // (then that window's summary is written at once).
  EXPECT_GE(logged, 5);
  EXPECT_LE(logged, 12) << kCalls << " refusals must not each be logged";
  // The rest is not lost: at shutdown the guard writes the summary.
  ASSERT_EQ(kvod_->Stop(), 0);
  kvod_ = KvodProcess::Start(
      data_, {"--policy=" + (tmp_.path() / "policy.textproto").string()});
  ASSERT_NE(kvod_, nullptr);
  identity_ = IdentityService::NewStub(kvod_->Channel());
  EXPECT_EQ(Count("SELECT coalesce(sum(split_part(purpose, ' ', 1)::bigint), "
                  "0) FROM audit_entries WHERE action = "
                  "'denied.unauthenticated.summary' AND subject = ''") +
                Count("SELECT count(*) FROM audit_entries WHERE action = "
                      "'kvo.v1.IdentityService/WhoAmI' AND outcome = "
                      "'denied'"),
            kCalls)
      << "every refusal is either its own entry or counted in a summary";
}

int64_t PeakMemoryKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

TEST(BootstrapE2E, RestartRetiresTheOldCodeAndWrongCodesNeverHash) {
  ASSERT_TRUE(common::InitCrypto());
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  const std::vector<std::string> args = {"--policy=" +
                                         TestPolicy(tmp.path()).string()};
  auto first = KvodProcess::Start(data, args);
  ASSERT_NE(first, nullptr);
  const std::string old_code = first->bootstrap_code();
  ASSERT_FALSE(old_code.empty());
  ASSERT_EQ(first->Stop(), 0);
  auto kvod = KvodProcess::Start(data, args);
  ASSERT_NE(kvod, nullptr);
  ASSERT_FALSE(kvod->bootstrap_code().empty());
  EXPECT_NE(kvod->bootstrap_code(), old_code);
  auto identity = IdentityService::NewStub(kvod->Channel());

  // 64 at once with the code of the earlier start: each is refused on the
  // code alone. Were Argon2id (64 MiB) run first, the peak memory would
  // grow by up to 64 x 64 MiB.
  const int64_t peak_before = PeakMemoryKb(kvod->process().pid());
  ASSERT_GT(peak_before, 0);
  std::vector<std::future<grpc::StatusCode>> calls;
  for (int i = 0; i < 64; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      BootstrapRequest boot;
      boot.set_code(old_code);
      boot.set_login("mallory" + std::to_string(i));
      boot.set_display_name("Mallory");
      boot.set_password(kPassword);
      BootstrapResponse booted;
      return identity->Bootstrap(Ctx().get(), boot, &booted).error_code();
    }));
  }
  for (auto& call : calls) {
    EXPECT_EQ(call.get(), grpc::StatusCode::UNAUTHENTICATED)
        << "the code of an earlier start no longer works";
  }
  const int64_t grown_kb = PeakMemoryKb(kvod->process().pid()) - peak_before;
  EXPECT_LT(grown_kb, 256 * 1024)
      << "wrong codes must be refused before any password is hashed";

  BootstrapRequest boot;
  boot.set_code(kvod->bootstrap_code());
  boot.set_login("root");
  boot.set_display_name("Operator");
  boot.set_password(kPassword);
  BootstrapResponse booted;
  ASSERT_TRUE(identity->Bootstrap(Ctx().get(), boot, &booted).ok());
  LoginRequest login;
  login.set_login("root");
  login.set_password(kPassword);
  LoginResponse session;
  EXPECT_TRUE(identity->Login(Ctx().get(), login, &session).ok());
  EXPECT_EQ(kvod->Stop(), 0);
}

TEST_F(IdentityE2E, BadInputIsRefusedAuditedAndChangesNothing) {
  const int64_t principals = Count("SELECT count(*) FROM principals");
  const int64_t denied =
      Count("SELECT count(*) FROM audit_entries WHERE outcome = 'denied'");
  CreatePrincipalRequest req;
  req.set_display_name("X");
  req.set_role(ROLE_SHOPKEEPER);
  req.add_area_ids(area_a_);
  CreatePrincipalResponse created;
  for (const std::string login :
       {"", "Has Spaces", "'; DROP TABLE principals;--"}) {
    req.set_login(login);
    grpc::Status s =
        identity_->CreatePrincipal(Ctx(admin_).get(), req, &created);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << login;
    EXPECT_THAT(s.error_message(), HasSubstr("login:"));
  }
  req.set_login("valid.login");
  req.set_display_name(std::string(10 * 1024, 'x'));
  EXPECT_EQ(
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  req.set_display_name("bell \x07 in a name");
  grpc::Status control =
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created);
  EXPECT_EQ(control.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(control.error_message(), HasSubstr("display_name:"));
  // Invalid UTF-8 in a proto3 string never reaches a handler: protobuf
  // refuses to parse the request. Refused all the same, nothing created.
  req.set_display_name("bad \xff utf8");
  EXPECT_FALSE(
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created).ok());
  req.set_display_name("Valid");
  req.clear_area_ids();
  req.add_area_ids(999999);
  grpc::Status missing =
      identity_->CreatePrincipal(Ctx(admin_).get(), req, &created);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("area 999999 does not exist"));
  EXPECT_THAT(missing.error_message(), ::testing::Not(HasSubstr("SELECT")));

  Principal me;
  grpc::Status malformed = identity_->WhoAmI(Ctx("not-a-token").get(), {}, &me);
  EXPECT_EQ(malformed.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(malformed.error_message(), HasSubstr("malformed"));
  grpc::Status none = identity_->WhoAmI(Ctx().get(), {}, &me);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status unknown =
      identity_->WhoAmI(Ctx(std::string(64, 'a')).get(), {}, &me);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  EXPECT_EQ(Count("SELECT count(*) FROM principals"), principals);
  EXPECT_EQ(
      Count("SELECT count(*) FROM audit_entries WHERE outcome = 'denied'"),
      denied + 3)
      << "each unauthenticated call is audited";
}

// Every RPC x every role x (own area / other area) against the access table
// in policy/: the handlers must enforce exactly what the table says.
TEST_F(IdentityE2E, AuthorizationTableIsEnforcedForEveryRpcRoleAndArea) {
  auto policy = common::LoadPolicyFile(fs::path(KVO_SOURCE_DIR) / "policy" /
                                       "default.textproto");
  ASSERT_TRUE(policy.ok());
  std::map<std::string, AccessRule> rules;
  for (const auto& r : policy->access()) rules[r.method()] = r;

  std::map<Role, std::string> tokens;
  for (int r = Role_MIN + 1; r <= Role_MAX; ++r) {
    const Role role = static_cast<Role>(r);
    if (role == ROLE_ADMIN) continue;
    tokens[role] = MakeUser(absl::StrCat("user", r), role, {area_a_});
    ASSERT_FALSE(tokens[role].empty());
  }
  // Calls below may change state (suspend, logout): a spare admin keeps the
  // walk independent of the fixture's admin.
  tokens[ROLE_ADMIN] = MakeUser("walker", ROLE_ADMIN, {});

  grpc::GenericStub stub(kvod_->Channel());
  google::protobuf::DynamicMessageFactory factory;
  int checked = 0;
  (void)kvo::v1::KeyStatus::descriptor();
  (void)kvo::v1::SubjectRequest::descriptor();
  (void)kvo::v1::ReductionReportRequest::descriptor();
  (void)kvo::v1::Claim::descriptor();
  (void)kvo::v1::CycleStatus::descriptor();
  for (const std::string file :
       {"kvo/v1/identity.proto", "kvo/v1/audit.proto", "kvo/v1/registry.proto",
        "kvo/v1/keys.proto", "kvo/v1/privacy.proto", "kvo/v1/reports.proto",
        "kvo/v1/donations.proto", "kvo/v1/cycle.proto"}) {
    const auto* fd =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(
            file);
    ASSERT_NE(fd, nullptr);
    for (int s = 0; s < fd->service_count(); ++s) {
      for (int m = 0; m < fd->service(s)->method_count(); ++m) {
        const auto* method = fd->service(s)->method(m);
        const std::string name =
            fd->service(s)->full_name() + "/" + method->name();
        // Logout ends the session the walk is using: it is covered by the
        // lifecycle test.
        if (method->name() == "Logout") continue;
        ASSERT_TRUE(rules.contains(name)) << name << " has no access rule";
        const AccessRule& rule = rules[name];
        const auto* input = method->input_type();
        const auto* area_field = input->FindFieldByName("area_id");
        const auto* areas_field = input->FindFieldByName("area_ids");
        for (auto& [role, token] : tokens) {
          for (bool own : {true, false}) {
            if (!own && area_field == nullptr && areas_field == nullptr)
              continue;
            std::unique_ptr<google::protobuf::Message> req(
                factory.GetPrototype(input)->New());
            const int64_t area = own ? area_a_ : area_b_;
            if (area_field)
              req->GetReflection()->SetInt64(req.get(), area_field, area);
            if (areas_field)
              req->GetReflection()->AddInt64(req.get(), areas_field, area);
            grpc::Slice slice(req->SerializeAsString());
            grpc::ByteBuffer request(&slice, 1), response;
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(20));
            ctx.AddMetadata("authorization", "Bearer " + token);
            std::promise<grpc::Status> done;
            stub.UnaryCall(&ctx, "/" + name, grpc::StubOptions(), &request,
                           &response,
                           [&](grpc::Status st) { done.set_value(st); });
            const grpc::Status st = done.get_future().get();
            auto lists = [&](const auto& roles) {
              return std::find(roles.begin(), roles.end(), role) != roles.end();
            };
            const bool allowed =
                rule.public_() || lists(rule.any_area()) ||
                (own && lists(rule.own_areas())) ||
                (area_field == nullptr && areas_field == nullptr &&
                 lists(rule.own_areas()));
            EXPECT_NE(st.error_code(), grpc::StatusCode::UNAUTHENTICATED)
                << name << " as " << Role_Name(role) << ": "
                << st.error_message();
            if (allowed) {
              EXPECT_NE(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                  << name << " as " << Role_Name(role)
                  << (own ? " own" : " other")
                  << " area: " << st.error_message();
            } else {
              EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                  << name << " as " << Role_Name(role)
                  << (own ? " own" : " other") << " area";
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 80);
}

TEST_F(IdentityE2E, AuditLogVerifiesProvesAndDetectsTampering) {
  const std::string officer = MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {});
  MakeUser("agent", ROLE_POLICE, {area_a_});
  SignedTreeHead first = WaitForSignedHead(officer);
  ASSERT_GT(first.tree_size(), 5u);

  VerifyResponse ok;
  ASSERT_TRUE(audit_->Verify(Ctx(officer).get(), {}, &ok).ok());
  EXPECT_TRUE(ok.ok()) << ok.problem();
  EXPECT_GE(ok.entries_checked(), first.tree_size());

  // An inclusion proof checks out against the signed head, by the auditor's
  // own code, and the head's signature verifies.
  InclusionProofRequest incl;
  incl.set_index(2);
  incl.set_tree_size(first.tree_size());
  InclusionProof proof;
  ASSERT_TRUE(audit_->GetInclusionProof(Ctx(officer).get(), incl, &proof).ok());
  auto to_hash = [](const std::string& b) {
    audit::Hash h{};
    std::copy(b.begin(), b.end(), h.begin());
    return h;
  };
  std::vector<audit::Hash> path;
  for (const auto& p : proof.path()) path.push_back(to_hash(p));
  const audit::Hash leaf = audit::LeafHash(proof.entry());
  EXPECT_EQ(leaf, to_hash(proof.leaf_hash()));
  EXPECT_TRUE(audit::VerifyInclusion(leaf, 2, first.tree_size(), path,
                                     to_hash(first.root_hash())));
  audit::Hash forged = to_hash(first.root_hash());
  forged[0] ^= 1;
  EXPECT_FALSE(
      audit::VerifyInclusion(leaf, 2, first.tree_size(), path, forged));
  audit::TreeHead th{first.tree_size(), to_hash(first.root_hash()),
                     first.timestamp_ms()};
  EXPECT_TRUE(audit::VerifyTreeHead(th, first.signature(), first.public_key()));

  // More entries, a newer head, and a consistency proof between the two.
  MakeUser("agent2", ROLE_POLICE, {area_a_});
  SignedTreeHead second = WaitForSignedHead(officer);
  ASSERT_GT(second.tree_size(), first.tree_size());
  ConsistencyProofRequest cons;
  cons.set_first_size(first.tree_size());
  cons.set_second_size(second.tree_size());
  ConsistencyProof cproof;
  ASSERT_TRUE(
      audit_->GetConsistencyProof(Ctx(officer).get(), cons, &cproof).ok());
  std::vector<audit::Hash> cpath;
  for (const auto& p : cproof.path()) cpath.push_back(to_hash(p));
  EXPECT_TRUE(audit::VerifyConsistency(first.tree_size(), second.tree_size(),
                                       to_hash(first.root_hash()),
                                       to_hash(second.root_hash()), cpath));
  EXPECT_FALSE(audit::VerifyConsistency(first.tree_size(), second.tree_size(),
                                        forged, to_hash(second.root_hash()),
                                        cpath));

  // A shopkeeper may not look at the audit log at all.
  const std::string shop = MakeUser("winkel", ROLE_SHOPKEEPER, {area_a_});
  VerifyResponse denied;
  EXPECT_EQ(audit_->Verify(Ctx(shop).get(), {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Someone with database access edits an entry (last: the running kvod
  // fails closed on it within seconds).
  Sql("UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 3");
  VerifyResponse bad;
  ASSERT_TRUE(audit_->Verify(Ctx(officer).get(), {}, &bad).ok());
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.first_bad_index(), 3);
  EXPECT_THAT(bad.problem(), HasSubstr("entry 3"));
}

TEST(TwoKvodE2E, TwoProcessesOnOneDatabaseKeepOneConsistentLog) {
  ASSERT_TRUE(common::InitCrypto());
  TempDir tmp;
  const fs::path data_a = tmp.path() / "a";
  auto a = KvodProcess::Start(data_a);
  ASSERT_NE(a, nullptr);
  // Replicas share the database, so they must share its root key: one with
  // a key of its own refuses to start and says why.
  const std::vector<std::string> url = {
      "--database-url=" + EmbeddedConninfo(data_a),
      "--keystore-url=" + EmbeddedConninfo(data_a, "kvo_keys")};
  CommandResult stranger = RunCommand(KvodCommand(
      {"--data-dir=" + (tmp.path() / "stranger").string(), url[0], url[1]}));
  EXPECT_EQ(stranger.exit_code, 2);
  EXPECT_THAT(stranger.err, HasSubstr("another root key"));
  // Replicas share the root key, the audit log's keys (one log, one
  // signing key, one MAC key) and the seal of what grants access (a login
  // sealed by one is let in by the other).
  const fs::path data_b = tmp.path() / "b";
  ShareReplicaKeys(data_a, data_b);
  auto b = KvodProcess::Start(data_b, url);
  ASSERT_NE(b, nullptr);
  auto id_a = IdentityService::NewStub(a->Channel());
  auto id_b = IdentityService::NewStub(b->Channel());
  // The replica that started last issued the code that works.
  BootstrapRequest boot;
  boot.set_code(b->bootstrap_code());
  boot.set_login("root");
  boot.set_display_name("Operator");
  boot.set_password(kPassword);
  BootstrapResponse booted;
  ASSERT_TRUE(id_a->Bootstrap(Ctx().get(), boot, &booted).ok());
  // Logins on both replicas, concurrently: audit entries from two processes.
  std::vector<std::future<void>> logins;
  for (auto* stub : {id_a.get(), id_b.get()}) {
    logins.push_back(std::async(std::launch::async, [stub] {
      for (int i = 0; i < 5; ++i) {
        LoginRequest req;
        req.set_login("root");
        req.set_password(kPassword);
        LoginResponse resp;
        EXPECT_TRUE(stub->Login(Ctx().get(), req, &resp).ok());
      }
    }));
  }
  for (auto& f : logins) f.get();
  // A replica with the root key but audit keys of its own would have every
  // entry it writes quarantined: it refuses to start and says why.
  const fs::path data_c = tmp.path() / "c";
  fs::create_directories(data_c / "keys");
  fs::copy_file(data_a / "keys" / "root.key", data_c / "keys" / "root.key");
  CommandResult loner = RunCommand(
      KvodCommand({"--data-dir=" + data_c.string(), url[0], url[1]}));
  EXPECT_EQ(loner.exit_code, 2);
  EXPECT_THAT(loner.err, HasSubstr("must share the files signing.key and "
                                   "mac.key"));
  // One with every key but the seal would let no one in: it refuses too.
  const fs::path data_d = tmp.path() / "d";
  for (const char* dir : {"keys", "audit"}) {
    fs::create_directories(data_d / dir);
    fs::permissions(data_d / dir, fs::perms::owner_all);
  }
  fs::copy_file(data_a / "keys" / "root.key", data_d / "keys" / "root.key");
  for (const char* key : {"signing.key", "mac.key"}) {
    fs::copy_file(data_a / "audit" / key, data_d / "audit" / key);
  }
  CommandResult unsealed =
      RunCommand({KvodPath(), "--data-dir=" + data_d.string(),
                  "--listen=127.0.0.1:0", url[0], url[1]});
  EXPECT_EQ(unsealed.exit_code, 2);
  EXPECT_THAT(unsealed.err, HasSubstr("must share the file identity/seal.key"));
  EXPECT_EQ(b->Stop(), 0);

  LoginRequest req;
  req.set_login("root");
  req.set_password(kPassword);
  LoginResponse session;
  ASSERT_TRUE(id_a->Login(Ctx().get(), req, &session).ok());
  auto audit = AuditService::NewStub(a->Channel());
  VerifyResponse verified;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(audit->Verify(Ctx(session.token()).get(), {}, &verified).ok());
    if (verified.ok() && verified.entries_checked() >= 12) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_GE(verified.entries_checked(), 12u);
  EXPECT_EQ(b->Stop(), 0);
  EXPECT_EQ(a->Stop(), 0);
}

}  // namespace
}  // namespace kvo::testing
