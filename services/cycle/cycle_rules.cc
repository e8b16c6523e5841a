#include "services/cycle/cycle_rules.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/party_kinds.h"

namespace kvo::cycle {
namespace {

constexpr int kDefaultLicenceNoticeDays = 60;
constexpr int kDefaultRecertificationNoticeDays = 180;

std::string PartyLabel(const std::string& code) {
  const common::PartyKind* kind = common::FindPartyKind(code);
  return kind == nullptr ? code : std::string(kind->label_nl);
}

}  // namespace

absl::Status CheckLicenceDates(const LicenceDates& d) {
  if (d.valid_until < d.valid_from) {
    return absl::InvalidArgumentError(
        absl::StrCat("valid_until (kvo --valid-until): ",
                     absl::FormatCivilTime(d.valid_until),
                     " is before valid_from (--valid-from) ",
                     absl::FormatCivilTime(d.valid_from),
                     "; a licence ends on or after the day it starts"));
  }
  return absl::OkStatus();
}

bool InForce(const LicenceDates& d, absl::CivilDay today) {
  return d.valid_from <= today && today <= d.valid_until;
}

bool AnyInForce(const std::vector<LicenceDates>& licences,
                absl::CivilDay today) {
  return std::any_of(licences.begin(), licences.end(),
                     [&](const LicenceDates& d) { return InForce(d, today); });
}

absl::Status DoorAdmissionRule(const DoorFacts& facts, absl::CivilDay today) {
  for (int64_t area : facts.area_ids) {
    auto it = facts.licences.find(area);
    if (it == facts.licences.end() || !AnyInForce(it->second, today)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Voor gebied ", area,
          " is geen vergunning van kracht: de deurgalerij wordt niet getoond. "
          "/ No licence is in force for area ",
          area, ": the door gallery is not served."));
    }
  }
  if (!facts.shopkeeper) return absl::OkStatus();
  if (facts.shops.empty()) {
    return absl::FailedPreconditionError(
        "U hoort bij geen deelnemende winkel: de deurgalerij wordt niet "
        "getoond. / You belong to no participating shop: the door gallery is "
        "not served.");
  }
  for (const DoorShop& shop : facts.shops) {
    if (!shop.declaration_signed_on || *shop.declaration_signed_on > today) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Winkel '", shop.name,
          "' heeft de verklaring om het modelprotocol te volgen niet "
          "getekend: de deurgalerij wordt niet getoond. / Shop '",
          shop.name,
          "' has not signed the declaration to follow the model protocol: the "
          "door gallery is not served."));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> FigureCategories(const kvo::v1::CyclePolicy& policy) {
  if (policy.figure_categories_size() == 0) {
    return {"shoplifting", "pickpocketing", "burglary",
            "robbery",     "violence",      "vandalism",
            "nuisance",    "fire",          "false_alarm"};
  }
  return {policy.figure_categories().begin(), policy.figure_categories().end()};
}

std::vector<std::string> SchouwCategories(const kvo::v1::CyclePolicy& policy) {
  if (policy.schouw_categories_size() == 0) {
    return {"lighting",   "cleanliness", "vacancy",
            "graffiti",   "fire_safety", "escape_routes",
            "visibility", "access",      "other"};
  }
  return {policy.schouw_categories().begin(), policy.schouw_categories().end()};
}

absl::Status CheckOneOf(absl::string_view field,
                        const std::vector<std::string>& allowed,
                        const std::string& value) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": one of ", absl::StrJoin(allowed, ", "), "; got '",
                   value.substr(0, 40), "'"));
}

absl::Status CheckSchouwKind(const std::string& kind) {
  return CheckOneOf("kind (kvo --kind)", {"daylight", "dark"}, kind);
}

absl::Status CheckSeverity(const std::string& severity) {
  return CheckOneOf("severity (kvo --severity)", {"low", "medium", "high"},
                    severity);
}

absl::Status CheckFindingStatus(const std::string& status) {
  return CheckOneOf("status (kvo --status)",
                    {"open", "in_progress", "resolved"}, status);
}

std::vector<std::string> ObjectiveMetrics(const kvo::v1::Policy& policy) {
  std::vector<std::string> out;
  for (const auto& t : policy.offence_types()) {
    out.push_back(absl::StrCat("incidents.", t.code()));
  }
  out.push_back("incidents.total");
  for (const char* source : {"police", "fire"}) {
    for (const auto& c : FigureCategories(policy.cycle())) {
      out.push_back(absl::StrCat(source, ".", c));
    }
  }
  out.push_back("fire.total");
  for (const char* m :
       {"police.total", "damage", "police_reports", "police_reports.rate",
        "cards.collective_warning", "cards.ban", "objections.upheld",
        "objections.rejected", "objections.pending", "repeat_offenders",
        "survey.respondents", "survey.feel_safe", "survey.victimisation",
        "survey.reporting_rate", "donations.claimed", "donations.paid",
        "donations.shop_share"}) {
    out.push_back(m);
  }
  return out;
}

absl::Status CheckObjectiveMetric(const kvo::v1::Policy& policy,
                                  const std::string& metric,
                                  double target_change) {
  if (metric.empty()) {
    if (target_change == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "target_change (kvo --target-change): needs --metric, the figure it "
        "is measured on");
  }
  if (auto s =
          CheckOneOf("metric (kvo --metric)", ObjectiveMetrics(policy), metric);
      !s.ok()) {
    return s;
  }
  if (!std::isfinite(target_change) || target_change < -100 ||
      target_change > 1000) {
    return absl::InvalidArgumentError(
        "target_change (kvo --target-change): a change in percent (or "
        "percentage points) from -100 to 1000, e.g. -10");
  }
  return absl::OkStatus();
}

std::vector<std::string> Measures(const kvo::v1::CyclePolicy& policy) {
  if (policy.measures_size() == 0) {
    return {"camera_surveillance",    "lighting",    "prevention_training",
            "organised_surveillance", "fire_safety", "collective_shop_ban"};
  }
  return {policy.measures().begin(), policy.measures().end()};
}

absl::Status CheckMeasure(const std::vector<std::string>& measures,
                          const std::string& measure) {
  if (std::find(measures.begin(), measures.end(), measure) != measures.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "measure (kvo --measure): one of ", absl::StrJoin(measures, ", "),
      "; got '", measure.substr(0, 40), "'"));
}

absl::Status CheckActivityStatus(const std::string& status) {
  for (const char* s : {"planned", "in_progress", "done", "cancelled"}) {
    if (status == s) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "status (kvo --status): planned, in_progress, done or cancelled");
}

bool IsOverdue(absl::CivilDay deadline, const std::string& status,
               absl::CivilDay today) {
  return deadline < today && status != "done" && status != "cancelled";
}

std::vector<std::string> RequiredParties(const kvo::v1::CyclePolicy& policy) {
  if (policy.intent_parties_size() == 0) {
    return {"municipality", "entrepreneurs", "police", "fire_brigade"};
  }
  return {policy.intent_parties().begin(), policy.intent_parties().end()};
}

absl::Status CheckSignatureParty(const std::vector<std::string>& required,
                                 const std::string& party) {
  if (std::find(required.begin(), required.end(), party) != required.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("party (kvo --party): '", party,
                   "' need not sign this declaration of intent; the parties "
                   "that sign are ",
                   absl::StrJoin(required, ", ")));
}

std::vector<std::string> MissingParties(
    const std::vector<std::string>& required,
    const std::vector<std::string>& signed_parties) {
  std::vector<std::string> out;
  for (const auto& p : required) {
    if (std::find(signed_parties.begin(), signed_parties.end(), p) ==
        signed_parties.end()) {
      out.push_back(p);
    }
  }
  return out;
}

std::string CertificateKindCode(CertificateKind k) {
  return k == CertificateKind::kBasisSamenwerken ? "basis_samenwerken"
                                                 : "continu_samenwerken";
}

std::string CertificateKindLabel(CertificateKind k) {
  return k == CertificateKind::kBasisSamenwerken ? "Basis Samenwerken"
                                                 : "Continu Samenwerken";
}

NextCertificate NextCertificateFor(int earlier, absl::CivilDay issued_on,
                                   int interval_years) {
  NextCertificate out;
  out.kind = earlier == 0 ? CertificateKind::kBasisSamenwerken
                          : CertificateKind::kContinuSamenwerken;
  out.stars = earlier + 1;
  const absl::CivilYear year(issued_on.year() + interval_years);
  absl::CivilDay until(year.year(), issued_on.month(), issued_on.day());
  // CivilDay normalises 29 February of a common year to 1 March; the
  // certificate does not outlive its anniversary.
  if (until.month() != issued_on.month()) until -= 1;
  out.valid_until = until;
  return out;
}

bool IsDue(absl::CivilDay ends_on, absl::CivilDay today, int notice_days) {
  return ends_on - today <= notice_days;
}

void SortDue(std::vector<Due>& items) {
  std::sort(items.begin(), items.end(), [](const Due& a, const Due& b) {
    return std::tie(a.due_on, a.area_id, a.what) <
           std::tie(b.due_on, b.area_id, b.what);
  });
}

std::vector<Due> DueList(const std::vector<LicenceFact>& licences,
                         const std::vector<CertificateFact>& certificates,
                         absl::CivilDay today, int licence_notice_days,
                         int recertification_notice_days) {
  std::map<int64_t, const LicenceFact*> last_licence;
  for (const auto& l : licences) {
    auto& kept = last_licence[l.area_id];
    if (kept == nullptr || kept->dates.valid_until < l.dates.valid_until) {
      kept = &l;
    }
  }
  std::map<int64_t, const CertificateFact*> last_certificate;
  for (const auto& c : certificates) {
    auto& kept = last_certificate[c.area_id];
    if (kept == nullptr || kept->stars < c.stars) kept = &c;
  }
  std::vector<Due> out;
  for (const auto& [area, l] : last_licence) {
    if (IsDue(l->dates.valid_until, today, licence_notice_days)) {
      out.push_back({area, "licence", l->dates.valid_until, l->number});
    }
  }
  for (const auto& [area, c] : last_certificate) {
    if (IsDue(c->valid_until, today, recertification_notice_days)) {
      out.push_back({area, "recertification", c->valid_until,
                     absl::StrCat(c->label, ", ", c->stars, " ster",
                                  c->stars == 1 ? "" : "ren")});
    }
  }
  SortDue(out);
  return out;
}

int LicenceNoticeDays(const kvo::v1::CyclePolicy& policy) {
  return policy.licence_notice_days() > 0 ? policy.licence_notice_days()
                                          : kDefaultLicenceNoticeDays;
}

int RecertificationNoticeDays(const kvo::v1::CyclePolicy& policy) {
  return policy.recertification_notice_days() > 0
             ? policy.recertification_notice_days()
             : kDefaultRecertificationNoticeDays;
}

std::string StepStateCode(StepState s) {
  switch (s) {
    case StepState::kDone:
      return "done";
    case StepState::kCurrent:
      return "current";
    case StepState::kNext:
      return "next";
    case StepState::kLater:
      return "later";
  }
  return "later";
}

std::optional<int64_t> LatestEvaluation(
    const std::vector<MeasurementFact>& by_period) {
  std::optional<int64_t> latest;
  bool baseline = false;
  for (const MeasurementFact& m : by_period) {
    if (!m.answered) continue;
    if (baseline) latest = m.id;
    baseline = true;
  }
  return latest;
}

bool AdjustedAfterEvaluation(std::optional<int64_t> latest_evaluation,
                             const std::vector<int64_t>& evaluation_ids) {
  return latest_evaluation.has_value() &&
         std::find(evaluation_ids.begin(), evaluation_ids.end(),
                   *latest_evaluation) != evaluation_ids.end();
}

namespace {

// One step of the cycle as its own facts show it, before the order of the
// steps is applied: done by its own record, what is missing (Dutch, for the
// status) and, for a refusal in the CLI's English, what records it.
struct StepDef {
  const char* name;
  bool done;
  std::vector<std::string> missing;
  const char* english;  // what is missing
  const char* command;  // the kvo commands that record it
};

std::vector<StepDef> StepDefs(const CycleFacts& f, absl::CivilDay today,
                              int recertification_notice_days) {
  const bool certificate_due =
      f.certificate_valid_until.has_value() &&
      IsDue(*f.certificate_valid_until, today, recertification_notice_days);
  std::vector<std::string> intent_missing;
  if (!f.intent_drafted) {
    intent_missing.push_back("de tekst van de intentieverklaring");
  }
  for (const auto& p : f.missing_signatures) {
    intent_missing.push_back(
        absl::StrCat("de handtekening van de partij ", PartyLabel(p)));
  }
  const bool recertified = f.certificates >= 2 && !certificate_due;
  return {
      {"Intentieverklaring", f.intent_drafted && f.missing_signatures.empty(),
       intent_missing, "a declaration of intent signed by every required party",
       "kvo intent draft, then kvo intent sign per party"},
      {"Veiligheidsanalyse (0-meting)",
       f.analyses >= 1,
       {"een 0-meting: ondernemersenquête, schouw en cijfers van politie en "
        "brandweer"},
       "a 0-meting: a measurement with survey answers",
       "kvo survey measure, then kvo survey answer"},
      {"Plan van aanpak",
       f.plan_versions >= 1,
       {"een plan van aanpak met doelen, maatregelen en activiteiten"},
       "a plan of action with an objective and an activity",
       "kvo plan objective, then kvo plan activity"},
      {"Certificering (Basis Samenwerken)",
       f.certificates >= 1,
       {f.assessments_passed == 0
            ? "een geslaagde toetsing door een onafhankelijke certificeerder"
            : "het certificaat Basis Samenwerken"},
       "the certificate Basis Samenwerken",
       "kvo cert assess, then kvo cert issue"},
      {"Uitvoering",
       f.analyses >= 2,
       {"de maatregelen uitvoeren tot de evaluatie (1-meting)"},
       "the measures carried out up to a 1-meting",
       "kvo survey measure, then kvo survey answer (the 1-meting)"},
      {"Evaluatie (1-meting)",
       f.analyses >= 2,
       {"een 1-meting: een nieuwe veiligheidsanalyse"},
       "a 1-meting: a new measurement with survey answers",
       "kvo survey measure, then kvo survey answer"},
      {"Bijstellen",
       f.analyses >= 2 && f.adjusted_after_evaluation,
       {"een bijstelling van het plan van aanpak na de laatste 1-meting "
        "(kvo plan adjust)"},
       "an adjustment of the plan after the latest 1-meting",
       "kvo plan adjust"},
      {"Hercertificering (Continu Samenwerken)",
       recertified,
       {f.assessments_passed <= f.certificates
            ? "een geslaagde hertoetsing"
            : "het certificaat Continu Samenwerken"},
       "the certificate Continu Samenwerken",
       "kvo cert assess, then kvo cert issue"},
  };
}

}  // namespace

std::vector<Step> Progress(const CycleFacts& f, absl::CivilDay today,
                           int recertification_notice_days) {
  const std::vector<StepDef> defs =
      StepDefs(f, today, recertification_notice_days);
  std::vector<Step> steps;
  int current = 0, next = 0;
  for (size_t i = 0; i < defs.size(); ++i) {
    Step s;
    s.number = static_cast<int>(i) + 1;
    s.name = defs[i].name;
    // A step needs the ones before it: its own record does not make it done
    // while an earlier step is not (a certificate without a 0-meting).
    if (defs[i].done && current == 0) {
      s.state = StepState::kDone;
    } else if (current == 0) {
      s.state = StepState::kCurrent;
      s.missing = defs[i].missing;
      current = s.number;
    } else if (next == 0) {
      s.state = StepState::kNext;
      next = s.number;
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

absl::Status CheckStepsBefore(const CycleFacts& f, int step,
                              absl::string_view what) {
  const std::vector<StepDef> defs = StepDefs(f, absl::CivilDay(1970, 1, 1), 0);
  std::vector<std::string> missing;
  for (int i = 0; i + 1 < step && i < static_cast<int>(defs.size()); ++i) {
    if (defs[i].done) continue;
    missing.push_back(absl::StrCat("step ", i + 1, " (", defs[i].name,
                                   "): ", defs[i].english, "; record it with ",
                                   defs[i].command));
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(what, " is step ", step,
                   " of the KVO cycle and needs the "
                   "steps before it; missing: ",
                   absl::StrJoin(missing, "; ")));
}

}  // namespace kvo::cycle
