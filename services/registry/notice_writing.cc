#include "services/registry/notice_writing.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/notice/notice_pdf.h"
#include "services/registry/card_lookup.h"
#include "services/registry/card_rules.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::PgAuditStore;
using Store = PgRegistryStore;

absl::CivilDay LocalDay(absl::Time t) {
  return absl::ToCivilDay(t, common::Amsterdam());
}

}  // namespace

absl::StatusOr<std::string> NoticeWriting::Write(
    const identity::Call& call, const kvo::v1::GetNoticeRequest& request) {
  auto card = ReadCard(pool_, request.card_id());
  if (!card.ok()) return card.status();
  if (auto s = guard_.CheckAreas(call, {card->area_id}); !s.ok()) return s;
  auto language = ValidateGetNoticeRequest(request);
  if (!language.ok()) return language.status();
  Vault vault(keys_);
  auto notice = pool_.InTransaction(
      "notice", [&](pqxx::work& tx) -> absl::StatusOr<notice::NoticeData> {
        auto row = Store::PersonById(tx, card->person_id);
        auto person = vault.Open(
            tx, *row,
            {"given_names", "surname_prefix", "surname", "date_of_birth"});
        if (!person.ok()) return person.status();
        auto incident = Store::IncidentById(tx, card->incident_id);
        auto summary =
            vault.OpenValue(*person, IncidentField(incident->id, "description"),
                            incident->sealed_description);
        if (!summary.ok()) return summary.status();
        notice::NoticeData d;
        d.sender = letterheads_.ForArea(tx, card->area_id);
        if (auto s = notice::CheckObjectionAddress(d.sender); !s.ok()) {
          return s;
        }
        d.letter_date = LocalDay(clock_.Now());
        d.language = *language;
        d.card_id = card->id;
        d.card_kind = card->kind;
        std::vector<std::string> name;
        for (const char* f : {"given_names", "surname_prefix", "surname"}) {
          if (!person->fields[f].empty()) name.push_back(person->fields[f]);
        }
        d.person_name = absl::StrJoin(name, " ");
        d.date_of_birth = person->fields["date_of_birth"];
        d.minor = IsMinor(policy_, d.date_of_birth, clock_.Now());
        for (const auto& t : policy_.offence_types()) {
          if (t.code() == incident->offence_type) {
            d.offence_label = *language == "en" ? t.label_en() : t.label_nl();
          }
        }
        d.incident_date = LocalDay(incident->occurred_at);
        d.incident_summary = *summary;
        d.shops = card->shops;
        d.valid_from = LocalDay(card->valid_from);
        d.last_day = LastWholeDay(card->valid_until);
        d.objection_deadline = LocalDay(
            card->valid_from +
            absl::Hours(24 * policy_.privacy().subject_request_days()));
        d.issued_by =
            absl::StrCat("KVO ", d.sender.area_name, ", ", d.sender.place);
        if (notice_claims_ != nullptr) {
          auto claim = notice_claims_->ForIncident(tx, incident->id, row->id,
                                                   *language, d.sender);
          if (!claim.ok()) return claim.status();
          d.donation_heading = std::move(claim->heading);
          d.donation_lines = std::move(claim->lines);
        }
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.notice", AuditSubject(*row),
                              "written notice to the person"));
        return d;
      });
  if (!notice.ok()) return notice.status();
  return notice::RenderNoticePdf(*notice);
}

}  // namespace kvo::registry
