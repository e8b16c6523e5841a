// The KVO cycle's use cases and the door's admission against a real
// PostgreSQL: licence first, the declaration of intent, assessments and
// certificates, the due list and the 8 steps; bad input writes nothing.
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/local_time.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "services/cycle/cycle_door_admission.h"
#include "services/cycle/cycle_use_cases.h"
#include "services/cycle/pg_cycle_store.h"
#include "services/cycle/schouw_photo_retention.h"
#include "services/cycle/survey_rules.h"
#include "services/keystore/pg_key_store.h"
#include "services/registry/key_ring.h"
#include "services/registry/pg_registry_store.h"
#include "services/retention/retention_job.h"
#include "tests/support/pg_environment.h"
#include "tests/support/test_images.h"

namespace kvo::cycle {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CyclePgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    auto policy = common::LoadPolicyFile(std::string(KVO_SOURCE_DIR) +
                                         "/policy/default.textproto");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto questionnaire = LoadQuestionnaireFile(
        std::string(KVO_SOURCE_DIR) + "/data/questionnaire/kvo_nl.textproto");
    ASSERT_TRUE(questionnaire.ok()) << questionnaire.status();
    questionnaire_ = *questionnaire;
    pool_ = std::make_unique<common::DbPool>(conninfo(), 2);
    admission_ =
        std::make_unique<CycleDoorAdmission>(*pool_, absl::Seconds(60));
    key_pool_ = std::make_unique<common::DbPool>(keystore_conninfo(), 2);
    key_store_ = std::make_unique<keystore::PgKeyStore>(*key_pool_);
    auto ring =
        registry::KeyRing::Open(common::SecretKey::Generate(), *key_store_);
    ASSERT_TRUE(ring.ok()) << ring.status();
    keys_ = std::move(*ring);
    cases_ = std::make_unique<CycleUseCases>(policy_, questionnaire_, *pool_,
                                             *admission_, *keys_, clock_);
    area_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES ('Binnenstad', "
           "'shopping_area', 'Deventer') RETURNING id");
    shop_ = Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_,
                            ", 'Bakkerij de Korenaar') RETURNING id"));
    shopkeeper_ =
        Id("INSERT INTO principals (login, display_name, role) VALUES "
           "('bakker', 'Bakker', 'shopkeeper') RETURNING id");
    {  // sealed, as kvod adds a member
      pqxx::connection conn(conninfo());
      pqxx::work tx(conn);
      registry::PgRegistryStore::AddShopMember(tx, shop_, shopkeeper_);
      tx.commit();
    }
    who_.role = "coordinator";
  }

  int64_t Id(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    const int64_t id = tx.exec1(sql)[0].as<int64_t>();
    tx.commit();
    return id;
  }
  int64_t Count(const std::string& table) {
    return Id(absl::StrCat("SELECT count(*) FROM ", table));
  }
  std::string Day(int days_from_today) {
    return absl::FormatCivilTime(
        absl::ToCivilDay(clock_.Now(), common::Amsterdam()) + days_from_today);
  }
  identity::Caller Caller(kvo::v1::Role role, int64_t principal = 999) {
    identity::Caller c;
    c.principal_id = principal;
    c.role = role;
    c.area_ids = {area_};
    return c;
  }
  kvo::v1::RecordLicenceRequest Licence(int from, int until) {
    kvo::v1::RecordLicenceRequest r;
    r.set_area_id(area_);
    r.set_kind("ap");
    r.set_number("AP-2026-17");
    r.set_holder("Gemeente Deventer");
    r.set_valid_from(Day(from));
    r.set_valid_until(Day(until));
    return r;
  }

  // Step 1: the intent drafted and signed by every required party.
  void SignIntent() {
    kvo::v1::DraftIntentRequest draft;
    draft.set_area_id(area_);
    draft.set_text("Wij werken samen aan een veilig winkelgebied.");
    ASSERT_TRUE(cases_->DraftIntent(who_, draft).ok());
    for (const char* party :
         {"municipality", "entrepreneurs", "police", "fire_brigade"}) {
      kvo::v1::SignIntentRequest sign;
      sign.set_area_id(area_);
      sign.set_party(party);
      sign.set_signed_by(absl::StrCat("namens ", party));
      sign.set_signed_on(Day(-500));
      ASSERT_TRUE(cases_->SignIntent(who_, sign).ok()) << party;
    }
  }
  // A measurement of the area with one shop's answer (steps 2, 5 and 6).
  int64_t Measure(const std::string& label, int from, int to) {
    kvo::v1::CreateMeasurementRequest m;
    m.set_area_id(area_);
    m.set_label(label);
    m.set_period_from(Day(from));
    m.set_period_to(Day(to));
    auto made = cases_->CreateMeasurement(who_, m);
    EXPECT_TRUE(made.ok()) << made.status();
    if (!made.ok()) return 0;
    // Only a participant answers the survey.
    kvo::v1::RecordParticipantRequest p;
    p.set_area_id(area_);
    p.set_shop_id(shop_);
    p.set_agreement_signed_on(Day(-400));
    EXPECT_TRUE(cases_->RecordParticipant(who_, p).ok());
    kvo::v1::AnswerSurveyRequest r;
    r.set_area_id(area_);
    r.set_measurement_id(made->id());
    r.set_shop_id(shop_);
    auto* answer = r.add_answers();
    answer->set_question_id("v01");
    answer->set_answer("nee");
    auto answered = cases_->AnswerSurvey(who_, r, false);
    EXPECT_TRUE(answered.ok()) << answered.status();
    return made->id();
  }
  // Step 3: an objective with an activity; its id.
  int64_t Plan() {
    kvo::v1::AddObjectiveRequest objective;
    objective.set_area_id(area_);
    objective.set_description("Winkeldiefstal omlaag");
    objective.set_target("-10 %");
    objective.set_measure("camera_surveillance");
    objective.set_metric("police.total");  // so step 7 can adjust its target
    objective.set_target_change(-10);
    auto added = cases_->AddObjective(who_, objective);
    EXPECT_TRUE(added.ok()) << added.status();
    if (!added.ok()) return 0;
    kvo::v1::AddActivityRequest activity;
    activity.set_area_id(area_);
    activity.set_objective_id(added->id());
    activity.set_description("Camera's");
    activity.set_owner("BIZ");
    activity.set_deadline(Day(30));
    EXPECT_TRUE(cases_->AddActivity(who_, activity).ok());
    return added->id();
  }
  // Steps 4 to 7 after a certificate: the 1-meting, then the adjustment.
  void EvaluateAndAdjust(int64_t objective_id) {
    Measure("1-meting", -100, -10);
    kvo::v1::AdjustPlanRequest adjust;
    adjust.set_area_id(area_);
    adjust.set_adjusted_on(Day(0));
    adjust.set_reason("De 1-meting toont minder diefstal");
    auto* target = adjust.add_targets();
    target->set_objective_id(objective_id);
    target->set_target_change(-7.5);
    auto adjusted = cases_->AdjustPlan(who_, adjust);
    ASSERT_TRUE(adjusted.ok()) << adjusted.status();
  }
  void Certify() {
    kvo::v1::RecordAssessmentRequest assess;
    assess.set_area_id(area_);
    assess.set_assessed_on(Day(0));
    assess.set_assessor("Certificeerder BV");
    assess.set_findings("Goed.");
    assess.set_passed(true);
    ASSERT_TRUE(cases_->RecordAssessment(who_, assess).ok());
    kvo::v1::IssueCertificateRequest issue;
    issue.set_area_id(area_);
    auto issued = cases_->IssueCertificate(who_, issue);
    ASSERT_TRUE(issued.ok()) << issued.status();
  }

  kvo::v1::Policy policy_;
  kvo::v1::Questionnaire questionnaire_;
  common::OffsetClock clock_;
  std::unique_ptr<common::DbPool> pool_;
  std::unique_ptr<CycleDoorAdmission> admission_;
  std::unique_ptr<common::DbPool> key_pool_;
  std::unique_ptr<keystore::PgKeyStore> key_store_;
  std::unique_ptr<registry::KeyRing> keys_;
  std::unique_ptr<CycleUseCases> cases_;
  audit::AuditRecord who_;
  int64_t area_ = 0, shop_ = 0, shopkeeper_ = 0;
};

TEST_F(CyclePgTest, LicenceFirstAtTheDoor) {
  const auto police = Caller(kvo::v1::ROLE_POLICE);
  const auto shopkeeper = Caller(kvo::v1::ROLE_SHOPKEEPER, shopkeeper_);
  absl::Status refused = admission_->Check(police, clock_.Now());
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("geen vergunning"));

  // An end before the start: refused, nothing written, still no gallery.
  auto bad = cases_->RecordLicence(who_, Licence(0, -1));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--valid-until"));
  EXPECT_EQ(Count("licences"), 0);
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.record_licence'"), 0);

  auto licence = cases_->RecordLicence(who_, Licence(-10, 365));
  ASSERT_TRUE(licence.ok()) << licence.status();
  EXPECT_TRUE(licence->in_force());
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.record_licence'"), 1);
  // At once, though the refusal above was kept for a minute.
  EXPECT_TRUE(admission_->Check(police, clock_.Now()).ok());

  // The shopkeeper's shop has not declared it follows the model protocol.
  refused = admission_->Check(shopkeeper, clock_.Now());
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("Bakkerij de Korenaar"));
  kvo::v1::RecordParticipantRequest p;
  p.set_area_id(area_);
  p.set_shop_id(shop_);
  p.set_agreement_signed_on(Day(-3));
  ASSERT_TRUE(cases_->RecordParticipant(who_, p).ok());
  EXPECT_FALSE(admission_->Check(shopkeeper, clock_.Now()).ok());
  p.set_declaration_signed_on(Day(-1));
  auto participant = cases_->RecordParticipant(who_, p);
  ASSERT_TRUE(participant.ok()) << participant.status();
  EXPECT_EQ(participant->declaration_signed_on(), Day(-1));
  EXPECT_TRUE(admission_->Check(shopkeeper, clock_.Now()).ok());

  // A shop of another area is not this area's participant.
  const int64_t other_area = Id(
      "INSERT INTO areas (name, kind, municipality) VALUES ('Bedrijvenpark', "
      "'business_park', 'Deventer') RETURNING id");
  p.set_area_id(other_area);
  EXPECT_EQ(cases_->RecordParticipant(who_, p).status().code(),
            absl::StatusCode::kNotFound);

  // The licence ends: the door closes on the day after its last.
  clock_.Advance(absl::Hours(24 * 366));
  EXPECT_EQ(admission_->Check(police, clock_.Now()).code(),
            absl::StatusCode::kFailedPrecondition);

  auto area = cases_->GetArea(who_, area_);
  ASSERT_TRUE(area.ok()) << area.status();
  EXPECT_EQ(area->area().name(), "Binnenstad");
  ASSERT_EQ(area->participants_size(), 1);
  EXPECT_EQ(area->participants(0).shop_name(), "Bakkerij de Korenaar");
  ASSERT_EQ(area->licences_size(), 1);
  EXPECT_FALSE(area->licences(0).in_force());
}

TEST_F(CyclePgTest, IntentNeedsEveryRequiredParty) {
  kvo::v1::SignIntentRequest sign;
  sign.set_area_id(area_);
  sign.set_party("municipality");
  sign.set_signed_by("J. de Vries, wethouder");
  sign.set_signed_on(Day(0));
  EXPECT_EQ(cases_->SignIntent(who_, sign).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "no intent drafted yet";
  kvo::v1::DraftIntentRequest draft;
  draft.set_area_id(area_);
  draft.set_text("Wij werken samen aan een veilig winkelgebied.");
  auto intent = cases_->DraftIntent(who_, draft);
  ASSERT_TRUE(intent.ok()) << intent.status();
  EXPECT_EQ(intent->missing_parties_size(), 4);
  EXPECT_FALSE(intent->complete());

  sign.set_party("biz");
  auto refused = cases_->SignIntent(who_, sign);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("--party"));
  EXPECT_EQ(Count("intent_signatures"), 0);

  for (const char* party :
       {"municipality", "entrepreneurs", "police", "fire_brigade"}) {
    sign.set_party(party);
    intent = cases_->SignIntent(who_, sign);
    ASSERT_TRUE(intent.ok()) << party << ": " << intent.status();
  }
  EXPECT_TRUE(intent->complete());
  EXPECT_EQ(intent->signatures_size(), 4);
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.sign_intent'"), 4);

  auto status = cases_->Status(area_);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->steps(0).state(), "done");
  EXPECT_EQ(status->steps(1).state(), "current");
}

// A certificate (step 4) needs steps 1 to 3; a recertification (step 8)
// needs 5 to 7 as well. Refused otherwise, naming what is missing and the
// command that records it; then the assessment rules apply.
TEST_F(CyclePgTest, CertificatesFollowTheStepsBeforeThemAndPassedAssessments) {
  kvo::v1::IssueCertificateRequest issue;
  issue.set_area_id(area_);
  SignIntent();
  auto early = cases_->IssueCertificate(who_, issue);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(),
              HasSubstr("step 2 (Veiligheidsanalyse (0-meting))"));
  EXPECT_THAT(early.status().message(), HasSubstr("kvo survey measure"));
  EXPECT_THAT(early.status().message(), HasSubstr("step 3 (Plan van aanpak)"));
  EXPECT_THAT(early.status().message(), HasSubstr("kvo plan objective"));
  EXPECT_THAT(early.status().message(), Not(HasSubstr("step 1 ")));
  EXPECT_EQ(Count("certificates"), 0);
  auto status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->steps(3).state(), "done");
  Measure("0-meting", -400, -300);
  const int64_t objective = Plan();

  auto none = cases_->IssueCertificate(who_, issue);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("no assessment"));

  kvo::v1::RecordAssessmentRequest assess;
  assess.set_area_id(area_);
  assess.set_assessed_on(Day(-20));
  assess.set_assessor("Certificeerder BV");
  assess.set_findings("Samenwerking nog te vrijblijvend.");
  assess.set_passed(false);
  ASSERT_TRUE(cases_->RecordAssessment(who_, assess).ok());
  EXPECT_EQ(cases_->IssueCertificate(who_, issue).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("certificates"), 0);

  assess.set_assessed_on(Day(-2));
  assess.set_passed(true);
  ASSERT_TRUE(cases_->RecordAssessment(who_, assess).ok());
  auto first = cases_->IssueCertificate(who_, issue);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->kind(), "basis_samenwerken");
  EXPECT_EQ(first->stars(), 1);
  EXPECT_EQ(first->issued_on(), Day(0));
  absl::CivilDay issued;
  ASSERT_TRUE(absl::ParseCivilTime(first->issued_on(), &issued));
  EXPECT_EQ(
      first->valid_until(),
      absl::FormatCivilTime(absl::CivilDay(
          issued.year() + policy_.cycle().recertification_interval_years(),
          issued.month(), issued.day())));
  // One certificate per assessment.
  EXPECT_EQ(cases_->IssueCertificate(who_, issue).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Nothing due yet; 200 days before the end the recertification is.
  auto due = cases_->ListDue({area_}, false);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->items_size(), 0);
  clock_.Advance(absl::Hours(24 * (2 * 365 - 170)));
  due = cases_->ListDue({}, true);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->items_size(), 1);
  EXPECT_EQ(due->items(0).what(), "recertification");

  assess.set_assessed_on(Day(-1));
  ASSERT_TRUE(cases_->RecordAssessment(who_, assess).ok());
  auto unevaluated = cases_->IssueCertificate(who_, issue);
  EXPECT_EQ(unevaluated.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unevaluated.status().message(), HasSubstr("recertification"));
  EXPECT_THAT(unevaluated.status().message(),
              HasSubstr("step 6 (Evaluatie (1-meting))"));
  EXPECT_THAT(unevaluated.status().message(), HasSubstr("kvo plan adjust"));
  EXPECT_EQ(Count("certificates"), 1);
  EvaluateAndAdjust(objective);
  auto second = cases_->IssueCertificate(who_, issue);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->kind(), "continu_samenwerken");
  EXPECT_EQ(second->stars(), 2);
  auto list = cases_->ListCertificates(area_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->certificates_size(), 2);
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.issue_certificate'"), 2);
}

TEST_F(CyclePgTest, LicenceEndingWithinSixtyDaysIsDue) {
  ASSERT_TRUE(cases_->RecordLicence(who_, Licence(-300, 61)).ok());
  auto due = cases_->ListDue({area_}, false);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->items_size(), 0) << "61 days left";
  clock_.Advance(absl::Hours(24));
  due = cases_->ListDue({area_}, false);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->items_size(), 1);
  EXPECT_EQ(due->items(0).what(), "licence");
  EXPECT_EQ(due->items(0).days_left(), 60);
  EXPECT_EQ(due->items(0).detail(), "AP-2026-17");
  // A new licence that runs on takes it off the list.
  ASSERT_TRUE(cases_->RecordLicence(who_, Licence(0, 1000)).ok());
  due = cases_->ListDue({area_}, false);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->items_size(), 0);
}

TEST_F(CyclePgTest, FiguresFromAFileWithABadLineImportNothing) {
  kvo::v1::ImportFiguresRequest req;
  req.set_area_id(area_);
  req.set_source("police");
  req.set_csv(
      "period,category,count\n2026-01,shoplifting,14\n2026-02,shoplifting,"
      "-3\n2026-02,arson,1\n");
  auto refused = cases_->ImportFigures(who_, req);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("line 3, column count: negative"));
  EXPECT_THAT(refused.status().message(),
              HasSubstr("line 4, column category: unknown category 'arson'"));
  EXPECT_EQ(Count("area_figures"), 0);

  req.set_csv(
      "period,category,count\n2026-01,shoplifting,14\n2026-02,shoplifting,"
      "9\n");
  auto imported = cases_->ImportFigures(who_, req);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->imported(), 2);
  // Again, corrected: replaced, not added.
  req.set_csv("period,category,count\n2026-02,shoplifting,11\n");
  ASSERT_TRUE(cases_->ImportFigures(who_, req).ok());
  req.set_source("fire_brigade");
  req.set_csv("period,category,count\n2026-02,fire,1\n");
  ASSERT_TRUE(cases_->ImportFigures(who_, req).ok());
  auto list = cases_->ListFigures(area_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->figures_size(), 3);
  EXPECT_EQ(list->figures(0).source(), "fire_brigade");
  EXPECT_EQ(list->figures(2).period(), "2026-02");
  EXPECT_EQ(list->figures(2).count(), 11);
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.import_figures'"), 3);
}

TEST_F(CyclePgTest, PlanOfActionWithAnOverdueList) {
  kvo::v1::AddObjectiveRequest objective;
  objective.set_area_id(area_);
  objective.set_description("Winkeldiefstal -10 % t.o.v. de 0-meting");
  objective.set_target("-10 %");
  objective.set_measure("moats");
  auto refused = cases_->AddObjective(who_, objective);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("--measure"));
  EXPECT_EQ(Count("plan_objectives"), 0);
  objective.set_measure("camera_surveillance");
  auto added = cases_->AddObjective(who_, objective);
  ASSERT_TRUE(added.ok()) << added.status();

  kvo::v1::AddActivityRequest activity;
  activity.set_area_id(area_);
  activity.set_objective_id(added->id() + 1000);
  activity.set_description("Camera's bij de ingangen");
  activity.set_owner("Ondernemersvereniging");
  activity.set_deadline(Day(10));
  EXPECT_EQ(cases_->AddActivity(who_, activity).status().code(),
            absl::StatusCode::kNotFound);
  activity.set_objective_id(added->id());
  auto later = cases_->AddActivity(who_, activity);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->status(), "planned");
  EXPECT_FALSE(later->overdue());
  activity.set_deadline(Day(-1));
  activity.set_description("Verlichting Achterstraat");
  auto late = cases_->AddActivity(who_, activity);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->overdue());

  auto overdue = cases_->GetPlan(area_, true);
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->activities_size(), 1);
  EXPECT_EQ(overdue->activities(0).id(), late->id());
  kvo::v1::SetActivityStatusRequest done;
  done.set_area_id(area_);
  done.set_activity_id(late->id());
  done.set_status("done");
  ASSERT_TRUE(cases_->SetActivityStatus(who_, done).ok());
  overdue = cases_->GetPlan(area_, true);
  ASSERT_TRUE(overdue.ok());
  EXPECT_EQ(overdue->activities_size(), 0);
  auto plan = cases_->GetPlan(area_, false);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->objectives_size(), 1);
  EXPECT_EQ(plan->activities_size(), 2);

  // Step 3 is recorded, but it needs steps 1 and 2.
  auto status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->steps(0).state(), "current");
  EXPECT_NE(status->steps(2).state(), "done") << "step 3 before steps 1, 2";
  SignIntent();
  Measure("0-meting", -400, -300);
  status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->steps(2).state(), "done") << "step 3: plan van aanpak";
}

kvo::v1::AnswerSurveyRequest Answers(
    int64_t area, int64_t measurement, int64_t shop,
    const std::vector<std::pair<std::string, std::string>>& answers) {
  kvo::v1::AnswerSurveyRequest r;
  r.set_area_id(area);
  r.set_measurement_id(measurement);
  r.set_shop_id(shop);
  for (const auto& [q, a] : answers) {
    auto* answer = r.add_answers();
    answer->set_question_id(q);
    answer->set_answer(a);
  }
  return r;
}

TEST_F(CyclePgTest, SurveyResponsesReplaceAndCountPerMeasurement) {
  const int64_t second_shop =
      Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_,
                      ", 'Slagerij Jansen') RETURNING id"));
  for (int64_t shop : {shop_, second_shop}) {
    kvo::v1::RecordParticipantRequest p;
    p.set_area_id(area_);
    p.set_shop_id(shop);
    p.set_agreement_signed_on(Day(-30));
    ASSERT_TRUE(cases_->RecordParticipant(who_, p).ok());
  }
  kvo::v1::CreateMeasurementRequest m;
  m.set_area_id(area_);
  m.set_label("0-meting");
  m.set_period_from("2025-01-01");
  m.set_period_to("2025-12-31");
  auto measurement = cases_->CreateMeasurement(who_, m);
  ASSERT_TRUE(measurement.ok()) << measurement.status();
  EXPECT_EQ(measurement->questionnaire_version(), questionnaire_.version());
  EXPECT_EQ(cases_->CreateMeasurement(who_, m).status().code(),
            absl::StatusCode::kAlreadyExists);
  m.set_label("1-meting");
  m.set_period_to("2024-12-31");
  auto inverted = cases_->CreateMeasurement(who_, m);
  EXPECT_EQ(inverted.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(inverted.status().message(), HasSubstr("--to"));
  EXPECT_EQ(Count("survey_measurements"), 1);
  const int64_t id = measurement->id();

  // Bad answers write nothing and name the question.
  auto outside = cases_->AnswerSurvey(
      who_, Answers(area_, id, shop_, {{"v01", "ja"}, {"v22", "heel_fijn"}}),
      false);
  EXPECT_EQ(outside.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outside.status().message(), HasSubstr("'v22'"));
  auto unknown = cases_->AnswerSurvey(
      who_, Answers(area_, id, shop_, {{"v99", "ja"}}), false);
  EXPECT_THAT(unknown.status().message(), HasSubstr("'v99'"));
  EXPECT_EQ(Count("survey_responses"), 0);
  EXPECT_EQ(Count("survey_answers"), 0);

  // A shopkeeper answers for their own shop only.
  audit::AuditRecord bakker;
  bakker.principal_id = shopkeeper_;
  bakker.role = "shopkeeper";
  EXPECT_EQ(
      cases_
          ->AnswerSurvey(bakker,
                         Answers(area_, id, second_shop, {{"v01", "ja"}}), true)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);

  // Victimised, reported, feels unsafe; then replaced by a corrected one.
  auto first = cases_->AnswerSurvey(
      bakker,
      Answers(area_, id, shop_,
              {{"v01", "ja"}, {"v22", "onveilig"}, {"v52", "ja"}}),
      true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replaced());
  auto corrected = cases_->AnswerSurvey(
      bakker,
      Answers(
          area_, id, shop_,
          {{"v01", "ja"}, {"v22", "veilig"}, {"v52", "nee"}, {"v02", "vaak"}}),
      true);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_TRUE(corrected->replaced());
  EXPECT_EQ(corrected->answered(), 4);
  EXPECT_EQ(Count("survey_responses"), 1);
  EXPECT_EQ(Count("survey_answers"), 4);

  auto status = cases_->SurveyStatus(area_);
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->measurements_size(), 1);
  const auto& s = status->measurements(0);
  EXPECT_EQ(s.responses(), 1);
  EXPECT_EQ(s.participants(), 2);
  EXPECT_DOUBLE_EQ(s.completion_pct(), 50.0);
  EXPECT_EQ(s.feel_safe(), 1);
  EXPECT_EQ(s.victimised(), 1);
  EXPECT_EQ(s.reported(), 0);

  // What the reduction report reads: the measurement within its period.
  pqxx::connection conn(conninfo());
  pqxx::work tx(conn);
  auto within = PgCycleStore::SurveyCountsWithin(
      tx, area_, absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
  ASSERT_TRUE(within.has_value());
  EXPECT_EQ(within->responses, 1);
  EXPECT_EQ(within->feel_safe, 1);
  EXPECT_FALSE(PgCycleStore::SurveyCountsWithin(tx, area_,
                                                absl::CivilDay(2025, 2, 1),
                                                absl::CivilDay(2025, 12, 31))
                   .has_value());
}

}  // namespace
}  // namespace kvo::cycle

namespace kvo::cycle {
namespace {

// Step 7: an adjustment is refused before any 1-meting and writes nothing;
// after it, it changes a target, drops an objective and cancels an
// activity in one go, versions the plan and finishes the step, until a
// newer evaluation asks for the next adjustment.
TEST_F(CyclePgTest, PlanAdjustedAfterTheLatestEvaluation) {
  kvo::v1::RecordParticipantRequest p;
  p.set_area_id(area_);
  p.set_shop_id(shop_);
  p.set_agreement_signed_on(Day(-400));
  ASSERT_TRUE(cases_->RecordParticipant(who_, p).ok());
  kvo::v1::AddObjectiveRequest objective;
  objective.set_area_id(area_);
  objective.set_description("Winkeldiefstal omlaag");
  objective.set_target("-10 %");
  objective.set_measure("camera_surveillance");
  objective.set_metric("police.total");
  objective.set_target_change(-10);
  auto kept = cases_->AddObjective(who_, objective);
  ASSERT_TRUE(kept.ok()) << kept.status();
  objective.set_description("Overlast omlaag");
  auto dropped = cases_->AddObjective(who_, objective);
  ASSERT_TRUE(dropped.ok());
  kvo::v1::AddActivityRequest activity;
  activity.set_area_id(area_);
  activity.set_objective_id(kept->id());
  activity.set_description("Camera's");
  activity.set_owner("BIZ");
  activity.set_deadline(Day(30));
  auto cancelled = cases_->AddActivity(who_, activity);
  ASSERT_TRUE(cancelled.ok());

  auto measure = [&](const std::string& label, const std::string& from,
                     const std::string& to) {
    kvo::v1::CreateMeasurementRequest m;
    m.set_area_id(area_);
    m.set_label(label);
    m.set_period_from(from);
    m.set_period_to(to);
    auto made = cases_->CreateMeasurement(who_, m);
    EXPECT_TRUE(made.ok()) << made.status();
    auto answered = cases_->AnswerSurvey(
        who_, Answers(area_, made->id(), shop_, {{"v01", "nee"}}), false);
    EXPECT_TRUE(answered.ok()) << answered.status();
    return made->id();
  };
  measure("0-meting", Day(-400), Day(-300));
  // Steps 1 and 4, so that step 7 can be done (it needs them).
  SignIntent();
  Certify();

  kvo::v1::AdjustPlanRequest adjust;
  adjust.set_area_id(area_);
  adjust.set_adjusted_on(Day(0));
  adjust.set_reason("De 1-meting toont minder diefstal, meer overlast");
  auto* target = adjust.add_targets();
  target->set_objective_id(kept->id());
  target->set_target_change(-7.5);
  adjust.add_drop_objectives(dropped->id());
  adjust.add_cancel_activities(cancelled->id());
  auto early = cases_->AdjustPlan(who_, adjust);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("1-meting"));
  EXPECT_EQ(Count("plan_adjustments"), 0);

  const int64_t evaluation = measure("1-meting", Day(-100), Day(-10));
  // An unknown activity: nothing written, not even the target change.
  kvo::v1::AdjustPlanRequest unknown = adjust;
  unknown.add_cancel_activities(cancelled->id() + 1000);
  auto refused = cases_->AdjustPlan(who_, unknown);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(refused.status().message(), HasSubstr("--cancel-activity"));
  kvo::v1::AdjustPlanRequest none;
  none.set_area_id(area_);
  none.set_adjusted_on(Day(0));
  none.set_reason("Niets");
  EXPECT_EQ(cases_->AdjustPlan(who_, none).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("plan_adjustments"), 0);
  EXPECT_EQ(Count("plan_adjustment_changes"), 0);
  auto status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->steps(6).state(), "done") << "step 7: bijstellen";

  auto adjusted = cases_->AdjustPlan(who_, adjust);
  ASSERT_TRUE(adjusted.ok()) << adjusted.status();
  EXPECT_EQ(adjusted->plan_version(), 2);
  EXPECT_EQ(adjusted->evaluation_id(), evaluation);
  EXPECT_EQ(adjusted->evaluation_label(), "1-meting");
  ASSERT_EQ(adjusted->changes_size(), 3);
  EXPECT_EQ(adjusted->changes(0).kind(), "target");
  EXPECT_EQ(adjusted->changes(0).old_target(), -10);
  EXPECT_EQ(adjusted->changes(0).new_target(), -7.5);

  auto plan = cases_->GetPlan(area_, false);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->version(), 2);
  ASSERT_EQ(plan->objectives_size(), 1) << "the dropped one no longer counts";
  EXPECT_EQ(plan->objectives(0).id(), kept->id());
  EXPECT_EQ(plan->objectives(0).target_change(), -7.5);
  ASSERT_EQ(plan->activities_size(), 1);
  EXPECT_EQ(plan->activities(0).status(), "cancelled");
  ASSERT_EQ(plan->adjustments_size(), 1);
  EXPECT_EQ(plan->adjustments(0).changes_size(), 3);
  EXPECT_EQ(plan->adjustments(0).reason(), adjust.reason());
  status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->steps(6).state(), "done") << "step 7: bijstellen";

  // A dropped objective and a cancelled activity cannot change again.
  EXPECT_EQ(cases_->AdjustPlan(who_, adjust).status().code(),
            absl::StatusCode::kNotFound);
  measure("2-meting", Day(-9), Day(-1));
  status = cases_->Status(area_);
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->steps(6).state(), "done")
      << "a newer evaluation asks for a new adjustment";
  EXPECT_EQ(Count("audit_entries WHERE action = 'cycle.adjust_plan'"), 1);
}

// A schouw photo goes retention.schouw_photo_days (Amsterdam days) after
// its finding was resolved, by the one retention job, audited; a finding
// reopened before then keeps it, and its period starts again when it is
// resolved again; an open finding's photo stays. The findings stay.
TEST_F(CyclePgTest, SchouwPhotoGoesDaysAfterItsFindingWasResolved) {
  ASSERT_EQ(VIPS_INIT("kvo_pg"), 0);
  const int days = policy_.retention().schouw_photo_days();
  ASSERT_EQ(days, 90);
  kvo::v1::AddStreetRequest street;
  street.set_area_id(area_);
  street.set_name("Brink");
  street.set_contact_name("J. de Vries");
  street.set_contact_details("0570-123456");
  auto added_street = cases_->AddStreet(who_, street);
  ASSERT_TRUE(added_street.ok()) << added_street.status();
  kvo::v1::RecordSchouwRoundRequest round;
  round.set_area_id(area_);
  round.set_kind("dark");
  round.set_walked_on(Day(0));
  auto walked = cases_->RecordSchouwRound(who_, round);
  ASSERT_TRUE(walked.ok()) << walked.status();
  const std::string jpeg = kvo::testing::EncodeImage(
      vips::VImage::black(64, 48, vips::VImage::option()->set("bands", 3)),
      ".jpg");
  auto add = [&](const std::string& description) {
    kvo::v1::AddFindingRequest f;
    f.set_area_id(area_);
    f.set_round_id(walked->id());
    f.set_street("Brink");
    f.set_category("lighting");
    f.set_severity("high");
    f.set_description(description);
    f.set_photo(jpeg);
    auto added = cases_->AddFinding(who_, f);
    EXPECT_TRUE(added.ok()) << added.status();
    EXPECT_TRUE(added->has_photo());
    return added->id();
  };
  auto set_status = [&](int64_t finding, const std::string& status) {
    kvo::v1::SetFindingStatusRequest r;
    r.set_area_id(area_);
    r.set_finding_id(finding);
    r.set_status(status);
    ASSERT_TRUE(cases_->SetFindingStatus(who_, r).ok());
  };
  auto photo = [&](int64_t finding) {
    kvo::v1::GetFindingPhotoRequest r;
    r.set_area_id(area_);
    r.set_finding_id(finding);
    return cases_->GetFindingPhoto(who_, r);
  };
  auto finding_of = [&](int64_t finding) {
    auto list = cases_->ListFindings(area_, false);
    EXPECT_TRUE(list.ok()) << list.status();
    for (const auto& f : list->findings()) {
      if (f.id() == finding) return f;
    }
    ADD_FAILURE() << "no finding " << finding;
    return kvo::v1::Finding();
  };
  const int64_t resolved = add("Lantaarnpaal defect");
  const int64_t reopened = add("Donkere steeg");
  const int64_t open = add("Leegstaand pand");
  // Resolved at 01:00 Amsterdam time: due from midnight `days` days later.
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  clock_.Advance(
      absl::FromCivil(absl::CivilHour(today + 1) + 1, common::Amsterdam()) -
      clock_.Now());
  const absl::CivilDay resolved_on = today + 1;
  set_status(resolved, "resolved");
  set_status(reopened, "resolved");
  set_status(resolved, "resolved");  // again: the period does not restart
  clock_.Advance(absl::Hours(24 * 30));
  set_status(reopened, "in_progress");

  SchouwPhotoRetention rule(days);
  retention::RetentionJob job(*pool_, clock_, {&rule});
  audit::AuditRecord officer;
  officer.principal_id = 7;
  officer.role = "privacy_officer";
  // The evening before the due day: nothing yet; the next falls due then.
  clock_.Advance(absl::FromCivil(absl::CivilHour(resolved_on + days - 1) + 23,
                                 common::Amsterdam()) -
                 clock_.Now());
  auto early = job.Run(/*dry_run=*/false, officer);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->items.at(0).kind, "schouw_photo");
  EXPECT_EQ(early->items.at(0).count, 0u);
  ASSERT_TRUE(early->items.at(0).next_due.has_value());
  EXPECT_EQ(*early->items.at(0).next_due,
            absl::FromCivil(resolved_on + days, common::Amsterdam()));
  EXPECT_EQ(Count("schouw_finding_photos"), 3);

  clock_.Advance(absl::Hours(2));  // 01:00 on the due day
  auto dry = job.Run(/*dry_run=*/true, officer);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->items.at(0).count, 1u);
  EXPECT_EQ(Count("schouw_finding_photos"), 3);
  auto run = job.Run(/*dry_run=*/false, officer);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->items.at(0).count, 1u);
  EXPECT_EQ(run->items.at(0).subjects, std::vector<std::string>{absl::StrCat(
                                           "schouw-finding:", resolved)});
  EXPECT_FALSE(run->items.at(0).next_due.has_value());  // none resolved
  EXPECT_EQ(Count(absl::StrCat("schouw_finding_photos WHERE finding_id = ",
                               resolved)),
            0);
  EXPECT_EQ(Count(absl::StrCat(
                "audit_entries WHERE action = 'retention.run' AND subject = "
                "'schouw-finding:",
                resolved, "' AND purpose LIKE '%schouw_photo=1%'")),
            1);
  // The finding stays, saying when its photo went.
  const kvo::v1::Finding gone = finding_of(resolved);
  EXPECT_EQ(gone.status(), "resolved");
  EXPECT_FALSE(gone.has_photo());
  EXPECT_EQ(gone.photo_deleted_on(), absl::FormatCivilTime(resolved_on + days));
  auto refused = photo(resolved);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat(
                  "deleted on ", absl::FormatCivilTime(resolved_on + days))));
  // Reopened before its day, and never resolved: kept.
  EXPECT_TRUE(photo(reopened).ok());
  EXPECT_TRUE(photo(open).ok());
  EXPECT_TRUE(finding_of(reopened).photo_deleted_on().empty());

  // Resolved again: its period starts again from now.
  set_status(reopened, "resolved");
  const absl::CivilDay resolved_again_on =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  clock_.Advance(absl::Hours(24 * (days - 1)));
  auto later = job.Run(/*dry_run=*/false, officer);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->items.at(0).count, 0u);
  EXPECT_EQ(*later->items.at(0).next_due,
            absl::FromCivil(resolved_again_on + days, common::Amsterdam()));
  clock_.Advance(absl::Hours(24));
  later = job.Run(/*dry_run=*/false, officer);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->items.at(0).count, 1u);
  EXPECT_EQ(photo(reopened).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(photo(open).ok());
  EXPECT_EQ(Count("schouw_findings"), 3);
  EXPECT_EQ(Count("schouw_finding_photos"), 1);
}

}  // namespace
}  // namespace kvo::cycle
