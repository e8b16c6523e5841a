#include "services/registry/registry_views.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "services/common/proto_time.h"
#include "services/registry/person_fields.h"

namespace kvo::registry {

using common::ToProto;

std::vector<std::string> VisibleFields(const kvo::v1::Policy& policy,
                                       kvo::v1::Role role) {
  for (const auto& rule : policy.person_fields()) {
    if (rule.role() == role) {
      return {rule.fields().begin(), rule.fields().end()};
    }
  }
  return {};
}

bool IsMinor(const kvo::v1::Policy& policy, const std::string& dob,
             absl::Time now) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(dob, &day)) return false;
  return AgeInYears(day, now) < policy.persons().adult_age_years();
}

kvo::v1::Person PersonView(const kvo::v1::Policy& policy, const OpenPerson& p,
                           const std::vector<std::string>& visible,
                           absl::Time now) {
  kvo::v1::Person out;
  out.set_id(p.row.id);
  out.set_pseudonym(p.row.pseudonym);
  out.set_registered_area_id(p.row.registered_area_id);
  const auto* reflection = out.GetReflection();
  const auto* descriptor = out.GetDescriptor();
  for (const char* field : kPersonFields) {
    const bool shown =
        std::find(visible.begin(), visible.end(), field) != visible.end();
    if (!shown) {
      out.add_hidden_fields(field);
      continue;
    }
    auto it = p.fields.find(field);
    if (it != p.fields.end()) {
      reflection->SetString(&out, descriptor->FindFieldByName(field),
                            it->second);
    }
  }
  auto dob = p.fields.find("date_of_birth");
  if (dob != p.fields.end()) out.set_minor(IsMinor(policy, dob->second, now));
  return out;
}

kvo::v1::CardKind KindToProto(const std::string& kind) {
  if (kind == "individual_ban") return kvo::v1::CARD_KIND_INDIVIDUAL_BAN;
  if (kind == "collective_warning")
    return kvo::v1::CARD_KIND_COLLECTIVE_WARNING;
  if (kind == "collective_ban") return kvo::v1::CARD_KIND_COLLECTIVE_BAN;
  return kvo::v1::CARD_KIND_UNSPECIFIED;
}

CardKind KindFromRow(const std::string& kind) {
  if (kind == "individual_ban") return CardKind::kIndividualBan;
  if (kind == "collective_ban") return CardKind::kCollectiveBan;
  return CardKind::kCollectiveWarning;
}

kvo::v1::Incident IncidentFactsToProto(const IncidentRow& row) {
  kvo::v1::Incident out;
  out.set_id(row.id);
  out.set_area_id(row.area_id);
  out.set_shop_id(row.shop_id);
  *out.mutable_occurred_at() = ToProto(row.occurred_at);
  out.set_offence_type(row.offence_type);
  out.set_damage_cents(row.damage_cents);
  out.set_reported_by(row.reported_by);
  return out;
}

kvo::v1::Card CardToProto(const CardRow& row) {
  kvo::v1::Card card;
  card.set_id(row.id);
  card.set_person_id(row.person_id);
  card.set_incident_id(row.incident_id);
  card.set_area_id(row.area_id);
  card.set_shop_id(row.shop_id);
  card.set_kind(KindToProto(row.kind));
  *card.mutable_valid_from() = ToProto(row.valid_from);
  *card.mutable_valid_until() = ToProto(row.valid_until);
  card.set_days(row.days);
  card.set_rule(row.rule);
  for (const auto& shop : row.shops) card.add_shops(shop);
  card.set_revoked(row.revoked);
  card.set_revoke_reason(row.revoke_reason);
  return card;
}

}  // namespace kvo::registry
