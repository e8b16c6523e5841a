#ifndef KVO_SERVICES_REGISTRY_REGISTRY_REQUESTS_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_REQUESTS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvo/v1/keys.pb.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/request_checks.h"

namespace kvo::registry {

// What each registry request must hold on its own: required ids, text
// lengths and characters, dates, enums. What needs the database (does the
// shop exist, is the incident time after the area joined) stays with the
// handlers, and so does the order: a handler decides access to the area
// (audited when refused) before it judges the rest of a request, so an
// outsider is refused alike whatever they send. OK, or INVALID_ARGUMENT
// naming the field and what is allowed. Pure; thread-safe.

// How many days before today an incident may be recorded (policy
// incident_backdate_days; 0 means 90): also how far before its joining day
// an area's incidents can reach.
int IncidentBackdateDays(const kvo::v1::Policy& policy);

// An id field that must be set: INVALID_ARGUMENT "<field>: required".
using common::RequireId;

absl::Status ValidateCreateShopRequest(const kvo::v1::CreateShopRequest& r);
absl::Status ValidateListShopsRequest(const kvo::v1::ListShopsRequest& r);
absl::Status ValidateAddShopMemberRequest(
    const kvo::v1::AddShopMemberRequest& r);

// The blind index's input (NormalizeForBlindIndex) of a valid request.
absl::StatusOr<std::string> ValidateFindPersonRequest(
    const kvo::v1::FindPersonRequest& r);

// A valid CreatePersonRequest: its non-empty person fields by name and the
// blind index's input. `now` bounds the date of birth.
struct PersonInput {
  std::map<std::string, std::string> fields;
  std::string normalized;
};
absl::StatusOr<PersonInput> ValidateCreatePersonRequest(
    const kvo::v1::Policy& policy, const kvo::v1::CreatePersonRequest& r,
    absl::Time now);

absl::Status ValidateGetPersonRequest(const kvo::v1::GetPersonRequest& r);
absl::Status ValidateErasePersonRequest(const kvo::v1::ErasePersonRequest& r);
// The offence type must be one of `policy`; occurred_at must be a valid
// Timestamp here (its bounds need the shop's area).
absl::Status ValidateRecordIncidentRequest(
    const kvo::v1::Policy& policy, const kvo::v1::RecordIncidentRequest& r);
// A Dutch police report number (aangiftenummer) in the one format kvod
// accepts: "PL", the police unit's 4 digits, "-", the 4-digit year (2000 or
// later) and a sequence of 6 to 8 digits: PL0900-2026123456. Else
// INVALID_ARGUMENT naming `field` (with its kvo flag) and the format.
absl::Status CheckPoliceReportNumber(absl::string_view field,
                                     absl::string_view number);
absl::Status ValidateRecordPoliceReportRequest(
    const kvo::v1::RecordPoliceReportRequest& r);
absl::Status ValidateGetPoliceReportPdfRequest(
    const kvo::v1::GetPoliceReportPdfRequest& r);
absl::Status ValidateIssueCardRequest(const kvo::v1::IssueCardRequest& r);
absl::Status ValidateRevokeCardRequest(const kvo::v1::RevokeCardRequest& r);
absl::Status ValidateListCardsRequest(const kvo::v1::ListCardsRequest& r);
// The language of a valid request: "nl" (the default) or "en".
absl::StatusOr<std::string> ValidateGetNoticeRequest(
    const kvo::v1::GetNoticeRequest& r);
absl::Status ValidateFileObjectionRequest(
    const kvo::v1::FileObjectionRequest& r);
absl::Status ValidateDecideObjectionRequest(
    const kvo::v1::DecideObjectionRequest& r);
absl::Status ValidateListObjectionsRequest(
    const kvo::v1::ListObjectionsRequest& r);
absl::Status ValidateRotateKeysRequest(const kvo::v1::RotateKeysRequest& r);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_REQUESTS_H_
