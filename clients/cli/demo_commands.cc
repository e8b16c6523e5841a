#include "clients/cli/demo_commands.h"

#include <sodium.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/demo_photo.h"
#include "clients/cli/demo_plan.h"
#include "clients/cli/gallery_commands.h"
#include "clients/cli/output.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/donations.grpc.pb.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"

namespace kvo::cli {
namespace {

using namespace kvo::v1;

struct Args {
  std::string name = "Binnenstad (demo)";
  std::string municipality = "Demostad";
  uint32_t seed = 17;
};

// kvod's time zone for the demo's days and times.
const absl::TimeZone& Amsterdam() {
  static const absl::TimeZone tz = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/Amsterdam", &z);
    return z;
  }();
  return tz;
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// A password for a demo principal: 24 random hex characters.
std::string NewPassword() {
  unsigned char bytes[12];
  randombytes_buf(bytes, sizeof bytes);
  std::string out;
  for (unsigned char b : bytes) absl::StrAppendFormat(&out, "%02x", b);
  return out;
}

// An RPC's failure as a status naming the step.
absl::Status Failed(absl::string_view step, const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(step, ": ", s.error_message()));
}

// Fills a new demo area through kvod's RPCs: the same checks, encryption
// and audit entries as any other data. The admin's connection creates the
// area and two principals of it (a coordinator, whose session does the
// rest, and a shopkeeper for the door gallery).
class Seeder {
 public:
  Seeder(const Connection& admin, DemoPlan plan)
      : admin_(admin), coordinator_(admin), plan_(std::move(plan)) {}

  // ALREADY_EXISTS, from kvod, when the area exists: nothing is written.
  absl::Status Run();
  void PrintSummary(const OutputStyle& style) const;
  // The area made, 0 before.
  int64_t area() const { return area_; }

 private:
  template <typename Stub, typename Req, typename Resp>
  absl::Status Call(const Connection& c, Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Req&, Resp*),
                    const Req& req, Resp* resp, absl::string_view step) {
    auto ctx = c.Context();
    grpc::Status s = (stub.*method)(ctx.get(), req, resp);
    return s.ok() ? absl::OkStatus() : Failed(step, s);
  }

  // A principal of the area, enrolled with a new password; its id.
  absl::StatusOr<int64_t> NewPrincipal(const std::string& login,
                                       const std::string& display, Role role,
                                       std::string* password);
  absl::Status Cycle();
  absl::Status Registry();
  absl::Status Donations();
  absl::Status Plan();
  // The 0-meting and 1-meting (a survey of most shops, feeling safer and
  // reporting more in the second) and a schouw round of each kind.
  absl::Status SurveyAndSchouw();
  // Step 7 (Bijstellen): after the 1-meting the plan's target for
  // reporting to the police goes up, as the evaluation showed far more
  // reports than the plan asked for.
  absl::Status AdjustPlan();

  absl::StatusOr<int64_t> RecordIncident(const DemoIncident& in);

  const Connection& admin_;
  Connection coordinator_;
  DemoPlan plan_;
  int64_t area_ = 0;
  std::string coordinator_login_, coordinator_password_;
  std::string shopkeeper_login_, shopkeeper_password_;
  std::vector<int64_t> shops_, persons_;
  std::vector<int64_t> carded_incidents_, later_incidents_;
  // The plan's objectives, in the order Plan adds them.
  std::vector<int64_t> objectives_;
  int cards_ = 0, photos_ = 0, claims_ = 0;
};

absl::StatusOr<int64_t> Seeder::NewPrincipal(const std::string& login,
                                             const std::string& display,
                                             Role role, std::string* password) {
  auto identity = IdentityService::NewStub(admin_.channel);
  CreatePrincipalRequest create;
  create.set_login(login);
  create.set_display_name(display);
  create.set_role(role);
  create.add_area_ids(area_);
  CreatePrincipalResponse created;
  if (auto s = Call(admin_, *identity, &IdentityService::Stub::CreatePrincipal,
                    create, &created, "a principal of the area");
      !s.ok()) {
    return s;
  }
  *password = NewPassword();
  EnrollRequest enroll;
  enroll.set_code(created.enrollment_code());
  enroll.set_password(*password);
  EnrollResponse enrolled;
  auto ctx = admin_.AnonymousContext();
  if (grpc::Status s = identity->Enroll(ctx.get(), enroll, &enrolled);
      !s.ok()) {
    return Failed("enrolling a principal", s);
  }
  return created.principal().id();
}

absl::Status Seeder::Run() {
  auto identity = IdentityService::NewStub(admin_.channel);
  CreateAreaRequest create;
  create.set_name(plan_.area_name);
  create.set_kind(AREA_KIND_SHOPPING_AREA);
  create.set_municipality(plan_.municipality);
  create.set_demo(true);
  Area area;
  if (auto s = Call(admin_, *identity, &IdentityService::Stub::CreateArea,
                    create, &area, "--name");
      !s.ok()) {
    return s;
  }
  area_ = area.id();
  coordinator_login_ = absl::StrCat("demo", area_, ".coordinator");
  auto coordinator = NewPrincipal(coordinator_login_, "Demo coördinator",
                                  ROLE_COORDINATOR, &coordinator_password_);
  if (!coordinator.ok()) return coordinator.status();
  LoginRequest login;
  login.set_login(coordinator_login_);
  login.set_password(coordinator_password_);
  LoginResponse session;
  auto ctx = admin_.AnonymousContext();
  if (grpc::Status s = identity->Login(ctx.get(), login, &session); !s.ok()) {
    return Failed("the coordinator's login", s);
  }
  coordinator_.config.token = session.token();
  // In the cycle's order: the certificate (in Plan) needs the 0-meting
  // (in SurveyAndSchouw) and the plan before it.
  for (auto step :
       {&Seeder::Cycle, &Seeder::Registry, &Seeder::Donations,
        &Seeder::SurveyAndSchouw, &Seeder::Plan, &Seeder::AdjustPlan}) {
    if (auto s = (this->*step)(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Seeder::Cycle() {
  auto cycle = CycleService::NewStub(coordinator_.channel);
  auto registry = RegistryService::NewStub(coordinator_.channel);
  for (const std::string& street : plan_.streets) {
    AddStreetRequest r;
    r.set_area_id(area_);
    r.set_name(street);
    r.set_contact_name(absl::StrCat("Straatcontact ", street));
    r.set_contact_details("demo@example.invalid");
    Street out;
    if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AddStreet, r,
                      &out, "a street");
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [kind, name] :
       {std::pair{"municipality",
                  absl::StrCat("Gemeente ", plan_.municipality)},
        {"police", std::string("Politie, basisteam Centrum (demo)")},
        {"fire_brigade", std::string("Brandweer, post Centrum (demo)")},
        {"entrepreneurs",
         std::string("Ondernemersvereniging Binnenstad (demo)")},
        {"security_company", std::string("Beveiliging Demo BV")}}) {
    AddPartyRequest r;
    r.set_area_id(area_);
    r.set_kind(kind);
    r.set_name(name);
    r.set_contact_name("Contactpersoon (demo)");
    r.set_contact_details("demo@example.invalid");
    Party out;
    if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AddParty, r,
                      &out, "a party");
        !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < plan_.shops.size(); ++i) {
    CreateShopRequest r;
    r.set_area_id(area_);
    r.set_name(plan_.shops[i].name);
    Shop shop;
    if (auto s = Call(coordinator_, *registry,
                      &RegistryService::Stub::CreateShop, r, &shop, "a shop");
        !s.ok()) {
      return s;
    }
    shops_.push_back(shop.id());
    RecordParticipantRequest p;
    p.set_area_id(area_);
    p.set_shop_id(shop.id());
    p.set_agreement_signed_on(Day(plan_.first_from + int(i)));
    p.set_declaration_signed_on(Day(plan_.first_from + int(i) + 7));
    Participant participant;
    if (auto s =
            Call(coordinator_, *cycle, &CycleService::Stub::RecordParticipant,
                 p, &participant, "a participant");
        !s.ok()) {
      return s;
    }
  }
  // The shopkeeper of the first shop sees the door gallery.
  shopkeeper_login_ = absl::StrCat("demo", area_, ".winkelier");
  auto shopkeeper = NewPrincipal(shopkeeper_login_, "Demo winkelier",
                                 ROLE_SHOPKEEPER, &shopkeeper_password_);
  if (!shopkeeper.ok()) return shopkeeper.status();
  AddShopMemberRequest member;
  member.set_shop_id(shops_.front());
  member.set_principal_id(*shopkeeper);
  Shop shop;
  if (auto s =
          Call(coordinator_, *registry, &RegistryService::Stub::AddShopMember,
               member, &shop, "the shopkeeper's shop");
      !s.ok()) {
    return s;
  }
  RecordLicenceRequest licence;
  licence.set_area_id(area_);
  licence.set_kind("ccv_bulk");
  licence.set_number(absl::StrCat("DEMO-", area_));
  licence.set_holder(absl::StrCat("Gemeente ", plan_.municipality));
  licence.set_valid_from(Day(plan_.first_from));
  licence.set_valid_until(Day(plan_.second_to + 730));
  Licence licence_out;
  if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::RecordLicence,
                    licence, &licence_out, "the licence");
      !s.ok()) {
    return s;
  }
  // The letterhead: without an objection address no notice is written,
  // without a payee and IBAN no donation letter (ABN AMRO's example IBAN:
  // its check digits are right, the account is no one's).
  SetAreaContactRequest contact;
  contact.set_area_id(area_);
  contact.set_coordinator(
      absl::StrCat("KVO-coördinator ", plan_.area_name, " (demo)"));
  contact.set_objection_address(
      absl::StrCat("Postbus 1 (demo), 1234 AB ", plan_.municipality));
  contact.set_objection_email("kvo@example.invalid");
  contact.set_phone("0000 000000 (demo)");
  contact.set_payee(absl::StrCat("Stichting KVO ", plan_.area_name, " (demo)"));
  contact.set_iban("NL91ABNA0417164300");
  AreaContact contact_out;
  if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::SetAreaContact,
                    contact, &contact_out, "the letterhead");
      !s.ok()) {
    return s;
  }
  DraftIntentRequest intent;
  intent.set_area_id(area_);
  intent.set_text(
      "Wij werken samen aan een veilig winkelgebied volgens het Keurmerk "
      "Veilig Ondernemen (demotekst).");
  Intent intent_out;
  if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::DraftIntent,
                    intent, &intent_out, "the intent");
      !s.ok()) {
    return s;
  }
  for (const char* party :
       {"municipality", "entrepreneurs", "police", "fire_brigade"}) {
    SignIntentRequest sign;
    sign.set_area_id(area_);
    sign.set_party(party);
    sign.set_signed_by("Ondertekenaar (demo)");
    sign.set_signed_on(Day(plan_.first_from + 10));
    if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::SignIntent,
                      sign, &intent_out, "a signature of the intent");
        !s.ok()) {
      return s;
    }
  }
  ImportFiguresRequest figures;
  figures.set_area_id(area_);
  figures.set_source("police");
  figures.set_csv(plan_.police_csv);
  ImportFiguresResponse imported;
  return Call(coordinator_, *cycle, &CycleService::Stub::ImportFigures, figures,
              &imported, "the police figures");
}

absl::StatusOr<int64_t> Seeder::RecordIncident(const DemoIncident& in) {
  auto registry = RegistryService::NewStub(coordinator_.channel);
  RecordIncidentRequest r;
  r.set_shop_id(shops_[in.shop]);
  r.set_person_id(persons_[in.person]);
  r.mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(in.at, Amsterdam())));
  r.set_offence_type(in.offence_type);
  r.set_damage_cents(in.damage_cents);
  r.set_description("Demo-incident (gegenereerd).");
  kvo::v1::Incident out;
  if (auto s =
          Call(coordinator_, *registry, &RegistryService::Stub::RecordIncident,
               r, &out, "an incident");
      !s.ok()) {
    return s;
  }
  return out.id();
}

absl::Status Seeder::Registry() {
  auto registry = RegistryService::NewStub(coordinator_.channel);
  for (const DemoPerson& p : plan_.persons) {
    CreatePersonRequest r;
    r.set_area_id(area_);
    r.set_given_names(p.given_names);
    r.set_surname_prefix(p.surname_prefix);
    r.set_surname(p.surname);
    r.set_address(p.address);
    r.set_residence(p.residence);
    r.set_date_of_birth(p.date_of_birth);
    r.set_place_of_birth(p.place_of_birth);
    r.set_description(p.description);
    r.set_distinct_from_matches(true);
    Person person;
    if (auto s =
            Call(coordinator_, *registry, &RegistryService::Stub::CreatePerson,
                 r, &person, "a person");
        !s.ok()) {
      return s;
    }
    persons_.push_back(person.id());
  }
  for (const DemoIncident& in : plan_.incidents) {
    auto id = RecordIncident(in);
    if (!id.ok()) return id.status();
    if (absl::CivilDay(in.at) >= plan_.second_from &&
        later_incidents_.size() < 4 && in.person >= 8) {
      later_incidents_.push_back(*id);
    }
  }
  for (size_t i = 0; i < plan_.carded.size(); ++i) {
    auto id = RecordIncident(plan_.carded[i]);
    if (!id.ok()) return id.status();
    carded_incidents_.push_back(*id);
    IssueCardRequest r;
    r.set_incident_id(*id);
    r.set_scope(CARD_SCOPE_COLLECTIVE);
    Card card;
    if (auto s = Call(coordinator_, *registry,
                      &RegistryService::Stub::IssueCard, r, &card, "a card");
        !s.ok()) {
      return s;
    }
    ++cards_;
    PhotoInfo info;
    if (grpc::Status s =
            UploadPhotoBytes(coordinator_, persons_[plan_.carded[i].person],
                             DemoPhotoPng(int(i)), &info);
        !s.ok()) {
      return Failed("a placeholder photo", s);
    }
    ++photos_;
  }
  return absl::OkStatus();
}

absl::Status Seeder::Donations() {
  auto donations = DonationService::NewStub(coordinator_.channel);
  std::vector<int64_t> incidents = carded_incidents_;
  incidents.insert(incidents.end(), later_incidents_.begin(),
                   later_incidents_.end());
  for (size_t i = 0; i < incidents.size(); ++i) {
    CreateCaseRequest r;
    r.set_incident_id(incidents[i]);
    DonationCase c;
    if (auto s =
            Call(coordinator_, *donations, &DonationService::Stub::CreateCase,
                 r, &c, "a donation case");
        !s.ok()) {
      return s;
    }
    claims_ += c.claims_size();
    if (i % 2 == 1 || c.claims_size() == 0) continue;
    RecordPaymentRequest pay;
    pay.set_claim_id(c.claims(0).id());
    pay.set_amount_cents(c.claims(0).amount_cents());
    pay.set_currency("EUR");
    pay.set_idempotency_key(
        absl::StrCat("demo-", area_, "-", c.claims(0).id()));
    PaymentResult paid;
    if (auto s = Call(coordinator_, *donations,
                      &DonationService::Stub::RecordPayment, pay, &paid,
                      "a payment");
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Seeder::SurveyAndSchouw() {
  auto cycle = CycleService::NewStub(coordinator_.channel);
  // Which shops answer (30 of 40, then 34) and how: fixed by the shop's
  // number, so the same seed gives the same survey.
  struct Round {
    const char* label;
    absl::CivilDay from, to;
    size_t shops;
    bool second;
  };
  for (const Round& round :
       {Round{"0-meting", plan_.first_from, plan_.first_to, 30, false},
        Round{"1-meting", plan_.second_from, plan_.second_to, 34, true}}) {
    CreateMeasurementRequest m;
    m.set_area_id(area_);
    m.set_label(round.label);
    m.set_period_from(Day(round.from));
    m.set_period_to(Day(round.to));
    Measurement measurement;
    if (auto s =
            Call(coordinator_, *cycle, &CycleService::Stub::CreateMeasurement,
                 m, &measurement, "a measurement");
        !s.ok()) {
      return s;
    }
    for (size_t i = 0; i < std::min(round.shops, shops_.size()); ++i) {
      const bool safe = round.second ? i % 3 != 0 : i % 2 == 0;
      const bool victim = round.second ? i % 2 == 0 : i % 3 != 0;
      const bool reported = victim && (round.second ? i % 8 != 2 : i % 4 == 0);
      AnswerSurveyRequest a;
      a.set_area_id(area_);
      a.set_measurement_id(measurement.id());
      a.set_shop_id(shops_[i]);
      for (const auto& [question, answer] :
           {std::pair{"v22", safe ? (i % 5 == 0 ? "zeer_veilig" : "veilig")
                                  : (i % 7 == 0 ? "neutraal" : "onveilig")},
            std::pair{"v01", victim ? "ja" : "nee"},
            std::pair{"v52",
                      victim ? (reported ? "ja" : "nee") : "weet_niet"}}) {
        auto* answered = a.add_answers();
        answered->set_question_id(question);
        answered->set_answer(answer);
      }
      SurveyReceipt receipt;
      if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AnswerSurvey,
                        a, &receipt, "a survey response");
          !s.ok()) {
        return s;
      }
    }
    for (const char* kind : {"daylight", "dark"}) {
      RecordSchouwRoundRequest r;
      r.set_area_id(area_);
      r.set_kind(kind);
      r.set_walked_on(
          Day(round.from + (std::string(kind) == "dark" ? 21 : 14)));
      r.set_notes("Schouw met gemeente, politie en brandweer (demo)");
      SchouwRound walked;
      if (auto s =
              Call(coordinator_, *cycle, &CycleService::Stub::RecordSchouwRound,
                   r, &walked, "a schouw round");
          !s.ok()) {
        return s;
      }
      const bool dark = std::string(kind) == "dark";
      for (const auto& [street, category, severity, text] :
           {std::tuple{0, dark ? "lighting" : "cleanliness", "medium",
                       dark ? "Twee lantaarnpalen defect"
                            : "Zwerfvuil bij de ingang van de steeg"},
            {1, dark ? "visibility" : "vacancy", round.second ? "low" : "high",
             dark ? "Portiek slecht zichtbaar vanaf de straat"
                  : "Leegstaand pand met dichtgetimmerde ramen"},
            {2, dark ? "escape_routes" : "fire_safety", "medium",
             dark ? "Nooduitgang geblokkeerd door fietsen"
                  : "Brandblusser verlopen"}}) {
        AddFindingRequest f;
        f.set_area_id(area_);
        f.set_round_id(walked.id());
        f.set_street(plan_.streets[street % plan_.streets.size()]);
        f.set_category(category);
        f.set_severity(severity);
        f.set_description(text);
        if (!round.second) f.set_follow_up("Opgenomen in het plan van aanpak");
        Finding finding;
        if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AddFinding,
                          f, &finding, "a schouw finding");
            !s.ok()) {
          return s;
        }
        if (round.second) continue;
        SetFindingStatusRequest done;
        done.set_area_id(area_);
        done.set_finding_id(finding.id());
        done.set_status("resolved");
        Finding resolved;
        if (auto s = Call(coordinator_, *cycle,
                          &CycleService::Stub::SetFindingStatus, done,
                          &resolved, "a schouw finding's status");
            !s.ok()) {
          return s;
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Seeder::Plan() {
  auto cycle = CycleService::NewStub(coordinator_.channel);
  const absl::CivilDay start = plan_.second_from;
  for (const auto& [text, target, measure, activity, metric, change] :
       {std::tuple{"Minder winkeldiefstal in de binnenstad",
                   "20 % minder winkeldiefstal dan in de 0-meting",
                   "collective_shop_ban", "Collectief winkelverbod invoeren",
                   "incidents.theft", -20.0},
        {"Ondernemers voelen zich veiliger",
         "10 procentpunt meer ondernemers die zich veilig voelen",
         "organised_surveillance", "Rooster surveillance opstellen",
         "survey.feel_safe", 10.0},
        {"Ondernemers doen vaker aangifte",
         "aangiftebereidheid 30 procentpunt hoger", "prevention_training",
         "Training aangifte en aanhouding", "survey.reporting_rate", 30.0}}) {
    AddObjectiveRequest o;
    o.set_area_id(area_);
    o.set_description(text);
    o.set_target(target);
    o.set_measure(measure);
    o.set_metric(metric);
    o.set_target_change(change);
    Objective objective;
    if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AddObjective,
                      o, &objective, "an objective");
        !s.ok()) {
      return s;
    }
    objectives_.push_back(objective.id());
    AddActivityRequest a;
    a.set_area_id(area_);
    a.set_objective_id(objective.id());
    a.set_description(activity);
    a.set_owner("Coördinator (demo)");
    a.set_deadline(Day(start + 90));
    a.set_status("done");
    Activity out;
    if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::AddActivity, a,
                      &out, "an activity");
        !s.ok()) {
      return s;
    }
  }
  RecordAssessmentRequest assessment;
  assessment.set_area_id(area_);
  assessment.set_assessed_on(Day(start + 30));
  assessment.set_assessor("Certificerende instelling (demo)");
  assessment.set_findings("Alle onderdelen op orde (demo).");
  assessment.set_passed(true);
  Assessment assessed;
  if (auto s = Call(coordinator_, *cycle, &CycleService::Stub::RecordAssessment,
                    assessment, &assessed, "the assessment");
      !s.ok()) {
    return s;
  }
  IssueCertificateRequest certificate;
  certificate.set_area_id(area_);
  certificate.set_issued_on(Day(start + 31));
  Certificate issued;
  return Call(coordinator_, *cycle, &CycleService::Stub::IssueCertificate,
              certificate, &issued, "the certificate");
}

absl::Status Seeder::AdjustPlan() {
  auto cycle = CycleService::NewStub(coordinator_.channel);
  AdjustPlanRequest r;
  r.set_area_id(area_);
  // The day the 1-meting ends: today, not in the future.
  r.set_adjusted_on(Day(plan_.second_to));
  r.set_reason(
      "De 1-meting laat zien dat ondernemers veel vaker aangifte doen dan in "
      "de 0-meting, meer dan het plan vroeg: het doel voor de "
      "aangiftebereidheid gaat van 30 naar 40 procentpunt (demo).");
  auto* target = r.add_targets();
  target->set_objective_id(objectives_.at(2));  // reporting to the police
  target->set_target_change(40.0);
  PlanAdjustment adjusted;
  return Call(coordinator_, *cycle, &CycleService::Stub::AdjustPlan, r,
              &adjusted, "the plan's adjustment");
}

void Seeder::PrintSummary(const OutputStyle& style) const {
  const std::string report = absl::StrCat(
      "kvo report reduction --area ", area_, " --from ", Day(plan_.first_from),
      "..", Day(plan_.first_to), " --to ", Day(plan_.second_from), "..",
      Day(plan_.report_second_to()), " --pdf demo.pdf");
  PrintRecord({{"area", Value::Int(area_)},
               {"name", plan_.area_name},
               {"municipality", plan_.municipality},
               {"demo", "demo"},
               {"shops", Value::Int(shops_.size())},
               {"persons", Value::Int(persons_.size())},
               {"incidents",
                absl::StrCat(plan_.incidents.size() + plan_.carded.size())},
               {"cards", Value::Int(cards_)},
               {"photos", Value::Int(photos_)},
               {"claims", Value::Int(claims_)},
               {"coordinator", coordinator_login_},
               {"coordinator_password", coordinator_password_},
               {"shopkeeper", shopkeeper_login_},
               {"shopkeeper_password", shopkeeper_password_},
               {"first_period",
                absl::StrCat(Day(plan_.first_from), "..", Day(plan_.first_to))},
               {"second_period", absl::StrCat(Day(plan_.second_from), "..",
                                              Day(plan_.report_second_to()))},
               {"report", report}},
              style);
}

int RunSeed(const GlobalOptions& opts, const Args& a) {
  Connection admin;
  if (int rc = Connect(opts, &admin); rc != kExitOk) return rc;
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), Amsterdam());
  Seeder seeder(admin, MakeDemoPlan(a.seed, today, a.name, a.municipality));
  if (auto s = seeder.Run(); !s.ok()) {
    if (s.code() == absl::StatusCode::kAlreadyExists) {
      return ReportRpcError(grpc::Status(
          grpc::StatusCode::ALREADY_EXISTS,
          absl::StrCat(std::string(s.message()),
                       "; kvo demo seed only fills a new area: choose "
                       "another --name")));
    }
    // Seeding goes call by call: what was made stays, in its own area.
    std::string message(s.message());
    if (seeder.area() != 0) {
      absl::StrAppend(&message, " (demo area ", seeder.area(),
                      " is incomplete; seed again with another --name)");
    }
    return ReportRpcError(
        grpc::Status(static_cast<grpc::StatusCode>(s.code()), message));
  }
  seeder.PrintSummary(opts.Style());
  return kExitOk;
}

}  // namespace

void AddDemoCommands(CLI::App* app, const GlobalOptions* opts,
                     std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  auto* demo = app->add_subcommand("demo", "demonstration data");
  demo->require_subcommand(1);
  auto* seed = demo->add_subcommand(
      "seed",
      "create a NEW demo area (marked \"demo\") and fill it with generated "
      "data: ~40 shops in 3 streets, parties, licence, letterhead "
      "(objection address, payee, IBAN), participants, two "
      "years of incidents, police figures, cards with face-free placeholder "
      "photos, donation claims, a plan, an assessment and a certificate, "
      "a 1-meting and the plan adjusted after it; "
      "refused when the area exists (admin)");
  seed->add_option("--name", a->name, "the new area's name")
      ->capture_default_str();
  seed->add_option("--municipality", a->municipality, "its municipality")
      ->capture_default_str();
  seed->add_option("--seed", a->seed,
                   "the generator's seed (the same seed, the same data)")
      ->capture_default_str();
  OnSelected(seed, action, opts, a, RunSeed);
}

}  // namespace kvo::cli
