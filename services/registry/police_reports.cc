#include "services/registry/police_reports.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/notice/police_report.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::PgAuditStore;
using Store = PgRegistryStore;

constexpr char kRecordAction[] = "registry.record_police_report";
constexpr char kPdfAction[] = "registry.police_report_pdf";
constexpr char kPurpose[] = "police report";

bool ActsForOwnShopOnly(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER || role == kvo::v1::ROLE_SECURITY;
}

absl::Status NotFound(int64_t id) {
  return absl::NotFoundError(absl::StrCat(
      "incident_id (kvo incident aangifte ID): incident ", id, " not found"));
}

absl::Status Erased(int64_t id) {
  return absl::FailedPreconditionError(
      absl::StrCat("incident ", id,
                   ": its person was erased, so its texts are gone; a police "
                   "report of it cannot be recorded or prepared here"));
}

}  // namespace

absl::Status PoliceReports::Authorize(const identity::Call& call,
                                      int64_t incident_id, const char* action) {
  bool other_shop = false;
  auto area = pool_.InTransaction(
      "police report: incident",
      [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
        auto incident = Store::IncidentById(tx, incident_id);
        if (!incident) return NotFound(incident_id);
        other_shop = ActsForOwnShopOnly(call.caller.role) &&
                     !Store::IsShopMember(tx, incident->shop_id,
                                          call.caller.principal_id);
        return incident->area_id;
      });
  if (!area.ok()) return area.status();
  if (auto s = guard_.CheckAreas(call, {*area}); !s.ok()) return s;
  if (other_shop) {
    const std::string why =
        "incident_id (kvo incident aangifte ID): shopkeepers and security "
        "report the incidents of their own shop only";
    guard_.AuditAlone(
        guard_.Record(call, action, "", why, audit::Outcome::kDenied));
    return absl::PermissionDeniedError(why);
  }
  return absl::OkStatus();
}

absl::StatusOr<kvo::v1::Incident> PoliceReports::Record(
    const identity::Call& call,
    const kvo::v1::RecordPoliceReportRequest& request) {
  if (auto s = ValidateRecordPoliceReportRequest(request); !s.ok()) return s;
  if (auto s = Authorize(call, request.incident_id(), kRecordAction); !s.ok()) {
    return s;
  }
  const std::string& number = request.police_report_number();
  Vault vault(keys_);
  return pool_.InTransaction(
      "record police report",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Incident> {
        // Locks the person: two reports of one incident take turns.
        auto found = Store::IncidentForCard(tx, request.incident_id());
        if (!found) return NotFound(request.incident_id());
        const IncidentRow& incident = found->first;
        if (found->second.erased) return Erased(incident.id);
        auto person = vault.Open(tx, found->second, {});
        if (!person.ok()) return person.status();
        auto current = vault.OpenValue(
            *person, IncidentField(incident.id, "report_number"),
            incident.sealed_report_number);
        if (!current.ok()) return current.status();
        if (!current->empty() && *current != number) {
          return absl::FailedPreconditionError(absl::StrCat(
              "incident ", incident.id, " already has police report number ",
              *current,
              " recorded: one incident has one report (a supplement to it "
              "keeps its number)"));
        }
        if (current->empty()) {
          Store::SetPoliceReport(
              tx, incident.id,
              vault.Seal(*person, IncidentField(incident.id, "report_number"),
                         number));
        }
        PgAuditStore::Append(
            tx, guard_.Record(call, kRecordAction, AuditSubject(found->second),
                              kPurpose));
        kvo::v1::Incident out = IncidentFactsToProto(incident);
        out.set_person_id(incident.person_id);
        out.set_police_report_number(number);
        return out;
      });
}

absl::StatusOr<std::string> PoliceReports::Pdf(
    const identity::Call& call,
    const kvo::v1::GetPoliceReportPdfRequest& request) {
  if (auto s = ValidateGetPoliceReportPdfRequest(request); !s.ok()) return s;
  if (auto s = Authorize(call, request.incident_id(), kPdfAction); !s.ok()) {
    return s;
  }
  Vault vault(keys_);
  return pool_.InTransaction(
      "police report pdf", [&](pqxx::work& tx) -> absl::StatusOr<std::string> {
        auto incident = Store::IncidentById(tx, request.incident_id());
        if (!incident) return NotFound(request.incident_id());
        auto row = Store::PersonById(tx, incident->person_id);
        if (!row) return NotFound(request.incident_id());
        if (row->erased) return Erased(incident->id);
        // What the area's participants see of a person (DESIGN.md, field
        // visibility): the shop's own knowledge, nothing beheerder-only.
        auto person = vault.Open(
            tx, *row,
            {"given_names", "surname_prefix", "surname", "description"});
        if (!person.ok()) return person.status();
        auto summary =
            vault.OpenValue(*person, IncidentField(incident->id, "description"),
                            incident->sealed_description);
        if (!summary.ok()) return summary.status();
        auto report = vault.OpenValue(
            *person, IncidentField(incident->id, "report_number"),
            incident->sealed_report_number);
        if (!report.ok()) return report.status();
        auto shop = Store::ShopById(tx, incident->shop_id);
        if (!shop) return NotFound(request.incident_id());

        notice::PoliceReportData d;
        d.area = letterheads_.ForArea(tx, incident->area_id);
        d.letter_date = absl::ToCivilDay(clock_.Now(), common::Amsterdam());
        d.incident_id = incident->id;
        d.shop_name = shop->name;
        d.shop_contact = request.shop_contact();
        d.occurred_at =
            absl::ToCivilMinute(incident->occurred_at, common::Amsterdam());
        d.offence_label = incident->offence_type;
        for (const auto& t : policy_.offence_types()) {
          if (t.code() == incident->offence_type)
            d.offence_label = t.label_nl();
        }
        d.what_happened = *summary;
        d.stolen_goods = request.stolen_goods();
        d.stolen_value_cents = request.stolen_value_cents();
        d.damage_cents = incident->damage_cents;
        std::vector<std::string> name;
        for (const char* f : {"given_names", "surname_prefix", "surname"}) {
          if (!person->fields[f].empty()) name.push_back(person->fields[f]);
        }
        d.person_name = absl::StrJoin(name, " ");
        d.person_description = person->fields["description"];
        d.witnesses = {request.witnesses().begin(), request.witnesses().end()};
        d.camera_footage = {request.camera_footage().begin(),
                            request.camera_footage().end()};
        d.report_number = *report;
        auto pdf = notice::RenderPoliceReportPdf(d);
        if (!pdf.ok()) return pdf.status();
        PgAuditStore::Append(
            tx, guard_.Record(call, kPdfAction, AuditSubject(*row), kPurpose));
        return std::move(*pdf);
      });
}

}  // namespace kvo::registry
