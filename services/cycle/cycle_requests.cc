#include "services/cycle/cycle_requests.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/iban.h"
#include "services/common/party_kinds.h"
#include "services/common/request_checks.h"
#include "services/common/text.h"
#include "services/cycle/cycle_rules.h"

namespace kvo::cycle {
namespace {

using common::CheckText;
using common::First;
using common::ParseDay;
using common::RequireId;

constexpr size_t kMaxName = 200;
constexpr size_t kMaxLongText = 20000;
constexpr size_t kMaxReason = 2000;  // V018
constexpr size_t kMaxFiguresBytes = 4 << 20;
constexpr int kMaxAnswers = 500;

absl::Status Contact(const std::string& name, const std::string& details) {
  return First({CheckText("contact_name (kvo --contact)", name, 1, kMaxName),
                CheckText("contact_details (kvo --contact-details)", details, 0,
                          kMaxName)});
}

}  // namespace

absl::Status ValidateAreaRequest(int64_t area_id) {
  return RequireId("area_id (kvo --area)", area_id);
}

absl::Status ValidateAddStreetRequest(const kvo::v1::AddStreetRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                CheckText("name (kvo --name)", r.name(), 1, kMaxName),
                Contact(r.contact_name(), r.contact_details())});
}

absl::Status ValidateAddPartyRequest(const kvo::v1::AddPartyRequest& r) {
  if (auto s = ValidateAreaRequest(r.area_id()); !s.ok()) return s;
  if (common::FindPartyKind(r.kind()) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind (kvo --kind): one of ", common::kPartyKindList));
  }
  return First({CheckText("name (kvo --name)", r.name(), 1, kMaxName),
                Contact(r.contact_name(), r.contact_details())});
}

absl::StatusOr<kvo::v1::SetAreaContactRequest> ValidateSetAreaContactRequest(
    const kvo::v1::SetAreaContactRequest& r) {
  constexpr size_t kMaxAddress = 300;
  constexpr size_t kMaxPhone = 50;
  if (auto s =
          First({ValidateAreaRequest(r.area_id()),
                 CheckText("coordinator (kvo --coordinator)", r.coordinator(),
                           0, kMaxName),
                 CheckText("objection_address (kvo --objection-address)",
                           r.objection_address(), 0, kMaxAddress),
                 CheckText("objection_email (kvo --objection-email)",
                           r.objection_email(), 0, kMaxName),
                 CheckText("phone (kvo --phone)", r.phone(), 0, kMaxPhone),
                 CheckText("payee (kvo --payee)", r.payee(), 0, kMaxName)});
      !s.ok()) {
    return s;
  }
  const std::string& email = r.objection_email();
  if (!email.empty() &&
      (email.find('@') == std::string::npos || email.front() == '@' ||
       email.back() == '@' || email.find(' ') != std::string::npos)) {
    return absl::InvalidArgumentError(
        "objection_email (kvo --objection-email): an e-mail address "
        "(name@example.nl)");
  }
  kvo::v1::SetAreaContactRequest out = r;
  if (!r.iban().empty()) {
    auto iban = common::NormalizeIban(r.iban(), "iban (kvo --iban)");
    if (!iban.ok()) return iban.status();
    out.set_iban(*iban);
  }
  if (r.coordinator().empty() && r.objection_address().empty() &&
      email.empty() && r.phone().empty() && r.payee().empty() &&
      r.iban().empty()) {
    return absl::InvalidArgumentError(
        "nothing to record: give --objection-address, --objection-email, "
        "--coordinator, --phone, --payee or --iban");
  }
  return out;
}

absl::StatusOr<ParticipantDays> ValidateRecordParticipantRequest(
    const kvo::v1::RecordParticipantRequest& r) {
  if (auto s = First({ValidateAreaRequest(r.area_id()),
                      RequireId("shop_id (kvo --shop)", r.shop_id())});
      !s.ok()) {
    return s;
  }
  ParticipantDays out;
  auto agreement = ParseDay("agreement_signed_on", "--agreement-signed",
                            r.agreement_signed_on());
  if (!agreement.ok()) return agreement.status();
  out.agreement = *agreement;
  if (!r.declaration_signed_on().empty()) {
    auto declaration = ParseDay("declaration_signed_on", "--declaration-signed",
                                r.declaration_signed_on());
    if (!declaration.ok()) return declaration.status();
    out.declaration = *declaration;
  }
  return out;
}

absl::StatusOr<LicenceDays> ValidateRecordLicenceRequest(
    const kvo::v1::RecordLicenceRequest& r) {
  if (auto s = ValidateAreaRequest(r.area_id()); !s.ok()) return s;
  if (r.kind() != "ap" && r.kind() != "ccv_bulk") {
    return absl::InvalidArgumentError(
        "kind (kvo --kind): ap (the AP's own licence) or ccv_bulk (the CCV "
        "bulk licence)");
  }
  if (auto s =
          First({CheckText("number (kvo --number)", r.number(), 1, 100),
                 CheckText("holder (kvo --holder)", r.holder(), 1, kMaxName)});
      !s.ok()) {
    return s;
  }
  auto from = ParseDay("valid_from", "--valid-from", r.valid_from());
  if (!from.ok()) return from.status();
  auto until = ParseDay("valid_until", "--valid-until", r.valid_until());
  if (!until.ok()) return until.status();
  if (auto s = CheckLicenceDates({*from, *until}); !s.ok()) return s;
  return LicenceDays{*from, *until};
}

absl::Status ValidateDraftIntentRequest(const kvo::v1::DraftIntentRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                CheckText("text (kvo --text)", r.text(), 1, kMaxLongText,
                          /*multiline=*/true)});
}

absl::StatusOr<absl::CivilDay> ValidateSignIntentRequest(
    const kvo::v1::SignIntentRequest& r) {
  if (auto s = First({ValidateAreaRequest(r.area_id()),
                      CheckText("party (kvo --party)", r.party(), 1, 40),
                      CheckText("signed_by (kvo --signed-by)", r.signed_by(), 1,
                                kMaxName)});
      !s.ok()) {
    return s;
  }
  return ParseDay("signed_on", "--signed-on", r.signed_on());
}

absl::StatusOr<absl::CivilDay> ValidateRecordAssessmentRequest(
    const kvo::v1::RecordAssessmentRequest& r) {
  if (auto s = First(
          {ValidateAreaRequest(r.area_id()),
           CheckText("assessor (kvo --assessor)", r.assessor(), 1, kMaxName),
           CheckText("findings (kvo --findings)", r.findings(), 0, kMaxLongText,
                     /*multiline=*/true)});
      !s.ok()) {
    return s;
  }
  return ParseDay("assessed_on", "--assessed-on", r.assessed_on());
}

absl::StatusOr<std::optional<absl::CivilDay>> ValidateIssueCertificateRequest(
    const kvo::v1::IssueCertificateRequest& r) {
  if (auto s = ValidateAreaRequest(r.area_id()); !s.ok()) return s;
  if (r.issued_on().empty()) return std::optional<absl::CivilDay>();
  auto day = ParseDay("issued_on", "--issued-on", r.issued_on());
  if (!day.ok()) return day.status();
  return std::optional<absl::CivilDay>(*day);
}

absl::Status ValidateImportFiguresRequest(
    const kvo::v1::ImportFiguresRequest& r) {
  if (auto s = ValidateAreaRequest(r.area_id()); !s.ok()) return s;
  if (r.source() != "police" && r.source() != "fire_brigade") {
    return absl::InvalidArgumentError(
        "source (kvo --source): police or fire_brigade");
  }
  if (r.csv().size() > kMaxFiguresBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("FILE: at most ", kMaxFiguresBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAddObjectiveRequest(
    const kvo::v1::AddObjectiveRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                CheckText("description (kvo --description)", r.description(), 1,
                          kMaxLongText, /*multiline=*/true),
                CheckText("target (kvo --target)", r.target(), 1, kMaxName),
                CheckText("measure (kvo --measure)", r.measure(), 1, 40)});
}

absl::StatusOr<absl::CivilDay> ValidateAddActivityRequest(
    const kvo::v1::AddActivityRequest& r) {
  if (auto s =
          First({ValidateAreaRequest(r.area_id()),
                 RequireId("objective_id (kvo --objective)", r.objective_id()),
                 CheckText("description (kvo --description)", r.description(),
                           1, kMaxLongText, /*multiline=*/true),
                 CheckText("owner (kvo --owner)", r.owner(), 1, kMaxName),
                 r.status().empty() ? absl::OkStatus()
                                    : CheckActivityStatus(r.status())});
      !s.ok()) {
    return s;
  }
  return ParseDay("deadline", "--deadline", r.deadline());
}

absl::Status ValidateSetActivityStatusRequest(
    const kvo::v1::SetActivityStatusRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                RequireId("activity_id (kvo ACTIVITY)", r.activity_id()),
                CheckActivityStatus(r.status())});
}

absl::StatusOr<MeasurementPeriod> ValidateCreateMeasurementRequest(
    const kvo::v1::CreateMeasurementRequest& r) {
  if (auto s = First({ValidateAreaRequest(r.area_id()),
                      CheckText("label (kvo --label)", r.label(), 1, 40)});
      !s.ok()) {
    return s;
  }
  auto from = ParseDay("period_from", "--from", r.period_from());
  if (!from.ok()) return from.status();
  auto to = ParseDay("period_to", "--to", r.period_to());
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return absl::InvalidArgumentError(
        "period_to (kvo --to): the period ends before it starts");
  }
  return MeasurementPeriod{*from, *to};
}

absl::Status ValidateAnswerSurveyRequest(
    const kvo::v1::AnswerSurveyRequest& r) {
  if (auto s = First(
          {ValidateAreaRequest(r.area_id()),
           RequireId("measurement_id (kvo --measurement)", r.measurement_id()),
           RequireId("shop_id (kvo --shop)", r.shop_id())});
      !s.ok()) {
    return s;
  }
  if (r.answers_size() > kMaxAnswers) {
    return absl::InvalidArgumentError(
        absl::StrCat("answers (kvo --answer): at most ", kMaxAnswers));
  }
  for (const auto& a : r.answers()) {
    if (auto s =
            First({CheckText("question (kvo --answer)", a.question_id(), 1, 40),
                   CheckText("answer (kvo --answer)", a.answer(), 1, 40)});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ValidateRecordSchouwRoundRequest(
    const kvo::v1::RecordSchouwRoundRequest& r) {
  if (auto s =
          First({ValidateAreaRequest(r.area_id()), CheckSchouwKind(r.kind()),
                 CheckText("notes (kvo --notes)", r.notes(), 0, kMaxLongText,
                           /*multiline=*/true)});
      !s.ok()) {
    return s;
  }
  return ParseDay("walked_on", "--walked-on", r.walked_on());
}

absl::Status ValidateAddFindingRequest(const kvo::v1::AddFindingRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                RequireId("round_id (kvo --round)", r.round_id()),
                CheckText("street (kvo --street)", r.street(), 1, kMaxName),
                CheckText("category (kvo --category)", r.category(), 1, 40),
                CheckSeverity(r.severity()),
                CheckText("description (kvo --description)", r.description(), 1,
                          kMaxLongText, /*multiline=*/true),
                CheckText("follow_up (kvo --follow-up)", r.follow_up(), 0,
                          kMaxLongText, /*multiline=*/true)});
}

absl::Status ValidateGetFindingPhotoRequest(
    const kvo::v1::GetFindingPhotoRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                RequireId("finding_id (kvo --finding)", r.finding_id())});
}

absl::StatusOr<absl::CivilDay> ValidateAdjustPlanRequest(
    const kvo::v1::AdjustPlanRequest& r) {
  if (auto s = First({ValidateAreaRequest(r.area_id()),
                      CheckText("reason (kvo --reason)", r.reason(), 1,
                                kMaxReason, /*multiline=*/true)});
      !s.ok()) {
    return s;
  }
  auto day = ParseDay("adjusted_on", "--on", r.adjusted_on());
  if (!day.ok()) return day.status();
  if (r.targets().empty() && r.drop_objectives().empty() &&
      r.cancel_activities().empty()) {
    return absl::InvalidArgumentError(
        "changes (kvo --target, --drop-objective, --cancel-activity): an "
        "adjustment changes the plan; name at least one change");
  }
  std::vector<int64_t> objectives;
  for (const auto& t : r.targets()) {
    if (auto s =
            RequireId("targets.objective_id (kvo --target)", t.objective_id());
        !s.ok()) {
      return s;
    }
    if (!std::isfinite(t.target_change()) || t.target_change() < -100 ||
        t.target_change() > 1000) {
      return absl::InvalidArgumentError(
          "targets.target_change (kvo --target): a change from -100 to 1000");
    }
    objectives.push_back(t.objective_id());
  }
  for (int64_t id : r.drop_objectives()) {
    if (auto s = RequireId("drop_objectives (kvo --drop-objective)", id);
        !s.ok()) {
      return s;
    }
    objectives.push_back(id);
  }
  std::vector<int64_t> activities;
  for (int64_t id : r.cancel_activities()) {
    if (auto s = RequireId("cancel_activities (kvo --cancel-activity)", id);
        !s.ok()) {
      return s;
    }
    activities.push_back(id);
  }
  for (auto* ids : {&objectives, &activities}) {
    std::sort(ids->begin(), ids->end());
    if (std::adjacent_find(ids->begin(), ids->end()) != ids->end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ids == &objectives
              ? "objectives (kvo --target, --drop-objective): objective "
              : "cancel_activities (kvo --cancel-activity): activity ",
          *std::adjacent_find(ids->begin(), ids->end()),
          " is named more than once"));
    }
  }
  return *day;
}

absl::Status ValidateSetFindingStatusRequest(
    const kvo::v1::SetFindingStatusRequest& r) {
  return First({ValidateAreaRequest(r.area_id()),
                RequireId("finding_id (kvo FINDING)", r.finding_id()),
                CheckFindingStatus(r.status()),
                CheckText("follow_up (kvo --follow-up)", r.follow_up(), 0,
                          kMaxLongText, /*multiline=*/true)});
}

}  // namespace kvo::cycle
