#ifndef KVO_TESTS_SUPPORT_REGISTRY_FIXTURE_H_
#define KVO_TESTS_SUPPORT_REGISTRY_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "tests/support/kvod_fixture.h"

namespace kvo::testing {

using namespace kvo::v1;

// A real kvod with the people of a registry: in area A a coordinator, police,
// two shopkeepers with their shops (bakery, butcher) and security; police in
// area B; helpers to register persons, record incidents and issue cards.
inline google::protobuf::Timestamp SecondsFromNow(int seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Seconds(seconds)));
  return ts;
}
inline constexpr int kHour = 3600;
// An offence must happen while a card is in force to count against it:
// "later" incidents are dated just after the cards issued before them
// (kvod allows a few minutes of clock skew).
inline constexpr int kLater = 3;

class RegistryFixture : public KvodFixture {
 protected:
  void SetUp() override {
    KvodFixture::SetUp();
    if (HasFatalFailure()) return;
    registry_ = RegistryService::NewStub(kvod_->Channel());
    coordinator_ = MakeUser("coord", ROLE_COORDINATOR, {area_a_});
    police_ = MakeUser("agent", ROLE_POLICE, {area_a_});
    police_b_ = MakeUser("agent.b", ROLE_POLICE, {area_b_});
    int64_t shopkeeper_id = 0, other_shopkeeper_id = 0;
    shopkeeper_ =
        MakeUser("bakker", ROLE_SHOPKEEPER, {area_a_}, &shopkeeper_id);
    other_shopkeeper_ =
        MakeUser("slager", ROLE_SHOPKEEPER, {area_a_}, &other_shopkeeper_id);
    security_ = MakeUser("beveiliger", ROLE_SECURITY, {area_a_});
    bakery_ = MakeShop(area_a_, "Bakkerij de Korenaar", shopkeeper_id);
    butcher_ = MakeShop(area_a_, "Slagerij Vos", other_shopkeeper_id);
    MakeShop(area_a_, "Boekhandel Praamstra", 0);
  }

  int64_t MakeShop(int64_t area, const std::string& name, int64_t member) {
    CreateShopRequest req;
    req.set_area_id(area);
    req.set_name(name);
    Shop shop;
    grpc::Status s = registry_->CreateShop(Ctx(coordinator_).get(), req, &shop);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (member != 0) {
      AddShopMemberRequest add;
      add.set_shop_id(shop.id());
      add.set_principal_id(member);
      s = registry_->AddShopMember(Ctx(coordinator_).get(), add, &shop);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return shop.id();
  }

  CreatePersonRequest PersonRequest(const std::string& surname,
                                    const std::string& dob = "1990-04-01") {
    CreatePersonRequest req;
    req.set_area_id(area_a_);
    req.set_given_names("Jan Willem");
    req.set_surname_prefix("van der");
    req.set_surname(surname);
    req.set_address("Kerkstraat 12");
    req.set_residence("Deventer");
    req.set_date_of_birth(dob);
    req.set_place_of_birth("Zwolle");
    req.set_description("lang, rood jack, litteken boven linkeroog");
    return req;
  }

  Person MakePerson(const std::string& surname,
                    const std::string& dob = "1990-04-01") {
    Person p;
    grpc::Status s = registry_->CreatePerson(Ctx(police_).get(),
                                             PersonRequest(surname, dob), &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return p;
  }

  int64_t Incident(int64_t person, const std::string& type = "theft",
                   int seconds_from_now = -kHour, int64_t shop = 0) {
    RecordIncidentRequest req;
    req.set_shop_id(shop != 0 ? shop : bakery_);
    req.set_person_id(person);
    *req.mutable_occurred_at() = SecondsFromNow(seconds_from_now);
    req.set_offence_type(type);
    req.set_description("nam twee flessen wijn mee zonder te betalen");
    req.set_damage_cents(2599);
    req.set_police_report_number("PL0600-2026123456");
    kvo::v1::Incident out;
    grpc::Status s = registry_->RecordIncident(Ctx(police_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  grpc::Status Issue(int64_t incident, Card* card, int32_t days = 0,
                     const std::string& token = "",
                     CardScope scope = CARD_SCOPE_COLLECTIVE) {
    IssueCardRequest req;
    req.set_incident_id(incident);
    req.set_scope(scope);
    req.set_requested_days(days);
    return registry_->IssueCard(Ctx(token.empty() ? police_ : token).get(), req,
                                card);
  }

  std::unique_ptr<RegistryService::Stub> registry_;
  std::string coordinator_, police_, police_b_, shopkeeper_, other_shopkeeper_,
      security_;
  int64_t bakery_ = 0, butcher_ = 0;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_REGISTRY_FIXTURE_H_
