#ifndef KVO_SERVICES_CYCLE_CYCLE_REQUESTS_H_
#define KVO_SERVICES_CYCLE_CYCLE_REQUESTS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/cycle.pb.h"

namespace kvo::cycle {

// What each cycle request must hold on its own: the area, text lengths and
// characters, days as YYYY-MM-DD, the kinds of parties and licences. What
// needs the database (does the shop belong to the area, is there an
// assessment) stays with the use cases, and the handler decides access to
// the area before any of this. OK (or the parsed days), or
// INVALID_ARGUMENT naming the field and its kvo flag. Pure; thread-safe.

absl::Status ValidateAreaRequest(int64_t area_id);
absl::Status ValidateAddStreetRequest(const kvo::v1::AddStreetRequest& r);
absl::Status ValidateAddPartyRequest(const kvo::v1::AddPartyRequest& r);

struct ParticipantDays {
  absl::CivilDay agreement;
  std::optional<absl::CivilDay> declaration;
};
absl::StatusOr<ParticipantDays> ValidateRecordParticipantRequest(
    const kvo::v1::RecordParticipantRequest& r);

struct LicenceDays {
  absl::CivilDay valid_from;
  absl::CivilDay valid_until;
};
// Also refuses an end before the start (CheckLicenceDates).
absl::StatusOr<LicenceDays> ValidateRecordLicenceRequest(
    const kvo::v1::RecordLicenceRequest& r);

// The request with its IBAN without spaces in upper case: INVALID_ARGUMENT
// naming the flag for a field too long or with control characters, an
// e-mail without "@", an IBAN whose check digits do not match (or a Dutch
// one not 18 characters), or a request that records nothing.
absl::StatusOr<kvo::v1::SetAreaContactRequest> ValidateSetAreaContactRequest(
    const kvo::v1::SetAreaContactRequest& r);

absl::Status ValidateDraftIntentRequest(const kvo::v1::DraftIntentRequest& r);
// The signing day. Whether the party must sign is the policy's
// (CheckSignatureParty).
absl::StatusOr<absl::CivilDay> ValidateSignIntentRequest(
    const kvo::v1::SignIntentRequest& r);
absl::StatusOr<absl::CivilDay> ValidateRecordAssessmentRequest(
    const kvo::v1::RecordAssessmentRequest& r);
// The issuing day, or nullopt for today.
absl::StatusOr<std::optional<absl::CivilDay>> ValidateIssueCertificateRequest(
    const kvo::v1::IssueCertificateRequest& r);

// Area, source ("police" or "fire_brigade") and the file's size; its lines
// are ParseFigures'.
absl::Status ValidateImportFiguresRequest(
    const kvo::v1::ImportFiguresRequest& r);

// Area, texts and measure given; whether the measure is the policy's is
// CheckMeasure's.
absl::Status ValidateAddObjectiveRequest(const kvo::v1::AddObjectiveRequest& r);
// The deadline; the status (planned when empty) is checked too.
absl::StatusOr<absl::CivilDay> ValidateAddActivityRequest(
    const kvo::v1::AddActivityRequest& r);
absl::Status ValidateSetActivityStatusRequest(
    const kvo::v1::SetActivityStatusRequest& r);

struct MeasurementPeriod {
  absl::CivilDay from;
  absl::CivilDay to;
};
// Label ("0-meting") and the period asked about; an end before the start:
// INVALID_ARGUMENT naming --to.
absl::StatusOr<MeasurementPeriod> ValidateCreateMeasurementRequest(
    const kvo::v1::CreateMeasurementRequest& r);
// Area, measurement, shop, at most 500 answers of short codes; whether the
// answers fit the questionnaire is ScoreResponse's.
absl::Status ValidateAnswerSurveyRequest(const kvo::v1::AnswerSurveyRequest& r);

// The schouw: kind, day and notes of a round; the texts, severity and
// ids of a finding and of its status. Whether the category is the
// policy's and the street the area's is the use case's.
absl::StatusOr<absl::CivilDay> ValidateRecordSchouwRoundRequest(
    const kvo::v1::RecordSchouwRoundRequest& r);
absl::Status ValidateAddFindingRequest(const kvo::v1::AddFindingRequest& r);
// Only the ids; the photo is checked by the photo intake.
absl::Status ValidateGetFindingPhotoRequest(
    const kvo::v1::GetFindingPhotoRequest& r);
// The day (not checked against today); at least one change, ids positive
// and each named once, target changes finite from -100 to 1000.
absl::StatusOr<absl::CivilDay> ValidateAdjustPlanRequest(
    const kvo::v1::AdjustPlanRequest& r);
absl::Status ValidateSetFindingStatusRequest(
    const kvo::v1::SetFindingStatusRequest& r);

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_REQUESTS_H_
