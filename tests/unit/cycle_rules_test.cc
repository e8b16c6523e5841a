#include "services/cycle/cycle_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "services/cycle/cycle_requests.h"
#include "services/cycle/figures_csv.h"

namespace kvo::cycle {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

struct InForceCase {
  absl::CivilDay from, until, today;
  bool in_force;
};

TEST(LicenceRules, InForceFromItsFirstToItsLastDay) {
  const InForceCase cases[] = {
      {D(2026, 1, 1), D(2026, 12, 31), D(2025, 12, 31), false},
      {D(2026, 1, 1), D(2026, 12, 31), D(2026, 1, 1), true},
      {D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 1), true},
      {D(2026, 1, 1), D(2026, 12, 31), D(2026, 12, 31), true},
      {D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 1), false},
      {D(2026, 3, 3), D(2026, 3, 3), D(2026, 3, 3), true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(InForce({c.from, c.until}, c.today), c.in_force)
        << c.from << ".." << c.until << " on " << c.today;
  }
  EXPECT_FALSE(AnyInForce({}, D(2026, 1, 1)));
  EXPECT_TRUE(AnyInForce(
      {{D(2020, 1, 1), D(2021, 1, 1)}, {D(2025, 1, 1), D(2027, 1, 1)}},
      D(2026, 1, 1)));
}

TEST(LicenceRules, AnEndBeforeTheStartIsRefusedNamingTheFlag) {
  EXPECT_TRUE(CheckLicenceDates({D(2026, 1, 1), D(2026, 1, 1)}).ok());
  const absl::Status s = CheckLicenceDates({D(2026, 1, 2), D(2026, 1, 1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--valid-until"));
  EXPECT_THAT(s.message(), HasSubstr("2026-01-01"));
}

struct DoorCase {
  const char* name;
  DoorFacts facts;
  bool admitted;
  const char* reason;  // in the refusal
};

TEST(DoorAdmission, LicenceFirstThenTheShopsDeclaration) {
  const absl::CivilDay today = D(2026, 6, 1);
  const std::vector<LicenceDates> valid = {{D(2026, 1, 1), D(2027, 1, 1)}};
  const std::vector<LicenceDates> ended = {{D(2025, 1, 1), D(2026, 5, 31)}};
  const DoorShop signed_shop{"Bakkerij", D(2026, 5, 1)};
  const DoorShop unsigned_shop{"Slagerij", std::nullopt};
  const DoorShop signs_later{"Kapper", D(2026, 6, 2)};
  const DoorCase cases[] = {
      {"police, licensed", {{1}, {{1, valid}}, false, {}}, true, ""},
      {"no licence", {{1}, {}, false, {}}, false, "geen vergunning"},
      {"licence ended",
       {{1}, {{1, ended}}, false, {}},
       false,
       "No licence is in force for area 1"},
      {"one of two areas unlicensed",
       {{1, 2}, {{1, valid}}, false, {}},
       false,
       "area 2"},
      {"shopkeeper signed", {{1}, {{1, valid}}, true, {signed_shop}}, true, ""},
      {"shopkeeper without a shop",
       {{1}, {{1, valid}}, true, {}},
       false,
       "no participating shop"},
      {"shop not signed",
       {{1}, {{1, valid}}, true, {signed_shop, unsigned_shop}},
       false,
       "Slagerij"},
      {"signed in the future",
       {{1}, {{1, valid}}, true, {signs_later}},
       false,
       "modelprotocol"},
      {"licence checked before the declaration",
       {{1}, {}, true, {unsigned_shop}},
       false,
       "licence"},
  };
  for (const auto& c : cases) {
    const absl::Status s = DoorAdmissionRule(c.facts, today);
    EXPECT_EQ(s.ok(), c.admitted) << c.name << ": " << s;
    if (!c.admitted) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << c.name;
      EXPECT_THAT(s.message(), HasSubstr(c.reason)) << c.name;
      EXPECT_THAT(s.message(), HasSubstr(" / ")) << c.name << ": NL / EN";
    }
  }
}

TEST(IntentRules, RequiredPartiesFromPolicyAndTheDefault) {
  kvo::v1::CyclePolicy policy;
  EXPECT_EQ(RequiredParties(policy),
            (std::vector<std::string>{"municipality", "entrepreneurs", "police",
                                      "fire_brigade"}));
  policy.add_intent_parties("municipality");
  policy.add_intent_parties("biz");
  const auto required = RequiredParties(policy);
  EXPECT_EQ(required, (std::vector<std::string>{"municipality", "biz"}));
  EXPECT_TRUE(CheckSignatureParty(required, "biz").ok());
  const absl::Status s = CheckSignatureParty(required, "police");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--party"));
  EXPECT_EQ(MissingParties(required, {}), required);
  EXPECT_EQ(MissingParties(required, {"biz"}),
            (std::vector<std::string>{"municipality"}));
  EXPECT_TRUE(MissingParties(required, {"biz", "municipality"}).empty());
}

struct CertificateCase {
  int earlier;
  absl::CivilDay issued_on;
  int years;
  CertificateKind kind;
  int stars;
  absl::CivilDay valid_until;
};

TEST(CertificateRules, BasisFirstThenContinuWithOneStarMoreEachTime) {
  const CertificateCase cases[] = {
      {0, D(2026, 3, 15), 2, CertificateKind::kBasisSamenwerken, 1,
       D(2028, 3, 15)},
      {1, D(2028, 3, 1), 2, CertificateKind::kContinuSamenwerken, 2,
       D(2030, 3, 1)},
      {2, D(2030, 3, 1), 3, CertificateKind::kContinuSamenwerken, 3,
       D(2033, 3, 1)},
      // 29 February into a common year: the day before 1 March.
      {0, D(2028, 2, 29), 2, CertificateKind::kBasisSamenwerken, 1,
       D(2030, 2, 28)},
      {0, D(2028, 2, 29), 4, CertificateKind::kBasisSamenwerken, 1,
       D(2032, 2, 29)},
  };
  for (const auto& c : cases) {
    const NextCertificate next =
        NextCertificateFor(c.earlier, c.issued_on, c.years);
    EXPECT_EQ(next.kind, c.kind) << c.earlier;
    EXPECT_EQ(next.stars, c.stars) << c.earlier;
    EXPECT_EQ(next.valid_until, c.valid_until) << c.issued_on;
  }
  EXPECT_EQ(CertificateKindLabel(CertificateKind::kBasisSamenwerken),
            "Basis Samenwerken");
  EXPECT_EQ(CertificateKindCode(CertificateKind::kContinuSamenwerken),
            "continu_samenwerken");
}

TEST(DueList, LastLicenceAndLatestCertificatePerAreaSoonestFirst) {
  const absl::CivilDay today = D(2026, 6, 1);
  const std::vector<LicenceFact> licences = {
      // Area 1: an old licence replaced by one that runs on: not due.
      {1, "AP-OLD", {D(2020, 1, 1), D(2026, 6, 10)}},
      {1, "AP-NEW", {D(2026, 6, 1), D(2029, 1, 1)}},
      // Area 2: ends in 60 days: due (the boundary).
      {2, "CCV-2", {D(2025, 1, 1), D(2026, 7, 31)}},
      // Area 3: ends in 61 days: not yet.
      {3, "CCV-3", {D(2025, 1, 1), D(2026, 8, 1)}},
      // Area 4: ended: still due.
      {4, "CCV-4", {D(2024, 1, 1), D(2026, 5, 1)}},
  };
  const std::vector<CertificateFact> certificates = {
      {2, 1, "Basis Samenwerken", D(2026, 7, 1)},
      {2, 2, "Continu Samenwerken", D(2028, 7, 1)},  // the latest: not due
      {3, 1, "Basis Samenwerken", D(2026, 6, 20)},
  };
  const auto due = DueList(licences, certificates, today, 60, 180);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].area_id, 4);
  EXPECT_EQ(due[0].what, "licence");
  EXPECT_EQ(due[1].area_id, 3);
  EXPECT_EQ(due[1].what, "recertification");
  EXPECT_EQ(due[1].detail, "Basis Samenwerken, 1 ster");
  EXPECT_EQ(due[2].area_id, 2);
  EXPECT_EQ(due[2].detail, "CCV-2");
}

struct ProgressCase {
  const char* name;
  CycleFacts facts;
  std::vector<std::string> states;  // steps 1..8
  std::string missing;              // a part of the current step's
};

TEST(Progress, DoneCurrentNextAndWhatIsMissing) {
  const absl::CivilDay today = D(2026, 6, 1);
  CycleFacts none;
  CycleFacts drafted;
  drafted.intent_drafted = true;
  drafted.missing_signatures = {"police"};
  CycleFacts signed_ = drafted;
  signed_.missing_signatures.clear();
  CycleFacts certified = signed_;
  certified.assessments_passed = 1;
  certified.certificates = 1;
  certified.certificate_valid_until = D(2028, 6, 1);
  CycleFacts analysed = signed_;
  analysed.analyses = 1;
  analysed.plan_versions = 1;
  analysed.assessments_passed = 1;
  CycleFacts evaluated = analysed;
  evaluated.analyses = 2;
  evaluated.assessments_passed = 1;
  evaluated.certificates = 1;
  evaluated.certificate_valid_until = D(2028, 6, 1);
  // An adjustment of an earlier evaluation does not count: plan_versions
  // alone does not finish step 7.
  evaluated.plan_versions = 2;
  CycleFacts all = analysed;
  all.analyses = 2;
  all.plan_versions = 2;
  all.adjusted_after_evaluation = true;
  all.assessments_passed = 2;
  all.certificates = 2;
  all.certificate_valid_until = D(2028, 6, 1);
  CycleFacts expiring = all;
  expiring.certificate_valid_until = D(2026, 9, 1);
  const ProgressCase cases[] = {
      {"nothing yet",
       none,
       {"current", "next", "later", "later", "later", "later", "later",
        "later"},
       "de tekst van de intentieverklaring"},
      {"drafted, police missing",
       drafted,
       {"current", "next", "later", "later", "later", "later", "later",
        "later"},
       "de handtekening van de partij politie"},
      {"signed",
       signed_,
       {"done", "current", "next", "later", "later", "later", "later", "later"},
       "0-meting"},
      // A step is never done before the steps it needs.
      {"certified without an analysis on record",
       certified,
       {"done", "current", "next", "later", "later", "later", "later", "later"},
       "0-meting"},
      {"analysed, planned, assessed",
       analysed,
       {"done", "done", "done", "current", "next", "later", "later", "later"},
       "het certificaat Basis Samenwerken"},
      {"evaluated, not yet adjusted after it",
       evaluated,
       {"done", "done", "done", "done", "done", "done", "current", "next"},
       "kvo plan adjust"},
      {"everything",
       all,
       {"done", "done", "done", "done", "done", "done", "done", "done"},
       ""},
      {"certificate ending within the notice",
       expiring,
       {"done", "done", "done", "done", "done", "done", "done", "current"},
       "een geslaagde hertoetsing"},
  };
  for (const auto& c : cases) {
    const auto steps = Progress(c.facts, today, 180);
    ASSERT_EQ(steps.size(), 8u);
    std::string missing;
    for (size_t i = 0; i < 8; ++i) {
      EXPECT_EQ(steps[i].number, static_cast<int>(i) + 1);
      EXPECT_EQ(StepStateCode(steps[i].state), c.states[i])
          << c.name << ", step " << i + 1;
      for (const auto& m : steps[i].missing) missing += m + ";";
    }
    if (c.missing.empty()) {
      EXPECT_EQ(missing, "") << c.name;
    } else {
      EXPECT_THAT(missing, HasSubstr(c.missing)) << c.name;
    }
  }
  EXPECT_EQ(Progress(none, today, 180)[0].name, "Intentieverklaring");
}

TEST(CheckStepsBefore, NamesEachMissingStepAndTheCommandThatRecordsIt) {
  CycleFacts none;
  absl::Status s = CheckStepsBefore(none, 4, "a first certificate");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("a first certificate is step 4"));
  EXPECT_THAT(s.message(), HasSubstr("step 1 (Intentieverklaring)"));
  EXPECT_THAT(s.message(), HasSubstr("kvo intent draft"));
  EXPECT_THAT(s.message(), HasSubstr("step 2 (Veiligheidsanalyse (0-meting))"));
  EXPECT_THAT(s.message(), HasSubstr("kvo survey measure"));
  EXPECT_THAT(s.message(), HasSubstr("step 3 (Plan van aanpak)"));
  EXPECT_THAT(s.message(), HasSubstr("kvo plan objective"));

  CycleFacts planned;
  planned.intent_drafted = true;
  planned.analyses = 1;
  s = CheckStepsBefore(planned, 4, "a first certificate");
  EXPECT_THAT(s.message(), Not(HasSubstr("step 1 ")));
  EXPECT_THAT(s.message(), Not(HasSubstr("step 2 ")));
  EXPECT_THAT(s.message(), HasSubstr("step 3 (Plan van aanpak)"));
  planned.plan_versions = 1;
  EXPECT_TRUE(CheckStepsBefore(planned, 4, "a first certificate").ok());

  // Recertification needs the evaluation and the adjustment after it.
  CycleFacts certified = planned;
  certified.assessments_passed = 2;
  certified.certificates = 1;
  certified.certificate_valid_until = D(2028, 6, 1);
  s = CheckStepsBefore(certified, 8, "a recertification");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("step 6 (Evaluatie (1-meting))"));
  EXPECT_THAT(s.message(), HasSubstr("step 7 (Bijstellen)"));
  EXPECT_THAT(s.message(), HasSubstr("kvo plan adjust"));
  certified.analyses = 2;
  certified.adjusted_after_evaluation = true;
  EXPECT_TRUE(CheckStepsBefore(certified, 8, "a recertification").ok());
}

TEST(LatestEvaluation, TheLatestAnsweredMeasurementAfterTheFirst) {
  struct Case {
    const char* name;
    std::vector<MeasurementFact> by_period;
    std::optional<int64_t> want;
  };
  const Case cases[] = {
      {"none", {}, std::nullopt},
      {"only the 0-meting", {{1, true}}, std::nullopt},
      {"a 1-meting without responses", {{1, true}, {2, false}}, std::nullopt},
      {"an unanswered first does not count as the 0-meting",
       {{1, false}, {2, true}},
       std::nullopt},
      {"a 1-meting", {{1, true}, {2, true}}, 2},
      {"the latest of two evaluations", {{1, true}, {2, true}, {3, true}}, 3},
      {"the latest answered one", {{1, true}, {2, true}, {3, false}}, 2},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(LatestEvaluation(c.by_period), c.want) << c.name;
  }
  EXPECT_FALSE(AdjustedAfterEvaluation(std::nullopt, {}));
  EXPECT_FALSE(AdjustedAfterEvaluation(std::nullopt, {2}));
  EXPECT_FALSE(AdjustedAfterEvaluation(3, {2}));
  EXPECT_TRUE(AdjustedAfterEvaluation(3, {2, 3}));
}

TEST(CycleRequests, BadInputNamesTheFlag) {
  kvo::v1::RecordLicenceRequest licence;
  licence.set_area_id(1);
  licence.set_kind("ap");
  licence.set_number("AP-1");
  licence.set_holder("Gemeente Deventer");
  licence.set_valid_from("2026-01-01");
  licence.set_valid_until("2027-01-01");
  EXPECT_TRUE(ValidateRecordLicenceRequest(licence).ok());
  struct Case {
    std::function<void(kvo::v1::RecordLicenceRequest&)> change;
    const char* flag;
  };
  const Case cases[] = {
      {[](auto& r) { r.set_area_id(0); }, "--area"},
      {[](auto& r) { r.set_kind("ccv"); }, "--kind"},
      {[](auto& r) { r.set_number(""); }, "--number"},
      {[](auto& r) { r.set_holder("a\x01"); }, "--holder"},
      {[](auto& r) { r.set_valid_from("1-1-2026"); }, "--valid-from"},
      {[](auto& r) { r.set_valid_until("2026-02-30"); }, "--valid-until"},
      {[](auto& r) { r.set_valid_until("2025-12-31"); }, "--valid-until"},
  };
  for (const auto& c : cases) {
    auto r = licence;
    c.change(r);
    const auto s = ValidateRecordLicenceRequest(r).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_THAT(s.message(), HasSubstr(c.flag));
  }
  kvo::v1::AddPartyRequest party;
  party.set_area_id(1);
  party.set_kind("mayor");
  party.set_name("Burgemeester");
  party.set_contact_name("J. Jansen");
  EXPECT_THAT(ValidateAddPartyRequest(party).message(), HasSubstr("--kind"));
  party.set_kind("fire_brigade");
  EXPECT_TRUE(ValidateAddPartyRequest(party).ok());
  kvo::v1::RecordParticipantRequest participant;
  participant.set_area_id(1);
  participant.set_shop_id(2);
  participant.set_agreement_signed_on("2026-01-01");
  auto days = ValidateRecordParticipantRequest(participant);
  ASSERT_TRUE(days.ok());
  EXPECT_FALSE(days->declaration.has_value());
  participant.set_declaration_signed_on("gisteren");
  EXPECT_THAT(ValidateRecordParticipantRequest(participant).status().message(),
              HasSubstr("--declaration-signed"));
  kvo::v1::IssueCertificateRequest cert;
  cert.set_area_id(3);
  auto issued = ValidateIssueCertificateRequest(cert);
  ASSERT_TRUE(issued.ok());
  EXPECT_FALSE(issued->has_value());
}

}  // namespace
}  // namespace kvo::cycle

namespace kvo::cycle {
namespace {

struct FiguresCase {
  const char* name;
  std::string csv;
  // Each part must be in the refusal; empty: accepted.
  std::vector<std::string> errors;
  size_t figures = 0;
};

TEST(FiguresCsv, EveryBadLineNamedAndNothingImportedFromABadFile) {
  const std::vector<std::string> categories = {"shoplifting", "fire"};
  const FiguresCase cases[] = {
      {"good, CRLF and blank lines",
       "period,category,count\r\n2026-01,shoplifting,12\r\n\r\n2026-01,fire,0"
       "\r\n",
       {},
       2},
      {"header only", "period,category,count\n", {}, 0},
      {"empty", "", {"FILE: empty"}, 0},
      {"wrong columns",
       "periode,soort,aantal\n2026-01,fire,1\n",
       {"line 1", "header must be \"period,category,count\""},
       0},
      {"negative count",
       "period,category,count\n2026-01,fire,-2\n",
       {"line 2, column count: negative (-2)"},
       0},
      {"unknown category",
       "period,category,count\n2026-01,theft,3\n",
       {"line 2, column category: unknown category 'theft'",
        "shoplifting, fire"},
       0},
      {"bad period and count on one line, and a short line",
       "period,category,count\n2026-13,fire,x\n2026-02,fire\n",
       {"2 bad lines", "line 2, column period", "line 2, column count",
        "line 3, column -: 3 columns"},
       0},
      {"a good line does not save a file with a bad one",
       "period,category,count\n2026-01,fire,1\n2026-02,fire,1.5\n",
       {"line 3, column count: a whole number, got '1.5'"},
       0},
      {"the same figure twice",
       "period,category,count\n2026-01,fire,1\n2026-01,fire,2\n",
       {"line 3", "appears twice"},
       0},
  };
  for (const auto& c : cases) {
    const auto figures = ParseFigures(c.csv, categories);
    if (c.errors.empty()) {
      ASSERT_TRUE(figures.ok()) << c.name << ": " << figures.status();
      EXPECT_EQ(figures->size(), c.figures) << c.name;
      continue;
    }
    ASSERT_FALSE(figures.ok()) << c.name;
    EXPECT_EQ(figures.status().code(), absl::StatusCode::kInvalidArgument);
    for (const auto& e : c.errors) {
      EXPECT_THAT(figures.status().message(), HasSubstr(e)) << c.name;
    }
  }
  const auto parsed = ParseFigures(
      "period,category,count\n2026-03,shoplifting,7\n", categories);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0].period, "2026-03");
  EXPECT_EQ((*parsed)[0].category, "shoplifting");
  EXPECT_EQ((*parsed)[0].count, 7);
}

TEST(FiguresCsv, ListsTheFirstTwentyBadLinesAndCountsTheRest) {
  std::string csv = "period,category,count\n";
  for (int i = 0; i < 25; ++i) csv += "2026-01,fire,-1\n";
  const auto figures = ParseFigures(csv, {"fire"});
  ASSERT_FALSE(figures.ok());
  EXPECT_THAT(figures.status().message(), HasSubstr("25 bad lines"));
  EXPECT_THAT(figures.status().message(), HasSubstr("line 21,"));
  EXPECT_THAT(figures.status().message(), Not(HasSubstr("line 22,")));
  EXPECT_THAT(figures.status().message(), HasSubstr("and 5 more"));
}

}  // namespace
}  // namespace kvo::cycle

namespace kvo::cycle {
namespace {

struct OverdueCase {
  absl::CivilDay deadline;
  const char* status;
  bool overdue;
};

TEST(PlanRules, OverdueAfterTheDeadlineUnlessDoneOrCancelled) {
  const absl::CivilDay today(2026, 6, 10);
  const OverdueCase cases[] = {
      {absl::CivilDay(2026, 6, 9), "planned", true},
      {absl::CivilDay(2026, 6, 9), "in_progress", true},
      {absl::CivilDay(2026, 6, 9), "done", false},
      {absl::CivilDay(2026, 6, 9), "cancelled", false},
      {absl::CivilDay(2026, 6, 10), "planned", false},  // the day itself
      {absl::CivilDay(2026, 7, 1), "planned", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsOverdue(c.deadline, c.status, today), c.overdue)
        << c.deadline << " " << c.status;
  }
  EXPECT_TRUE(CheckActivityStatus("in_progress").ok());
  EXPECT_THAT(CheckActivityStatus("klaar").message(), HasSubstr("--status"));
}

TEST(PlanRules, MeasuresFromPolicyOrTheDefault) {
  kvo::v1::CyclePolicy policy;
  const auto measures = Measures(policy);
  EXPECT_EQ(measures.size(), 6u);
  EXPECT_TRUE(CheckMeasure(measures, "lighting").ok());
  const absl::Status s = CheckMeasure(measures, "moats");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--measure"));
  policy.add_measures("moats");
  EXPECT_TRUE(CheckMeasure(Measures(policy), "moats").ok());
  EXPECT_FALSE(CheckMeasure(Measures(policy), "lighting").ok());
}

TEST(SchouwRules, KindsSeveritiesStatusesAndCategories) {
  const struct {
    std::function<absl::Status(const std::string&)> check;
    std::string value;
    bool ok;
    std::string flag;
  } cases[] = {
      {CheckSchouwKind, "daylight", true, "--kind"},
      {CheckSchouwKind, "dark", true, "--kind"},
      {CheckSchouwKind, "night", false, "--kind"},
      {CheckSeverity, "high", true, "--severity"},
      {CheckSeverity, "critical", false, "--severity"},
      {CheckFindingStatus, "in_progress", true, "--status"},
      {CheckFindingStatus, "done", false, "--status"},
  };
  for (const auto& c : cases) {
    absl::Status s = c.check(c.value);
    EXPECT_EQ(s.ok(), c.ok) << c.value;
    if (!c.ok) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(s.message(), HasSubstr(c.flag));
      EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("got '", c.value, "'")));
    }
  }
  kvo::v1::CyclePolicy policy;
  EXPECT_EQ(SchouwCategories(policy).size(), 9u);
  policy.add_schouw_categories("graffiti");
  EXPECT_EQ(SchouwCategories(policy), std::vector<std::string>{"graffiti"});
  EXPECT_TRUE(CheckOneOf("category (kvo --category)", SchouwCategories(policy),
                         "graffiti")
                  .ok());
  EXPECT_THAT(CheckOneOf("category (kvo --category)", SchouwCategories(policy),
                         "lighting")
                  .message(),
              HasSubstr("--category): one of graffiti; got 'lighting'"));
}

}  // namespace
}  // namespace kvo::cycle
