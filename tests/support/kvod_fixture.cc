#include "tests/support/kvod_fixture.h"

#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"

namespace kvo::testing {

namespace fs = std::filesystem;
using namespace kvo::v1;

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

// A policy with a login rate limit high enough for the table walk.
fs::path TestPolicy(const fs::path& dir, const PolicyEdits& edits) {
  auto policy = common::LoadPolicyFile(fs::path(KVO_SOURCE_DIR) / "policy" /
                                       "default.textproto");
  EXPECT_TRUE(policy.ok());
  std::ifstream in(fs::path(KVO_SOURCE_DIR) / "policy" / "default.textproto");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string from = "logins_per_address_per_minute: 20";
  s.replace(s.find(from), from.size(), "logins_per_address_per_minute: 100000");
  for (const auto& [was, now] : edits) {
    const size_t at = s.find(was);
    EXPECT_NE(at, std::string::npos) << "policy has no '" << was << "'";
    if (at != std::string::npos) s.replace(at, was.size(), now);
  }
  const fs::path out = dir / "policy.textproto";
  std::ofstream(out) << s;
  return out;
}

void KvodFixture::SetUp() {
  ASSERT_TRUE(common::InitCrypto());
  data_ = tmp_.path() / "data";
  std::vector<std::string> args = {
      "--policy=" + TestPolicy(tmp_.path(), policy_edits_).string()};
  args.insert(args.end(), extra_kvod_args_.begin(), extra_kvod_args_.end());
  kvod_ = KvodProcess::Start(data_, args);
  ASSERT_NE(kvod_, nullptr);
  ASSERT_FALSE(kvod_->bootstrap_code().empty());
  identity_ = IdentityService::NewStub(kvod_->Channel());
  audit_ = AuditService::NewStub(kvod_->Channel());

  BootstrapRequest boot;
  boot.set_code(kvod_->bootstrap_code());
  boot.set_login("root");
  boot.set_display_name("Operator");
  boot.set_password(kPassword);
  BootstrapResponse booted;
  ASSERT_TRUE(identity_->Bootstrap(Ctx().get(), boot, &booted).ok());
  admin_ = Login("root");
  ASSERT_FALSE(admin_.empty());
  area_a_ = MakeArea("Binnenstad");
  area_b_ = MakeArea("Keizerslanden");
  // The areas joined the registry long ago, as areas in use have (what
  // reads an area's age sees an ordinary area).
  Sql("UPDATE areas SET created_at = now() - interval '400 days'");
}

void KvodFixture::TearDown() {
  if (kvod_ != nullptr) {
    EXPECT_EQ(kvod_->Stop(), 0);
  }
}

void KvodFixture::RestartWithClockAhead(int days) {
  const std::string address = kvod_->address();
  ASSERT_EQ(kvod_->Stop(), 0);
  kvod_ = KvodProcess::Start(
      data_,
      {"--policy=" + TestPolicy(tmp_.path(), policy_edits_).string(),
       "--listen", address, "--clock-offset-days=" + std::to_string(days)});
  ASSERT_NE(kvod_, nullptr);
}

std::string KvodFixture::Login(const std::string& login,
                               const std::string& password,
                               grpc::Status* status) {
  LoginRequest req;
  req.set_login(login);
  req.set_password(password);
  LoginResponse resp;
  grpc::Status s = identity_->Login(Ctx().get(), req, &resp);
  if (status != nullptr) *status = s;
  return s.ok() ? resp.token() : "";
}

int64_t KvodFixture::MakeArea(const std::string& name) {
  CreateAreaRequest req;
  req.set_name(name);
  req.set_kind(AREA_KIND_SHOPPING_AREA);
  req.set_municipality("Deventer");
  Area area;
  grpc::Status s = identity_->CreateArea(Ctx(admin_).get(), req, &area);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return area.id();
}

void KvodFixture::AdmitToDoor(int64_t area,
                              const std::vector<int64_t>& shopkeepers) {
  auto cycle = CycleService::NewStub(kvod_->Channel());
  auto registry = RegistryService::NewStub(kvod_->Channel());
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  RecordLicenceRequest licence;
  licence.set_area_id(area);
  licence.set_kind("ccv_bulk");
  licence.set_number("CCV-2026-0001");
  licence.set_holder("Stichting Keurmerk Veilig Ondernemen");
  licence.set_valid_from(absl::FormatCivilTime(today - 365));
  licence.set_valid_until(absl::FormatCivilTime(today + 3 * 365));
  Licence recorded;
  grpc::Status s = cycle->RecordLicence(Ctx(admin_).get(), licence, &recorded);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (int64_t member : shopkeepers) {
    CreateShopRequest create;
    create.set_area_id(area);
    create.set_name(absl::StrCat("Winkel van deelnemer ", member));
    Shop shop;
    s = registry->CreateShop(Ctx(admin_).get(), create, &shop);
    EXPECT_TRUE(s.ok()) << s.error_message();
    AddShopMemberRequest add;
    add.set_shop_id(shop.id());
    add.set_principal_id(member);
    s = registry->AddShopMember(Ctx(admin_).get(), add, &shop);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  ListShopsRequest list;
  list.set_area_id(area);
  ListShopsResponse shops;
  s = registry->ListShops(Ctx(admin_).get(), list, &shops);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const Shop& shop : shops.shops()) {
    RecordParticipantRequest participant;
    participant.set_area_id(area);
    participant.set_shop_id(shop.id());
    participant.set_agreement_signed_on(absl::FormatCivilTime(today - 30));
    participant.set_declaration_signed_on(absl::FormatCivilTime(today - 30));
    Participant out;
    s = cycle->RecordParticipant(Ctx(admin_).get(), participant, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
}

void KvodFixture::RecordLetterhead(int64_t area, bool with_account) {
  auto cycle = CycleService::NewStub(kvod_->Channel());
  SetAreaContactRequest req;
  req.set_area_id(area);
  req.set_coordinator("P. Jansen, KVO-coördinator");
  req.set_objection_address("Postbus 100, 7400 AC Deventer");
  req.set_objection_email("kvo@deventer.example");
  req.set_phone("0570 123456");
  if (with_account) {
    req.set_payee("Stichting KVO Deventer");
    req.set_iban(kKvoIban);
  }
  AreaContact out;
  grpc::Status s = cycle->SetAreaContact(Ctx(admin_).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

std::string KvodFixture::MakeUser(const std::string& login, Role role,
                                  std::vector<int64_t> areas, int64_t* id) {
  CreatePrincipalRequest req;
  req.set_login(login);
  req.set_display_name("User " + login);
  req.set_role(role);
  for (int64_t a : areas) req.add_area_ids(a);
  CreatePrincipalResponse created;
  grpc::Status s = identity_->CreatePrincipal(Ctx(admin_).get(), req, &created);
  EXPECT_TRUE(s.ok()) << s.error_message();
  if (id != nullptr) *id = created.principal().id();
  EnrollRequest enroll;
  enroll.set_code(created.enrollment_code());
  enroll.set_password(kPassword);
  EnrollResponse enrolled;
  s = identity_->Enroll(Ctx().get(), enroll, &enrolled);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return Login(login);
}

void KvodFixture::Sql(const std::string& sql) {
  pqxx::connection conn(EmbeddedConninfo(data_));
  pqxx::work tx(conn);
  tx.exec(sql);
  tx.commit();
}
int64_t KvodFixture::Count(const std::string& sql, const std::string& db) {
  pqxx::connection conn(EmbeddedConninfo(data_, db));
  pqxx::work tx(conn);
  return tx.exec1(sql)[0].as<int64_t>();
}

SignedTreeHead KvodFixture::WaitForSignedHead(const std::string& token) {
  SignedTreeHead head;
  for (int i = 0; i < 100; ++i) {
    const int64_t logged = Count("SELECT count(*) FROM audit_entries");
    head.Clear();
    if (audit_->GetTreeHead(Ctx(token).get(), {}, &head).ok() &&
        static_cast<int64_t>(head.tree_size()) >= logged) {
      return head;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the sequencer did not catch up";
  return head;
}

}  // namespace kvo::testing
