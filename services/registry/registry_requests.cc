#include "services/registry/registry_requests.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "services/common/local_time.h"
#include "services/common/request_checks.h"
#include "services/common/text.h"
#include "services/registry/person_fields.h"
#include "services/registry/person_normalize.h"

namespace kvo::registry {

int IncidentBackdateDays(const kvo::v1::Policy& policy) {
  constexpr int kDefaultDays = 90;
  return policy.incident_backdate_days() > 0 ? policy.incident_backdate_days()
                                             : kDefaultDays;
}

namespace {

using common::CheckText;
using common::First;

constexpr int64_t kMaxDamageCents = 100'000'000;  // EUR 1 million
constexpr size_t kMaxLongText = 5000;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62'135'596'800;
constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;

// Free text of up to kMaxLongText characters with line breaks. Bytes first:
// a 10 MB value is refused before anything scans it.
absl::Status CheckLongText(absl::string_view field, absl::string_view value) {
  if (value.size() > 4 * kMaxLongText) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxLongText, " characters"));
  }
  return CheckText(field, value, 1, kMaxLongText, /*multiline=*/true);
}

}  // namespace

absl::Status ValidateCreateShopRequest(const kvo::v1::CreateShopRequest& r) {
  return First(
      {RequireId("area_id", r.area_id()), CheckText("name", r.name(), 1, 200)});
}

absl::Status ValidateListShopsRequest(const kvo::v1::ListShopsRequest& r) {
  return RequireId("area_id", r.area_id());
}

absl::Status ValidateAddShopMemberRequest(
    const kvo::v1::AddShopMemberRequest& r) {
  return First({RequireId("shop_id", r.shop_id()),
                RequireId("principal_id", r.principal_id())});
}

absl::StatusOr<std::string> ValidateFindPersonRequest(
    const kvo::v1::FindPersonRequest& r) {
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{
                                         "given_names", r.given_names()},
                                     {"surname_prefix", r.surname_prefix()},
                                     {"surname", r.surname()},
                                     {"date_of_birth", r.date_of_birth()}}) {
    if (value.size() > 800) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": at most 200 characters"));
    }
  }
  return NormalizeForBlindIndex(r.given_names(), r.surname_prefix(),
                                r.surname(), r.date_of_birth());
}

absl::StatusOr<PersonInput> ValidateCreatePersonRequest(
    const kvo::v1::Policy& policy, const kvo::v1::CreatePersonRequest& r,
    absl::Time now) {
  if (auto s = RequireId("area_id", r.area_id()); !s.ok()) return s;
  const std::map<std::string, std::string> all = {
      {"given_names", r.given_names()},
      {"surname_prefix", r.surname_prefix()},
      {"surname", r.surname()},
      {"address", r.address()},
      {"residence", r.residence()},
      {"date_of_birth", r.date_of_birth()},
      {"place_of_birth", r.place_of_birth()},
      {"description", r.description()}};
  if (auto s = CheckPersonFields(policy, all, now); !s.ok()) return s;
  PersonInput out;
  for (const auto& [field, value] : all) {
    if (!value.empty()) out.fields[field] = value;
  }
  auto normalized = NormalizeForBlindIndex(r.given_names(), r.surname_prefix(),
                                           r.surname(), r.date_of_birth());
  if (!normalized.ok()) return normalized.status();
  out.normalized = std::move(*normalized);
  return out;
}

absl::Status ValidateGetPersonRequest(const kvo::v1::GetPersonRequest& r) {
  return RequireId("person_id", r.person_id());
}

absl::Status ValidateErasePersonRequest(const kvo::v1::ErasePersonRequest& r) {
  return First({RequireId("person_id", r.person_id()),
                CheckText("reason", r.reason(), 1, 500)});
}

absl::Status ValidateRecordIncidentRequest(
    const kvo::v1::Policy& policy, const kvo::v1::RecordIncidentRequest& r) {
  if (auto s = First({RequireId("shop_id", r.shop_id()),
                      RequireId("person_id", r.person_id())});
      !s.ok()) {
    return s;
  }
  const auto& types = policy.offence_types();
  if (std::none_of(types.begin(), types.end(), [&](const auto& t) {
        return t.code() == r.offence_type();
      })) {
    std::vector<std::string> codes;
    for (const auto& t : types) codes.push_back(t.code());
    return absl::InvalidArgumentError(
        absl::StrCat("offence_type: one of ", absl::StrJoin(codes, ", ")));
  }
  // Unset: now, on kvod's clock (see RecordIncident). Set:
  // google.protobuf.Timestamp's own range; out of it, nanos would shift the
  // time silently and the seconds could not be shown as a date.
  const auto& at = r.occurred_at();
  if (r.has_occurred_at() && (at.seconds() < kMinTimestampSeconds ||
                              at.seconds() > kMaxTimestampSeconds ||
                              at.nanos() < 0 || at.nanos() > 999'999'999)) {
    return absl::InvalidArgumentError(
        "occurred_at (kvo incident record --at): not a valid time");
  }
  if (auto s = First(
          {CheckLongText("description", r.description()),
           r.police_report_number().empty()
               ? absl::OkStatus()
               : CheckPoliceReportNumber(
                     "police_report_number (kvo incident record --report)",
                     r.police_report_number())});
      !s.ok()) {
    return s;
  }
  if (r.damage_cents() < 0 || r.damage_cents() > kMaxDamageCents) {
    return absl::InvalidArgumentError(
        absl::StrCat("damage_cents: 0 to ", kMaxDamageCents, " (euro cents)"));
  }
  return absl::OkStatus();
}

absl::Status CheckPoliceReportNumber(absl::string_view field,
                                     absl::string_view number) {
  // PL dddd - yyyy n{6,8}
  const auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      if (number[i] < '0' || number[i] > '9') return false;
    }
    return true;
  };
  const size_t n = number.size();
  const bool ok = n >= 17 && n <= 19 && number.substr(0, 2) == "PL" &&
                  digits(2, 4) && number[6] == '-' && digits(7, n - 7) &&
                  number.substr(7, 2) >= "20";
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field,
      ": not a police report number; the format is PL, the unit's 4 "
      "digits, a hyphen, the 4-digit year and 6 to 8 digits, as in "
      "PL0900-2026123456"));
}

absl::Status ValidateRecordPoliceReportRequest(
    const kvo::v1::RecordPoliceReportRequest& r) {
  if (auto s = common::RequireId("incident_id (kvo incident aangifte ID)",
                                 r.incident_id());
      !s.ok()) {
    return s;
  }
  return CheckPoliceReportNumber(
      "police_report_number (kvo incident aangifte --number)",
      r.police_report_number());
}

absl::Status ValidateGetPoliceReportPdfRequest(
    const kvo::v1::GetPoliceReportPdfRequest& r) {
  if (auto s = common::RequireId("incident_id (kvo incident aangifte ID)",
                                 r.incident_id());
      !s.ok()) {
    return s;
  }
  std::vector<absl::Status> checks = {
      CheckText("stolen_goods (kvo incident aangifte --stolen)",
                r.stolen_goods(), 0, 500),
      CheckText("shop_contact (kvo incident aangifte --contact)",
                r.shop_contact(), 0, 200)};
  for (const std::string& w : r.witnesses()) {
    checks.push_back(
        CheckText("witnesses (kvo incident aangifte --witness)", w, 1, 300));
  }
  for (const std::string& c : r.camera_footage()) {
    checks.push_back(CheckText(
        "camera_footage (kvo incident aangifte --camera)", c, 1, 300));
  }
  if (r.witnesses_size() > 20 || r.camera_footage_size() > 20) {
    checks.push_back(absl::InvalidArgumentError(
        "witnesses, camera_footage (--witness, --camera): at most 20 each"));
  }
  if (r.stolen_value_cents() < 0 || r.stolen_value_cents() > kMaxDamageCents) {
    checks.push_back(absl::InvalidArgumentError(absl::StrCat(
        "stolen_value_cents (kvo incident aangifte --stolen-value-cents): 0 "
        "to ",
        kMaxDamageCents, " (euro cents)")));
  }
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateIssueCardRequest(const kvo::v1::IssueCardRequest& r) {
  if (auto s = RequireId("incident_id", r.incident_id()); !s.ok()) return s;
  if (!kvo::v1::CardScope_IsValid(r.scope())) {
    return absl::InvalidArgumentError("scope: individual or collective");
  }
  return absl::OkStatus();
}

absl::Status ValidateRevokeCardRequest(const kvo::v1::RevokeCardRequest& r) {
  return First({RequireId("card_id", r.card_id()),
                CheckText("reason", r.reason(), 1, 500)});
}

absl::Status ValidateListCardsRequest(const kvo::v1::ListCardsRequest& r) {
  return RequireId("area_id", r.area_id());
}

absl::StatusOr<std::string> ValidateGetNoticeRequest(
    const kvo::v1::GetNoticeRequest& r) {
  if (auto s = RequireId("card_id", r.card_id()); !s.ok()) return s;
  const std::string language = r.language().empty() ? "nl" : r.language();
  if (language != "nl" && language != "en") {
    return absl::InvalidArgumentError("language: nl or en");
  }
  return language;
}

absl::Status ValidateFileObjectionRequest(
    const kvo::v1::FileObjectionRequest& r) {
  return First({RequireId("card_id", r.card_id()),
                CheckLongText("grounds", r.grounds())});
}

absl::Status ValidateDecideObjectionRequest(
    const kvo::v1::DecideObjectionRequest& r) {
  return First({RequireId("objection_id", r.objection_id()),
                CheckLongText("reasons", r.reasons())});
}

absl::Status ValidateListObjectionsRequest(
    const kvo::v1::ListObjectionsRequest& r) {
  return RequireId("area_id", r.area_id());
}

absl::Status ValidateRotateKeysRequest(const kvo::v1::RotateKeysRequest& r) {
  return CheckText("reason", r.reason(), 1, 500);
}

}  // namespace kvo::registry
