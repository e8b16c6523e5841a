#include "services/cycle/cycle_use_cases.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/cycle/cycle_door_admission.h"
#include "services/cycle/cycle_requests.h"
#include "services/cycle/cycle_rules.h"
#include "services/cycle/figures_csv.h"
#include "services/cycle/pg_cycle_store.h"
#include "services/cycle/schouw_photo_rules.h"
#include "services/cycle/survey_rules.h"
#include "services/gallery/door_admission.h"
#include "services/identity/pg_identity_store.h"
#include "services/photos/photo_intake.h"
#include "services/photos/policy_limits.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::cycle {
namespace {

using audit::PgAuditStore;
using registry::PgRegistryStore;
using Store = PgCycleStore;
using Tx = pqxx::transaction_base;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

absl::Status AreaExists(Tx& tx, int64_t area_id) {
  if (identity::PgIdentityStore::MissingAreas(tx, {area_id}).empty()) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(
      absl::StrCat("area_id (kvo --area): area ", area_id, " does not exist"));
}

kvo::v1::AreaContact AreaContactProto(const AreaContactRow& c) {
  kvo::v1::AreaContact out;
  out.set_area_id(c.area_id);
  out.set_coordinator(c.coordinator);
  out.set_objection_address(c.objection_address);
  out.set_objection_email(c.objection_email);
  out.set_phone(c.phone);
  out.set_payee(c.payee);
  out.set_iban(c.iban);
  return out;
}

// The change's audit entry, about the area.
void Audit(Tx& tx, const audit::AuditRecord& who, const std::string& action,
           int64_t area_id) {
  audit::AuditRecord r = who;
  r.action = action;
  r.subject = absl::StrCat("area:", area_id);
  r.purpose = "administration";
  r.area_id = area_id;
  PgAuditStore::Append(tx, r);
}

kvo::v1::Licence LicenceProto(const LicenceRow& l, absl::CivilDay today) {
  kvo::v1::Licence out;
  out.set_id(l.id);
  out.set_area_id(l.area_id);
  out.set_kind(l.kind);
  out.set_number(l.number);
  out.set_holder(l.holder);
  out.set_valid_from(Day(l.valid_from));
  out.set_valid_until(Day(l.valid_until));
  out.set_in_force(InForce({l.valid_from, l.valid_until}, today));
  return out;
}

kvo::v1::Participant ParticipantProto(
    const registry::ShopRow& shop,
    const std::map<int64_t, ParticipationRow>& participations) {
  kvo::v1::Participant out;
  out.set_shop_id(shop.id);
  out.set_area_id(shop.area_id);
  out.set_shop_name(shop.name);
  if (auto it = participations.find(shop.id); it != participations.end()) {
    out.set_agreement_signed_on(Day(it->second.agreement_signed_on));
    if (it->second.declaration_signed_on) {
      out.set_declaration_signed_on(Day(*it->second.declaration_signed_on));
    }
  }
  return out;
}

kvo::v1::Certificate CertificateProto(const CertificateRow& c) {
  kvo::v1::Certificate out;
  out.set_id(c.id);
  out.set_area_id(c.area_id);
  out.set_kind(c.kind);
  out.set_stars(c.stars);
  out.set_issued_on(Day(c.issued_on));
  out.set_valid_until(Day(c.valid_until));
  out.set_assessment_id(c.assessment_id);
  return out;
}

std::string CertificateLabel(const std::string& code) {
  return code == CertificateKindCode(CertificateKind::kBasisSamenwerken)
             ? CertificateKindLabel(CertificateKind::kBasisSamenwerken)
             : CertificateKindLabel(CertificateKind::kContinuSamenwerken);
}

kvo::v1::Activity ActivityProto(const ActivityRow& a, absl::CivilDay today) {
  kvo::v1::Activity out;
  out.set_id(a.id);
  out.set_area_id(a.area_id);
  out.set_objective_id(a.objective_id);
  out.set_description(a.description);
  out.set_owner(a.owner);
  out.set_deadline(Day(a.deadline));
  out.set_status(a.status);
  out.set_overdue(IsOverdue(a.deadline, a.status, today));
  return out;
}

// The intent of an area as it stands, or nullopt before its text.
std::optional<kvo::v1::Intent> IntentOf(Tx& tx, int64_t area_id,
                                        const kvo::v1::CyclePolicy& policy) {
  auto text = Store::IntentText(tx, area_id);
  if (!text) return std::nullopt;
  kvo::v1::Intent out;
  out.set_area_id(area_id);
  out.set_text(*text);
  const auto required = RequiredParties(policy);
  std::vector<std::string> signed_parties;
  for (const auto& s : Store::Signatures(tx, area_id)) {
    auto* sig = out.add_signatures();
    sig->set_party(s.party);
    sig->set_signed_by(s.signed_by);
    sig->set_signed_on(Day(s.signed_on));
    signed_parties.push_back(s.party);
  }
  for (const auto& p : required) out.add_required_parties(p);
  const auto missing = MissingParties(required, signed_parties);
  for (const auto& p : missing) out.add_missing_parties(p);
  out.set_complete(missing.empty());
  return out;
}

kvo::v1::Objective ObjectiveProto(const ObjectiveRow& o) {
  kvo::v1::Objective out;
  out.set_id(o.id);
  out.set_area_id(o.area_id);
  out.set_description(o.description);
  out.set_target(o.target);
  out.set_measure(o.measure);
  out.set_metric(o.metric.value_or(""));
  out.set_target_change(o.target_change_pct.value_or(0));
  return out;
}

kvo::v1::Finding FindingProto(const FindingRow& f) {
  kvo::v1::Finding out;
  out.set_id(f.id);
  out.set_area_id(f.area_id);
  out.set_round_id(f.round_id);
  out.set_street(f.street);
  out.set_category(f.category);
  out.set_severity(f.severity);
  out.set_description(f.description);
  out.set_status(f.status);
  out.set_follow_up(f.follow_up);
  out.set_has_photo(f.has_photo);
  if (f.photo_deleted_at) {
    out.set_photo_deleted_on(
        Day(absl::ToCivilDay(*f.photo_deleted_at, common::Amsterdam())));
  }
  return out;
}

// What a finding's sealed photo is bound to: moved to another finding, it
// does not open.
std::string PhotoBinding(int64_t finding_id, absl::string_view what) {
  return absl::StrCat("schouw-finding:", finding_id, "/", what);
}

// The day the retention job deleted the photo of the area's finding, if it
// did.
std::optional<absl::CivilDay> PhotoDeletedOn(Tx& tx, int64_t area_id,
                                             int64_t finding_id) {
  auto f = Store::Finding(tx, area_id, finding_id);
  if (!f || !f->photo_deleted_at) return std::nullopt;
  return absl::ToCivilDay(*f->photo_deleted_at, common::Amsterdam());
}

kvo::v1::PlanAdjustment AdjustmentProto(const AdjustmentRow& a) {
  kvo::v1::PlanAdjustment out;
  out.set_id(a.id);
  out.set_area_id(a.area_id);
  out.set_plan_version(a.plan_version);
  out.set_adjusted_on(Day(a.adjusted_on));
  out.set_reason(a.reason);
  out.set_evaluation_id(a.evaluation_id);
  out.set_evaluation_label(a.evaluation_label);
  for (const PlanChangeRow& c : a.changes) {
    auto* change = out.add_changes();
    change->set_kind(c.kind);
    change->set_objective_id(c.objective_id);
    change->set_activity_id(c.activity_id);
    change->set_old_target(c.old_target.value_or(0));
    change->set_new_target(c.new_target.value_or(0));
  }
  return out;
}

// The measurement a plan adjustment of the area follows now (the latest
// 1-meting or later), if any.
std::optional<MeasurementRow> LatestEvaluationOf(Tx& tx, int64_t area_id) {
  const auto measurements = PgCycleStore::Measurements(tx, area_id);
  const auto answered = PgCycleStore::SurveyCountsOfArea(tx, area_id);
  std::vector<MeasurementFact> facts;
  for (const auto& m : measurements) {
    facts.push_back({m.id, answered.contains(m.id)});
  }
  const auto id = LatestEvaluation(facts);
  if (!id) return std::nullopt;
  for (const auto& m : measurements) {
    if (m.id == *id) return m;
  }
  return std::nullopt;
}

kvo::v1::Measurement MeasurementProto(const MeasurementRow& m) {
  kvo::v1::Measurement out;
  out.set_id(m.id);
  out.set_area_id(m.area_id);
  out.set_label(m.label);
  out.set_period_from(Day(m.period_from));
  out.set_period_to(Day(m.period_to));
  out.set_questionnaire_version(m.questionnaire_version);
  return out;
}

// What is recorded of the area's cycle, for its status and for the steps a
// new record needs.
CycleFacts FactsOf(Tx& tx, int64_t area_id,
                   const kvo::v1::CyclePolicy& policy) {
  CycleFacts facts;
  if (auto intent = IntentOf(tx, area_id, policy)) {
    facts.intent_drafted = true;
    facts.missing_signatures = {intent->missing_parties().begin(),
                                intent->missing_parties().end()};
  }
  // A safety analysis: a measurement with a response.
  facts.analyses =
      static_cast<int>(Store::SurveyCountsOfArea(tx, area_id).size());
  // A plan with an objective and an activity, then one version more
  // per adjustment; step 7 needs one after the latest evaluation.
  if (!Store::Objectives(tx, area_id).empty() &&
      !Store::Activities(tx, area_id).empty()) {
    facts.plan_versions = 1;
  }
  std::vector<int64_t> adjusted;
  for (const auto& a : Store::Adjustments(tx, area_id)) {
    adjusted.push_back(a.evaluation_id);
    facts.plan_versions = std::max(facts.plan_versions, a.plan_version);
  }
  const auto evaluation = LatestEvaluationOf(tx, area_id);
  facts.adjusted_after_evaluation = AdjustedAfterEvaluation(
      evaluation ? std::optional<int64_t>(evaluation->id) : std::nullopt,
      adjusted);
  for (const auto& a : Store::Assessments(tx, area_id)) {
    if (a.passed) ++facts.assessments_passed;
  }
  const auto certificates = Store::Certificates(tx, {area_id});
  facts.certificates = static_cast<int>(certificates.size());
  if (!certificates.empty()) {
    facts.certificate_valid_until = certificates.back().valid_until;
  }
  return facts;
}

}  // namespace

CycleUseCases::CycleUseCases(const kvo::v1::Policy& policy,
                             const kvo::v1::Questionnaire& questionnaire,
                             common::DbPool& pool,
                             CycleDoorAdmission& admission,
                             const registry::KeyRing& keys,
                             const common::Clock& clock)
    : policy_(policy),
      questionnaire_(questionnaire),
      pool_(pool),
      admission_(admission),
      photo_key_(keys.PurposeKey("schouwph")),
      clock_(clock) {}

absl::CivilDay CycleUseCases::Today() const {
  return absl::ToCivilDay(clock_.Now(), common::Amsterdam());
}

absl::StatusOr<kvo::v1::AreaOverview> CycleUseCases::GetArea(
    const audit::AuditRecord& who, int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "read area",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::AreaOverview> {
        const auto areas =
            identity::PgIdentityStore::ListAreas(tx, {area_id}, false);
        if (areas.empty()) return AreaExists(tx, area_id);
        kvo::v1::AreaOverview out;
        *out.mutable_area() = areas.front();
        for (const auto& s : Store::Streets(tx, area_id)) {
          auto* street = out.add_streets();
          street->set_id(s.id);
          street->set_area_id(s.area_id);
          street->set_name(s.name);
          street->set_contact_name(s.contact_name);
          street->set_contact_details(s.contact_details);
        }
        for (const auto& p : Store::Parties(tx, area_id)) {
          auto* party = out.add_parties();
          party->set_id(p.id);
          party->set_area_id(p.area_id);
          party->set_kind(p.kind);
          party->set_name(p.name);
          party->set_contact_name(p.contact_name);
          party->set_contact_details(p.contact_details);
        }
        const auto shops = PgRegistryStore::ShopsOfArea(tx, area_id);
        std::vector<int64_t> ids;
        for (const auto& s : shops) ids.push_back(s.id);
        auto participations = Store::Participations(tx, ids);
        for (auto it = participations.begin(); it != participations.end();) {
          if (it->second.intact) {
            ++it;
            continue;
          }
          RaiseAlteredRowAlarm(tx, who, absl::StrCat("shop:", it->first),
                               "area view: participation");
          it = participations.erase(it);
        }
        for (const auto& s : shops) {
          *out.add_participants() = ParticipantProto(s, participations);
        }
        for (const auto& l : Store::Licences(tx, {area_id})) {
          if (!l.intact) {
            RaiseAlteredRowAlarm(tx, who, absl::StrCat("area:", area_id),
                                 absl::StrCat("area view: licence ", l.id));
            continue;
          }
          *out.add_licences() = LicenceProto(l, today);
        }
        *out.mutable_contact() =
            AreaContactProto(Store::AreaContact(tx, area_id));
        // The contacts of streets and parties are people's names.
        Audit(tx, who, "cycle.read_area", area_id);
        return out;
      });
}

absl::StatusOr<kvo::v1::Street> CycleUseCases::AddStreet(
    const audit::AuditRecord& who, const kvo::v1::AddStreetRequest& r) {
  if (auto s = ValidateAddStreetRequest(r); !s.ok()) return s;
  return pool_.InTransaction(
      "add street", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Street> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        auto id = Store::InsertStreet(
            tx,
            {0, r.area_id(), r.name(), r.contact_name(), r.contact_details()});
        if (!id) {
          return absl::AlreadyExistsError(
              absl::StrCat("name (kvo --name): the area already has a street '",
                           r.name(), "'"));
        }
        Audit(tx, who, "cycle.add_street", r.area_id());
        kvo::v1::Street out;
        out.set_id(*id);
        out.set_area_id(r.area_id());
        out.set_name(r.name());
        out.set_contact_name(r.contact_name());
        out.set_contact_details(r.contact_details());
        return out;
      });
}

absl::StatusOr<kvo::v1::Party> CycleUseCases::AddParty(
    const audit::AuditRecord& who, const kvo::v1::AddPartyRequest& r) {
  if (auto s = ValidateAddPartyRequest(r); !s.ok()) return s;
  return pool_.InTransaction(
      "add party", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Party> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        auto id =
            Store::InsertParty(tx, {0, r.area_id(), r.kind(), r.name(),
                                    r.contact_name(), r.contact_details()});
        if (!id) {
          return absl::AlreadyExistsError(
              absl::StrCat("name (kvo --name): the area already has a party '",
                           r.name(), "' of kind ", r.kind()));
        }
        Audit(tx, who, "cycle.add_party", r.area_id());
        kvo::v1::Party out;
        out.set_id(*id);
        out.set_area_id(r.area_id());
        out.set_kind(r.kind());
        out.set_name(r.name());
        out.set_contact_name(r.contact_name());
        out.set_contact_details(r.contact_details());
        return out;
      });
}

absl::StatusOr<kvo::v1::Participant> CycleUseCases::RecordParticipant(
    const audit::AuditRecord& who, const kvo::v1::RecordParticipantRequest& r) {
  auto days = ValidateRecordParticipantRequest(r);
  if (!days.ok()) return days.status();
  if (days->declaration && *days->declaration > Today()) {
    return absl::InvalidArgumentError(
        "declaration_signed_on (kvo --declaration-signed): not in the future");
  }
  auto recorded = pool_.InTransaction(
      "record participant",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Participant> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        auto shop = PgRegistryStore::ShopById(tx, r.shop_id());
        if (!shop || shop->area_id != r.area_id()) {
          return absl::NotFoundError(absl::StrCat("shop_id (kvo --shop): area ",
                                                  r.area_id(), " has no shop ",
                                                  r.shop_id()));
        }
        ParticipationRow row{r.shop_id(), days->agreement, days->declaration};
        Store::UpsertParticipation(tx, row, who.principal_id);
        gallery::AnnounceAdmissionChange(tx);
        Audit(tx, who, "cycle.record_participant", r.area_id());
        return ParticipantProto(*shop, {{row.shop_id, row}});
      });
  if (recorded.ok()) admission_.Forget();
  return recorded;
}

absl::StatusOr<kvo::v1::AreaContact> CycleUseCases::SetAreaContact(
    const audit::AuditRecord& who, const kvo::v1::SetAreaContactRequest& r) {
  auto valid = ValidateSetAreaContactRequest(r);
  if (!valid.ok()) return valid.status();
  return pool_.InTransaction(
      "set area contact",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::AreaContact> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        const AreaContactRow merged = Store::MergeAreaContact(
            tx,
            {valid->area_id(), valid->coordinator(), valid->objection_address(),
             valid->objection_email(), valid->phone(), valid->payee(),
             valid->iban()},
            who.principal_id);
        Audit(tx, who, "cycle.set_area_contact", r.area_id());
        return AreaContactProto(merged);
      });
}

absl::StatusOr<kvo::v1::Licence> CycleUseCases::RecordLicence(
    const audit::AuditRecord& who, const kvo::v1::RecordLicenceRequest& r) {
  auto days = ValidateRecordLicenceRequest(r);
  if (!days.ok()) return days.status();
  const absl::CivilDay today = Today();
  auto recorded = pool_.InTransaction(
      "record licence",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Licence> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        LicenceRow row;
        row.area_id = r.area_id();
        row.kind = r.kind();
        row.number = r.number();
        row.holder = r.holder();
        row.valid_from = days->valid_from;
        row.valid_until = days->valid_until;
        row.id = Store::InsertLicence(tx, row, who.principal_id);
        gallery::AnnounceAdmissionChange(tx);
        Audit(tx, who, "cycle.record_licence", r.area_id());
        return LicenceProto(row, today);
      });
  if (recorded.ok()) admission_.Forget();
  return recorded;
}

absl::StatusOr<kvo::v1::ListDueResponse> CycleUseCases::ListDue(
    const std::vector<int64_t>& area_ids, bool all) {
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "list due",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ListDueResponse> {
        std::vector<LicenceFact> licences;
        for (const auto& l : Store::Licences(tx, area_ids, all)) {
          licences.push_back(
              {l.area_id, l.number, {l.valid_from, l.valid_until}});
        }
        std::vector<CertificateFact> certificates;
        for (const auto& c : Store::Certificates(tx, area_ids, all)) {
          certificates.push_back(
              {c.area_id, c.stars, CertificateLabel(c.kind), c.valid_until});
        }
        kvo::v1::ListDueResponse out;
        for (const Due& d :
             DueList(licences, certificates, today,
                     LicenceNoticeDays(policy_.cycle()),
                     RecertificationNoticeDays(policy_.cycle()))) {
          auto* item = out.add_items();
          item->set_area_id(d.area_id);
          item->set_what(d.what);
          item->set_due_on(Day(d.due_on));
          item->set_days_left(static_cast<int32_t>(d.due_on - today));
          item->set_detail(d.detail);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::Intent> CycleUseCases::DraftIntent(
    const audit::AuditRecord& who, const kvo::v1::DraftIntentRequest& r) {
  if (auto s = ValidateDraftIntentRequest(r); !s.ok()) return s;
  return pool_.InTransaction(
      "draft intent", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Intent> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        Store::UpsertIntent(tx, r.area_id(), r.text(), who.principal_id);
        Audit(tx, who, "cycle.draft_intent", r.area_id());
        return *IntentOf(tx, r.area_id(), policy_.cycle());
      });
}

absl::StatusOr<kvo::v1::Intent> CycleUseCases::SignIntent(
    const audit::AuditRecord& who, const kvo::v1::SignIntentRequest& r) {
  auto day = ValidateSignIntentRequest(r);
  if (!day.ok()) return day.status();
  if (auto s = CheckSignatureParty(RequiredParties(policy_.cycle()), r.party());
      !s.ok()) {
    return s;
  }
  if (*day > Today()) {
    return absl::InvalidArgumentError(
        "signed_on (kvo --signed-on): not in the future");
  }
  return pool_.InTransaction(
      "sign intent", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Intent> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        if (!Store::IntentTextForUpdate(tx, r.area_id())) {
          return absl::FailedPreconditionError(absl::StrCat(
              "area ", r.area_id(),
              " has no declaration of intent yet; draft it first (kvo intent "
              "draft)"));
        }
        Store::UpsertSignature(tx, r.area_id(),
                               {r.party(), r.signed_by(), *day});
        Audit(tx, who, "cycle.sign_intent", r.area_id());
        return *IntentOf(tx, r.area_id(), policy_.cycle());
      });
}

absl::StatusOr<kvo::v1::Intent> CycleUseCases::GetIntent(int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  return pool_.InTransaction(
      "read intent", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Intent> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        auto intent = IntentOf(tx, area_id, policy_.cycle());
        if (!intent) {
          return absl::NotFoundError(absl::StrCat(
              "area ", area_id, " has no declaration of intent yet"));
        }
        return *intent;
      });
}

absl::StatusOr<kvo::v1::Assessment> CycleUseCases::RecordAssessment(
    const audit::AuditRecord& who, const kvo::v1::RecordAssessmentRequest& r) {
  auto day = ValidateRecordAssessmentRequest(r);
  if (!day.ok()) return day.status();
  if (*day > Today()) {
    return absl::InvalidArgumentError(
        "assessed_on (kvo --assessed-on): not in the future");
  }
  return pool_.InTransaction(
      "record assessment",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Assessment> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        AssessmentRow row;
        row.area_id = r.area_id();
        row.assessed_on = *day;
        row.assessor = r.assessor();
        row.findings = r.findings();
        row.passed = r.passed();
        row.id = Store::InsertAssessment(tx, row, who.principal_id);
        Audit(tx, who, "cycle.record_assessment", r.area_id());
        kvo::v1::Assessment out;
        out.set_id(row.id);
        out.set_area_id(row.area_id);
        out.set_assessed_on(Day(row.assessed_on));
        out.set_assessor(row.assessor);
        out.set_findings(row.findings);
        out.set_passed(row.passed);
        return out;
      });
}

absl::StatusOr<kvo::v1::Certificate> CycleUseCases::IssueCertificate(
    const audit::AuditRecord& who, const kvo::v1::IssueCertificateRequest& r) {
  auto issued = ValidateIssueCertificateRequest(r);
  if (!issued.ok()) return issued.status();
  const absl::CivilDay today = Today();
  const absl::CivilDay issued_on = issued->value_or(today);
  if (issued_on > today) {
    return absl::InvalidArgumentError(
        "issued_on (kvo --issued-on): not in the future");
  }
  return pool_.InTransaction(
      "issue certificate",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Certificate> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        // Step 4, or step 8 once there is a certificate: never before the
        // steps it needs.
        const CycleFacts facts = FactsOf(tx, r.area_id(), policy_.cycle());
        const bool first = facts.certificates == 0;
        if (auto s = CheckStepsBefore(
                facts, first ? 4 : 8,
                first ? "a first certificate (Basis Samenwerken)"
                      : "a recertification (Continu Samenwerken)");
            !s.ok()) {
          return absl::FailedPreconditionError(
              absl::StrCat("area ", r.area_id(), ": ", s.message()));
        }
        auto assessment = Store::UncertifiedPassedAssessment(tx, r.area_id());
        if (!assessment) {
          const bool any = !Store::Assessments(tx, r.area_id()).empty();
          return absl::FailedPreconditionError(absl::StrCat(
              "area ", r.area_id(),
              any ? " has no passed assessment without a certificate"
                  : " has no assessment",
              "; a certificate follows an independent assessment (kvo cert "
              "assess)"));
        }
        if (issued_on < assessment->assessed_on) {
          return absl::InvalidArgumentError(absl::StrCat(
              "issued_on (kvo --issued-on): before the assessment of ",
              Day(assessment->assessed_on)));
        }
        const int earlier =
            static_cast<int>(Store::Certificates(tx, {r.area_id()}).size());
        const NextCertificate next = NextCertificateFor(
            earlier, issued_on,
            policy_.cycle().recertification_interval_years());
        CertificateRow row;
        row.area_id = r.area_id();
        row.assessment_id = assessment->id;
        row.kind = CertificateKindCode(next.kind);
        row.stars = next.stars;
        row.issued_on = issued_on;
        row.valid_until = next.valid_until;
        row.id = Store::InsertCertificate(tx, row, who.principal_id);
        Audit(tx, who, "cycle.issue_certificate", r.area_id());
        return CertificateProto(row);
      });
}

absl::StatusOr<kvo::v1::ListCertificatesResponse>
CycleUseCases::ListCertificates(int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  return pool_.InTransaction(
      "list certificates",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ListCertificatesResponse> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        kvo::v1::ListCertificatesResponse out;
        for (const auto& c : Store::Certificates(tx, {area_id})) {
          *out.add_certificates() = CertificateProto(c);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::ImportFiguresResponse> CycleUseCases::ImportFigures(
    const audit::AuditRecord& who, const kvo::v1::ImportFiguresRequest& r,
    const std::string& only_source) {
  if (auto s = ValidateImportFiguresRequest(r); !s.ok()) return s;
  if (!only_source.empty() && r.source() != only_source) {
    return absl::PermissionDeniedError(
        absl::StrCat("source (kvo --source): a ", who.role, " enters ",
                     only_source, " figures only"));
  }
  auto figures = ParseFigures(r.csv(), FigureCategories(policy_.cycle()));
  if (!figures.ok()) return figures.status();
  std::vector<FigureRowData> rows;
  for (const Figure& f : *figures) {
    rows.push_back({r.source(), f.period, f.category, f.count});
  }
  return pool_.InTransaction(
      "import figures",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ImportFiguresResponse> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        Store::UpsertFigures(tx, r.area_id(), rows, who.principal_id);
        Audit(tx, who, "cycle.import_figures", r.area_id());
        kvo::v1::ImportFiguresResponse out;
        out.set_imported(static_cast<int32_t>(rows.size()));
        return out;
      });
}

absl::StatusOr<kvo::v1::ListFiguresResponse> CycleUseCases::ListFigures(
    int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  return pool_.InTransaction(
      "list figures",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ListFiguresResponse> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        kvo::v1::ListFiguresResponse out;
        for (const auto& f : Store::Figures(tx, area_id)) {
          auto* row = out.add_figures();
          row->set_source(f.source);
          row->set_period(f.period);
          row->set_category(f.category);
          row->set_count(f.count);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::Objective> CycleUseCases::AddObjective(
    const audit::AuditRecord& who, const kvo::v1::AddObjectiveRequest& r) {
  if (auto s = ValidateAddObjectiveRequest(r); !s.ok()) return s;
  if (auto s = CheckMeasure(Measures(policy_.cycle()), r.measure()); !s.ok()) {
    return s;
  }
  if (auto s = CheckObjectiveMetric(policy_, r.metric(), r.target_change());
      !s.ok()) {
    return s;
  }
  return pool_.InTransaction(
      "add objective",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Objective> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        ObjectiveRow row{0,           r.area_id(),  r.description(), r.target(),
                         r.measure(), std::nullopt, std::nullopt};
        if (!r.metric().empty()) {
          row.metric = r.metric();
          row.target_change_pct = r.target_change();
        }
        row.id = Store::InsertObjective(tx, row, who.principal_id);
        Audit(tx, who, "cycle.add_objective", r.area_id());
        kvo::v1::Objective out = ObjectiveProto(row);
        return out;
      });
}

absl::StatusOr<kvo::v1::Activity> CycleUseCases::AddActivity(
    const audit::AuditRecord& who, const kvo::v1::AddActivityRequest& r) {
  auto deadline = ValidateAddActivityRequest(r);
  if (!deadline.ok()) return deadline.status();
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "add activity", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Activity> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        const auto objectives = Store::Objectives(tx, r.area_id());
        if (std::none_of(objectives.begin(), objectives.end(),
                         [&](const ObjectiveRow& o) {
                           return o.id == r.objective_id();
                         })) {
          return absl::NotFoundError(
              absl::StrCat("objective_id (kvo --objective): area ", r.area_id(),
                           " has no objective ", r.objective_id()));
        }
        ActivityRow row;
        row.area_id = r.area_id();
        row.objective_id = r.objective_id();
        row.description = r.description();
        row.owner = r.owner();
        row.deadline = *deadline;
        row.status = r.status().empty() ? "planned" : r.status();
        row.id = Store::InsertActivity(tx, row, who.principal_id);
        Audit(tx, who, "cycle.add_activity", r.area_id());
        return ActivityProto(row, today);
      });
}

absl::StatusOr<kvo::v1::Activity> CycleUseCases::SetActivityStatus(
    const audit::AuditRecord& who, const kvo::v1::SetActivityStatusRequest& r) {
  if (auto s = ValidateSetActivityStatusRequest(r); !s.ok()) return s;
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "set activity status",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Activity> {
        auto row = Store::ActivityForUpdate(tx, r.area_id(), r.activity_id());
        if (!row) {
          return absl::NotFoundError(
              absl::StrCat("activity_id: area ", r.area_id(),
                           " has no activity ", r.activity_id()));
        }
        Store::SetActivityStatus(tx, row->id, r.status());
        row->status = r.status();
        Audit(tx, who, "cycle.set_activity_status", r.area_id());
        return ActivityProto(*row, today);
      });
}

absl::StatusOr<kvo::v1::Plan> CycleUseCases::GetPlan(int64_t area_id,
                                                     bool only_overdue) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "read plan", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Plan> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        kvo::v1::Plan out;
        out.set_area_id(area_id);
        for (const auto& o : Store::Objectives(tx, area_id)) {
          *out.add_objectives() = ObjectiveProto(o);
        }
        for (const auto& a : Store::Activities(tx, area_id)) {
          kvo::v1::Activity activity = ActivityProto(a, today);
          if (only_overdue && !activity.overdue()) continue;
          *out.add_activities() = std::move(activity);
        }
        out.set_version(out.objectives().empty() ? 0 : 1);
        for (const auto& a : Store::Adjustments(tx, area_id)) {
          out.set_version(a.plan_version);
          *out.add_adjustments() = AdjustmentProto(a);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::CycleStatus> CycleUseCases::Status(int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  const absl::CivilDay today = Today();
  return pool_.InTransaction(
      "cycle status",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::CycleStatus> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        const CycleFacts facts = FactsOf(tx, area_id, policy_.cycle());
        kvo::v1::CycleStatus out;
        out.set_area_id(area_id);
        for (const Step& step : Progress(
                 facts, today, RecertificationNoticeDays(policy_.cycle()))) {
          auto* s = out.add_steps();
          s->set_number(step.number);
          s->set_name(step.name);
          s->set_state(StepStateCode(step.state));
          for (const auto& m : step.missing) s->add_missing(m);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::Measurement> CycleUseCases::CreateMeasurement(
    const audit::AuditRecord& who, const kvo::v1::CreateMeasurementRequest& r) {
  auto period = ValidateCreateMeasurementRequest(r);
  if (!period.ok()) return period.status();
  return pool_.InTransaction(
      "create measurement",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Measurement> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        MeasurementRow row{0,          r.area_id(),
                           r.label(),  period->from,
                           period->to, questionnaire_.version()};
        auto id = Store::InsertMeasurement(tx, row, who.principal_id);
        if (!id) {
          return absl::AlreadyExistsError(
              absl::StrCat("label (kvo --label): area ", r.area_id(),
                           " already has a measurement '", r.label(), "'"));
        }
        row.id = *id;
        Audit(tx, who, "cycle.create_measurement", r.area_id());
        return MeasurementProto(row);
      });
}

absl::StatusOr<kvo::v1::SurveyReceipt> CycleUseCases::AnswerSurvey(
    const audit::AuditRecord& who, const kvo::v1::AnswerSurveyRequest& r,
    bool own_shop_only) {
  if (auto s = ValidateAnswerSurveyRequest(r); !s.ok()) return s;
  ResponseRow row;
  row.measurement_id = r.measurement_id();
  row.shop_id = r.shop_id();
  for (const auto& a : r.answers()) {
    row.answers.emplace_back(a.question_id(), a.answer());
  }
  auto flags = ScoreResponse(questionnaire_, row.answers);
  if (!flags.ok()) return flags.status();
  row.feel_safe = flags->feel_safe;
  row.victimised = flags->victimised;
  row.reported = flags->reported;
  return pool_.InTransaction(
      "answer survey",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SurveyReceipt> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        auto measurement =
            Store::Measurement(tx, r.area_id(), r.measurement_id());
        if (!measurement) {
          return absl::NotFoundError(absl::StrCat(
              "measurement_id (kvo --measurement): area ", r.area_id(),
              " has no measurement ", r.measurement_id()));
        }
        if (measurement->questionnaire_version != questionnaire_.version()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "measurement_id (kvo --measurement): measurement '",
              measurement->label, "' was taken with questionnaire ",
              measurement->questionnaire_version, ", kvod has ",
              questionnaire_.version()));
        }
        auto shop = PgRegistryStore::ShopById(tx, r.shop_id());
        if (!shop || shop->area_id != r.area_id()) {
          return absl::NotFoundError(absl::StrCat("shop_id (kvo --shop): area ",
                                                  r.area_id(), " has no shop ",
                                                  r.shop_id()));
        }
        if (own_shop_only &&
            !PgRegistryStore::IsShopMember(tx, r.shop_id(), who.principal_id)) {
          return absl::PermissionDeniedError(
              "shop_id (kvo --shop): a shopkeeper answers for their own shop "
              "only");
        }
        if (Store::Participations(tx, {r.shop_id()}).empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "shop_id (kvo --shop): shop ", r.shop_id(),
              " has not signed the participation agreement (kvo area "
              "participant)"));
        }
        kvo::v1::SurveyReceipt out;
        out.set_replaced(Store::ReplaceResponse(tx, row));
        Audit(tx, who, "cycle.answer_survey", r.area_id());
        out.set_measurement_id(r.measurement_id());
        out.set_shop_id(r.shop_id());
        out.set_answered(static_cast<int32_t>(row.answers.size()));
        return out;
      });
}

absl::StatusOr<kvo::v1::SurveyStatus> CycleUseCases::SurveyStatus(
    int64_t area_id) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  return pool_.InTransaction(
      "survey status",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SurveyStatus> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        const auto counts = Store::SurveyCountsOfArea(tx, area_id);
        const int64_t participants = Store::ParticipantCount(tx, area_id);
        kvo::v1::SurveyStatus out;
        out.set_area_id(area_id);
        for (const auto& m : Store::Measurements(tx, area_id)) {
          auto* status = out.add_measurements();
          *status->mutable_measurement() = MeasurementProto(m);
          SurveyCounts c;
          if (auto it = counts.find(m.id); it != counts.end()) c = it->second;
          status->set_responses(static_cast<int32_t>(c.responses));
          status->set_participants(static_cast<int32_t>(participants));
          status->set_completion_pct(CompletionPct(c.responses, participants));
          status->set_feel_safe(static_cast<int32_t>(c.feel_safe));
          status->set_victimised(static_cast<int32_t>(c.victimised));
          status->set_reported(static_cast<int32_t>(c.reported));
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::SchouwRound> CycleUseCases::RecordSchouwRound(
    const audit::AuditRecord& who, const kvo::v1::RecordSchouwRoundRequest& r) {
  auto day = ValidateRecordSchouwRoundRequest(r);
  if (!day.ok()) return day.status();
  if (*day > Today()) {
    return absl::InvalidArgumentError(
        "walked_on (kvo --walked-on): not in the future");
  }
  return pool_.InTransaction(
      "record schouw round",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SchouwRound> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        SchouwRoundRow row{0, r.area_id(), r.kind(), *day, r.notes()};
        row.id = Store::InsertSchouwRound(tx, row, who.principal_id);
        Audit(tx, who, "cycle.record_schouw_round", r.area_id());
        kvo::v1::SchouwRound out;
        out.set_id(row.id);
        out.set_area_id(row.area_id);
        out.set_kind(row.kind);
        out.set_walked_on(Day(row.walked_on));
        out.set_notes(row.notes);
        return out;
      });
}

absl::StatusOr<kvo::v1::Finding> CycleUseCases::AddFinding(
    const audit::AuditRecord& who, const kvo::v1::AddFindingRequest& r) {
  if (auto s = ValidateAddFindingRequest(r); !s.ok()) return s;
  if (auto s = CheckOneOf("category (kvo --category)",
                          SchouwCategories(policy_.cycle()), r.category());
      !s.ok()) {
    return s;
  }
  std::optional<photos::ProcessedPhoto> photo;
  if (!r.photo().empty()) {
    auto processed =
        photos::ProcessPhoto(r.photo(), photos::LimitsOf(policy_.photos()));
    if (!processed.ok()) {
      return absl::Status(
          processed.status().code(),
          absl::StrCat("photo (kvo --photo): ", processed.status().message()));
    }
    photo = std::move(*processed);
  }
  return pool_.InTransaction(
      "add finding", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Finding> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        const auto rounds = Store::SchouwRounds(tx, r.area_id());
        if (std::none_of(rounds.begin(), rounds.end(),
                         [&](const SchouwRoundRow& x) {
                           return x.id == r.round_id();
                         })) {
          return absl::NotFoundError(
              absl::StrCat("round_id (kvo --round): area ", r.area_id(),
                           " has no round ", r.round_id()));
        }
        auto street = Store::StreetId(tx, r.area_id(), r.street());
        if (!street) {
          std::vector<std::string> names;
          for (const auto& s : Store::Streets(tx, r.area_id())) {
            names.push_back(s.name);
          }
          return absl::InvalidArgumentError(
              absl::StrCat("street (kvo --street): '", r.street(),
                           "' is no street of area ", r.area_id(), " (",
                           names.empty() ? "it has none; kvo area street"
                                         : absl::StrJoin(names, ", "),
                           ")"));
        }
        FindingRow row;
        row.area_id = r.area_id();
        row.round_id = r.round_id();
        row.street_id = *street;
        row.street = r.street();
        row.category = r.category();
        row.severity = r.severity();
        row.description = r.description();
        row.status = "open";
        row.follow_up = r.follow_up();
        row.id = Store::InsertFinding(tx, row, who.principal_id);
        if (photo) {
          FindingPhotoRow p;
          p.finding_id = row.id;
          p.sealed_jpeg = common::Seal(photo_key_, photo->jpeg,
                                       PhotoBinding(row.id, "photo"));
          p.width = photo->width;
          p.height = photo->height;
          Store::InsertFindingPhoto(tx, p, who.principal_id);
          row.has_photo = true;
        }
        Audit(tx, who, "cycle.add_finding", r.area_id());
        return FindingProto(row);
      });
}

absl::StatusOr<kvo::v1::Finding> CycleUseCases::SetFindingStatus(
    const audit::AuditRecord& who, const kvo::v1::SetFindingStatusRequest& r) {
  if (auto s = ValidateSetFindingStatusRequest(r); !s.ok()) return s;
  return pool_.InTransaction(
      "set finding status",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Finding> {
        auto row = Store::FindingForUpdate(tx, r.area_id(), r.finding_id());
        if (!row) {
          return absl::NotFoundError(
              absl::StrCat("finding_id (kvo FINDING): area ", r.area_id(),
                           " has no finding ", r.finding_id()));
        }
        row->status = r.status();
        // Reopened, the photo stays; resolved, its retention period runs.
        row->resolved_at =
            ResolvedAtAfter(row->resolved_at, row->status, clock_.Now());
        if (!r.follow_up().empty()) row->follow_up = r.follow_up();
        Store::UpdateFinding(tx, *row);
        Audit(tx, who, "cycle.set_finding_status", r.area_id());
        return FindingProto(*row);
      });
}

absl::StatusOr<kvo::v1::ListFindingsResponse> CycleUseCases::ListFindings(
    int64_t area_id, bool only_open) {
  if (auto s = ValidateAreaRequest(area_id); !s.ok()) return s;
  return pool_.InTransaction(
      "list findings",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ListFindingsResponse> {
        if (auto s = AreaExists(tx, area_id); !s.ok()) return s;
        kvo::v1::ListFindingsResponse out;
        for (const auto& x : Store::SchouwRounds(tx, area_id)) {
          auto* round = out.add_rounds();
          round->set_id(x.id);
          round->set_area_id(x.area_id);
          round->set_kind(x.kind);
          round->set_walked_on(Day(x.walked_on));
          round->set_notes(x.notes);
        }
        for (const auto& f : Store::Findings(tx, area_id, only_open)) {
          *out.add_findings() = FindingProto(f);
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::FindingPhoto> CycleUseCases::GetFindingPhoto(
    const audit::AuditRecord& who, const kvo::v1::GetFindingPhotoRequest& r) {
  if (auto s = ValidateGetFindingPhotoRequest(r); !s.ok()) return s;
  return pool_.InTransaction(
      "read finding photo",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::FindingPhoto> {
        auto row = Store::FindingPhoto(tx, r.area_id(), r.finding_id());
        if (!row) {
          if (auto gone = PhotoDeletedOn(tx, r.area_id(), r.finding_id())) {
            return absl::NotFoundError(absl::StrCat(
                "finding_id (kvo --finding): the photo of finding ",
                r.finding_id(), " was deleted on ", Day(*gone),
                ", retention.schouw_photo_days after the finding was "
                "resolved"));
          }
          return absl::NotFoundError(absl::StrCat(
              "finding_id (kvo --finding): area ", r.area_id(),
              " has no finding ", r.finding_id(), " with a photo"));
        }
        auto jpeg = common::Open(photo_key_, row->sealed_jpeg,
                                 PhotoBinding(row->finding_id, "photo"),
                                 "the finding's photo");
        if (!jpeg.ok()) return jpeg.status();
        Audit(tx, who, "cycle.get_finding_photo", r.area_id());
        kvo::v1::FindingPhoto out;
        out.set_finding_id(row->finding_id);
        out.set_jpeg(std::move(*jpeg));
        out.set_width(row->width);
        out.set_height(row->height);
        return out;
      });
}

absl::StatusOr<kvo::v1::PlanAdjustment> CycleUseCases::AdjustPlan(
    const audit::AuditRecord& who, const kvo::v1::AdjustPlanRequest& r) {
  auto day = ValidateAdjustPlanRequest(r);
  if (!day.ok()) return day.status();
  if (*day > Today()) {
    return absl::InvalidArgumentError(
        "adjusted_on (kvo --on): not in the future");
  }
  return pool_.InTransaction(
      "adjust plan",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::PlanAdjustment> {
        if (auto s = AreaExists(tx, r.area_id()); !s.ok()) return s;
        Store::LockPlan(tx, r.area_id());
        const auto evaluation = LatestEvaluationOf(tx, r.area_id());
        if (!evaluation) {
          return absl::FailedPreconditionError(absl::StrCat(
              "area ", r.area_id(),
              " has no 1-meting yet: a plan is adjusted after an evaluation, "
              "a measurement answered after the 0-meting (kvo survey measure "
              "--label 1-meting, then kvo survey answer)"));
        }
        if (*day < evaluation->period_to) {
          return absl::InvalidArgumentError(absl::StrCat(
              "adjusted_on (kvo --on): before the end of the ",
              evaluation->label, " (", Day(evaluation->period_to), ")"));
        }
        std::map<int64_t, ObjectiveRow> objectives;
        for (auto& o : Store::Objectives(tx, r.area_id())) {
          objectives.emplace(o.id, std::move(o));
        }
        AdjustmentRow row;
        row.area_id = r.area_id();
        row.adjusted_on = *day;
        row.reason = r.reason();
        row.evaluation_id = evaluation->id;
        row.evaluation_label = evaluation->label;
        for (const auto& t : r.targets()) {
          auto o = objectives.find(t.objective_id());
          if (o == objectives.end()) {
            return absl::NotFoundError(absl::StrCat(
                "targets.objective_id (kvo --target): area ", r.area_id(),
                " has no objective ", t.objective_id()));
          }
          if (!o->second.metric) {
            return absl::InvalidArgumentError(absl::StrCat(
                "targets (kvo --target): objective ", t.objective_id(),
                " has no metric, so no target change to adjust"));
          }
          if (auto s = CheckObjectiveMetric(policy_, *o->second.metric,
                                            t.target_change());
              !s.ok()) {
            return s;
          }
          row.changes.push_back({"target", t.objective_id(), 0,
                                 o->second.target_change_pct,
                                 t.target_change()});
        }
        for (int64_t id : r.drop_objectives()) {
          if (!objectives.contains(id)) {
            return absl::NotFoundError(
                absl::StrCat("drop_objectives (kvo --drop-objective): area ",
                             r.area_id(), " has no objective ", id));
          }
          row.changes.push_back({"drop_objective", id, 0, {}, {}});
        }
        const auto activities = Store::Activities(tx, r.area_id());
        for (int64_t id : r.cancel_activities()) {
          auto a =
              std::find_if(activities.begin(), activities.end(),
                           [&](const ActivityRow& x) { return x.id == id; });
          if (a == activities.end()) {
            return absl::NotFoundError(
                absl::StrCat("cancel_activities (kvo --cancel-activity): area ",
                             r.area_id(), " has no activity ", id));
          }
          if (a->status == "done" || a->status == "cancelled") {
            return absl::FailedPreconditionError(absl::StrCat(
                "cancel_activities (kvo --cancel-activity): activity ", id,
                " is ", a->status, " already"));
          }
          row.changes.push_back({"cancel_activity", 0, id, {}, {}});
        }
        row.plan_version =
            static_cast<int>(Store::Adjustments(tx, r.area_id()).size()) + 2;
        row.id = Store::InsertAdjustment(tx, row, who.principal_id);
        Audit(tx, who, "cycle.adjust_plan", r.area_id());
        return AdjustmentProto(row);
      });
}

}  // namespace kvo::cycle
