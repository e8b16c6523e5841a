#ifndef KVO_SERVICES_CYCLE_CYCLE_RULES_H_
#define KVO_SERVICES_CYCLE_CYCLE_RULES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::cycle {

// The rules of the KVO cycle, without I/O: when a licence is in force, who
// must sign the declaration of intent, which certificate comes next and
// until when, what falls due, and where an area stands in the 8 steps.
// Days are Europe/Amsterdam days. Pure; thread-safe.

struct LicenceDates {
  absl::CivilDay valid_from;
  absl::CivilDay valid_until;  // the last day it holds
};

// valid_until before valid_from: INVALID_ARGUMENT naming --valid-until.
absl::Status CheckLicenceDates(const LicenceDates& d);
bool InForce(const LicenceDates& d, absl::CivilDay today);
// Any of `licences` in force on `today`.
bool AnyInForce(const std::vector<LicenceDates>& licences,
                absl::CivilDay today);

// What the door gallery's admission knows of a caller (licence first).
struct DoorShop {
  std::string name;
  std::optional<absl::CivilDay> declaration_signed_on;
};
struct DoorFacts {
  std::vector<int64_t> area_ids;                          // the caller's
  std::map<int64_t, std::vector<LicenceDates>> licences;  // by area
  bool shopkeeper = false;
  std::vector<DoorShop> shops;  // a shopkeeper's
};
// OK when every area has a licence in force on `today` and a shopkeeper
// belongs to at least one shop, each of which signed the declaration to
// follow the model protocol by `today`. Else FAILED_PRECONDITION, the
// reason in Dutch, then in English.
absl::Status DoorAdmissionRule(const DoorFacts& facts, absl::CivilDay today);

// The categories of imported figures (policy cycle.figure_categories, or
// the default list).
std::vector<std::string> FigureCategories(const kvo::v1::CyclePolicy& policy);

// The measures a plan chooses from (policy cycle.measures, or the
// default list).
std::vector<std::string> Measures(const kvo::v1::CyclePolicy& policy);
// A measure not in `measures`: INVALID_ARGUMENT naming --measure.
absl::Status CheckMeasure(const std::vector<std::string>& measures,
                          const std::string& measure);
// What a schouw finds (policy cycle.schouw_categories, or the default
// list).
std::vector<std::string> SchouwCategories(const kvo::v1::CyclePolicy& policy);
// `value` one of `allowed`: OK, else INVALID_ARGUMENT "<field>: one of
// a, b, c; got 'x'" (field: "category (kvo --category)").
absl::Status CheckOneOf(absl::string_view field,
                        const std::vector<std::string>& allowed,
                        const std::string& value);
// daylight or dark (--kind); low, medium or high (--severity); open,
// in_progress or resolved (--status).
absl::Status CheckSchouwKind(const std::string& kind);
absl::Status CheckSeverity(const std::string& severity);
absl::Status CheckFindingStatus(const std::string& status);

// The figures of the reduction report an objective may be judged on: the
// registry's incidents per offence type of `policy` and their total, the
// police's and the fire brigade's figures per category of
// cycle.figure_categories and their totals,
// damage, warnings, bans, objections by outcome, repeat offenders, the
// survey's shares and the donations' sums (the metric names of
// services/reports/reduction_report.cc, kept equal by its unit test).
std::vector<std::string> ObjectiveMetrics(const kvo::v1::Policy& policy);
// An empty metric with a target change of 0 (not measurable) or a metric
// of ObjectiveMetrics with a finite change from -100 to 1000: OK. Else
// INVALID_ARGUMENT naming --metric or --target-change.
absl::Status CheckObjectiveMetric(const kvo::v1::Policy& policy,
                                  const std::string& metric,
                                  double target_change);

// planned, in_progress, done, cancelled: OK, else INVALID_ARGUMENT naming
// --status.
absl::Status CheckActivityStatus(const std::string& status);
// Past its deadline (the deadline day itself is not) and neither done nor
// cancelled.
bool IsOverdue(absl::CivilDay deadline, const std::string& status,
               absl::CivilDay today);

// The parties that must sign (policy cycle.intent_parties, or the default
// municipality, entrepreneurs, police, fire_brigade).
std::vector<std::string> RequiredParties(const kvo::v1::CyclePolicy& policy);
// A signature for `party`: INVALID_ARGUMENT naming --party unless required.
absl::Status CheckSignatureParty(const std::vector<std::string>& required,
                                 const std::string& party);
// The required parties without a signature, in the order of `required`.
std::vector<std::string> MissingParties(
    const std::vector<std::string>& required,
    const std::vector<std::string>& signed_parties);

enum class CertificateKind { kBasisSamenwerken, kContinuSamenwerken };
std::string CertificateKindCode(CertificateKind k);   // "basis_samenwerken"
std::string CertificateKindLabel(CertificateKind k);  // "Basis Samenwerken"

struct NextCertificate {
  CertificateKind kind;
  int stars;
  absl::CivilDay valid_until;
};
// The certificate after `earlier` certificates of the area: "Basis
// Samenwerken" with the 1st star first, then "Continu Samenwerken" with one
// star more each time; valid `interval_years` (29 February → 28 February).
NextCertificate NextCertificateFor(int earlier, absl::CivilDay issued_on,
                                   int interval_years);

// One thing that falls due.
struct Due {
  int64_t area_id = 0;
  std::string what;  // "licence" or "recertification"
  absl::CivilDay due_on;
  std::string detail;
};
// The facts the due list is made of.
struct LicenceFact {
  int64_t area_id = 0;
  std::string number;
  LicenceDates dates;
};
struct CertificateFact {
  int64_t area_id = 0;
  int stars = 0;
  std::string label;  // "Basis Samenwerken"
  absl::CivilDay valid_until;
};
// Per area, its licence that ends last when that ends within
// `licence_notice_days` (or ended), and its latest certificate when that
// ends within `recertification_notice_days`; soonest first.
std::vector<Due> DueList(const std::vector<LicenceFact>& licences,
                         const std::vector<CertificateFact>& certificates,
                         absl::CivilDay today, int licence_notice_days,
                         int recertification_notice_days);

// Whether something ending on `ends_on` is due on `today` with `notice_days`
// of notice (also when it already ended).
bool IsDue(absl::CivilDay ends_on, absl::CivilDay today, int notice_days);
// Soonest first; ties by area, then what.
void SortDue(std::vector<Due>& items);
int LicenceNoticeDays(const kvo::v1::CyclePolicy& policy);          // 0: 60
int RecertificationNoticeDays(const kvo::v1::CyclePolicy& policy);  // 0: 180

// What is known of an area's cycle, for its progress.
struct CycleFacts {
  bool intent_drafted = false;
  std::vector<std::string> missing_signatures;  // parties, when drafted
  int analyses = 0;       // safety analyses (0-meting, 1-meting, ...)
  int plan_versions = 0;  // plans of action (the first, then adjusted)
  // An adjustment names the latest evaluation (AdjustedAfterEvaluation).
  bool adjusted_after_evaluation = false;
  int assessments_passed = 0;
  int certificates = 0;
  std::optional<absl::CivilDay> certificate_valid_until;  // the latest
};

// A measurement of the area as plan adjustment sees it.
struct MeasurementFact {
  int64_t id = 0;
  bool answered = false;  // has a response
};
// The evaluation a plan adjustment follows: the latest answered
// measurement after the area's first answered one (the 0-meting), of
// `by_period` (the area's measurements by period); nullopt before any
// 1-meting.
std::optional<int64_t> LatestEvaluation(
    const std::vector<MeasurementFact>& by_period);
// Whether an adjustment follows the latest evaluation (`evaluation_ids`:
// what the adjustments name). False without an evaluation.
bool AdjustedAfterEvaluation(std::optional<int64_t> latest_evaluation,
                             const std::vector<int64_t>& evaluation_ids);

enum class StepState { kDone, kCurrent, kNext, kLater };
std::string StepStateCode(StepState s);  // "done", "current", ...

struct Step {
  int number = 0;    // 1..8
  std::string name;  // Dutch
  StepState state = StepState::kLater;
  std::vector<std::string> missing;  // the current step's, in Dutch
};
// The 8 steps of DESIGN.md with their state: every step before the first
// unfinished one is done, that one is current, the one after it next. A
// step is never done before the steps it needs (those before it), whatever
// was recorded for it.
// After recertification the cycle goes on: with a certificate that ended
// (or ends within the notice) recertification is current again.
std::vector<Step> Progress(const CycleFacts& facts, absl::CivilDay today,
                           int recertification_notice_days);

// Recording `step` (1..8; `what`, e.g. "a certificate") needs every step
// before it done. FAILED_PRECONDITION naming each missing one, as a
// coordinator reads it (step, what is missing, the kvo commands that record
// it); OK otherwise. The recertification notice plays no part: a step before
// recertification is done or not by its own record.
absl::Status CheckStepsBefore(const CycleFacts& facts, int step,
                              absl::string_view what);

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_RULES_H_
