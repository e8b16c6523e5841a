#ifndef KVO_SERVICES_CYCLE_CYCLE_USE_CASES_H_
#define KVO_SERVICES_CYCLE_CYCLE_USE_CASES_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/cycle.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/audit/audit_entry.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/envelope.h"
#include "services/cycle/cycle_door_admission.h"
#include "services/registry/key_ring.h"

namespace kvo::cycle {

// The KVO cycle's use cases. The caller (the gRPC handler) has decided
// access to the request's area; each use case validates the request (the
// validators of cycle_requests.h), owns its transaction and appends its
// audit entry there (`who`: the caller's record from the guard; the use
// case sets action and subject "area:<id>"). Bad input writes nothing:
// INVALID_ARGUMENT naming the field and its kvo flag, NOT_FOUND for an
// area or shop that does not exist, FAILED_PRECONDITION for a step out of
// order (a signature before the intent's text, a certificate without a
// passed assessment). A change of licences or participants takes effect
// at the door at once (CycleDoorAdmission::Forget). Results are kvo.v1
// messages. Thread-safe.
class CycleUseCases final {
 public:
  // `questionnaire`: the survey's, checked (LoadQuestionnaireFile); it
  // must outlive the use cases.
  // `keys`: a schouw photo is sealed with a key of the key store.
  CycleUseCases(const kvo::v1::Policy& policy,
                const kvo::v1::Questionnaire& questionnaire,
                common::DbPool& pool, CycleDoorAdmission& admission,
                const registry::KeyRing& keys, const common::Clock& clock);

  absl::StatusOr<kvo::v1::AreaOverview> GetArea(const audit::AuditRecord& who,
                                                int64_t area_id);
  absl::StatusOr<kvo::v1::Street> AddStreet(const audit::AuditRecord& who,
                                            const kvo::v1::AddStreetRequest& r);
  absl::StatusOr<kvo::v1::Party> AddParty(const audit::AuditRecord& who,
                                          const kvo::v1::AddPartyRequest& r);
  absl::StatusOr<kvo::v1::Participant> RecordParticipant(
      const audit::AuditRecord& who,
      const kvo::v1::RecordParticipantRequest& r);
  absl::StatusOr<kvo::v1::Licence> RecordLicence(
      const audit::AuditRecord& who, const kvo::v1::RecordLicenceRequest& r);
  // Records the given fields of the area's letterhead; the others keep
  // their value.
  absl::StatusOr<kvo::v1::AreaContact> SetAreaContact(
      const audit::AuditRecord& who, const kvo::v1::SetAreaContactRequest& r);
  // For `area_ids`, or every area when `all`.
  absl::StatusOr<kvo::v1::ListDueResponse> ListDue(
      const std::vector<int64_t>& area_ids, bool all);

  absl::StatusOr<kvo::v1::Intent> DraftIntent(
      const audit::AuditRecord& who, const kvo::v1::DraftIntentRequest& r);
  absl::StatusOr<kvo::v1::Intent> SignIntent(
      const audit::AuditRecord& who, const kvo::v1::SignIntentRequest& r);
  absl::StatusOr<kvo::v1::Intent> GetIntent(int64_t area_id);

  absl::StatusOr<kvo::v1::Assessment> RecordAssessment(
      const audit::AuditRecord& who, const kvo::v1::RecordAssessmentRequest& r);
  absl::StatusOr<kvo::v1::Certificate> IssueCertificate(
      const audit::AuditRecord& who, const kvo::v1::IssueCertificateRequest& r);
  absl::StatusOr<kvo::v1::ListCertificatesResponse> ListCertificates(
      int64_t area_id);
  // `only_source`: the one source the caller may import (the fire
  // brigade: fire_brigade), else PERMISSION_DENIED naming --source; empty:
  // any.
  absl::StatusOr<kvo::v1::ImportFiguresResponse> ImportFigures(
      const audit::AuditRecord& who, const kvo::v1::ImportFiguresRequest& r,
      const std::string& only_source = "");
  absl::StatusOr<kvo::v1::ListFiguresResponse> ListFigures(int64_t area_id);
  absl::StatusOr<kvo::v1::Objective> AddObjective(
      const audit::AuditRecord& who, const kvo::v1::AddObjectiveRequest& r);
  absl::StatusOr<kvo::v1::Activity> AddActivity(
      const audit::AuditRecord& who, const kvo::v1::AddActivityRequest& r);
  absl::StatusOr<kvo::v1::Activity> SetActivityStatus(
      const audit::AuditRecord& who,
      const kvo::v1::SetActivityStatusRequest& r);
  absl::StatusOr<kvo::v1::Plan> GetPlan(int64_t area_id, bool only_overdue);
  // Step 7: see AdjustPlan in cycle.proto.
  absl::StatusOr<kvo::v1::PlanAdjustment> AdjustPlan(
      const audit::AuditRecord& who, const kvo::v1::AdjustPlanRequest& r);
  absl::StatusOr<kvo::v1::CycleStatus> Status(int64_t area_id);

  // The survey. A measurement is taken with the questionnaire of now; a
  // response to a measurement of another version: FAILED_PRECONDITION.
  const kvo::v1::Questionnaire& Questionnaire() const { return questionnaire_; }
  absl::StatusOr<kvo::v1::Measurement> CreateMeasurement(
      const audit::AuditRecord& who,
      const kvo::v1::CreateMeasurementRequest& r);
  // `own_shop_only` (a shopkeeper): PERMISSION_DENIED for a shop the caller
  // is no member of. The shop must be a participant of the area
  // (FAILED_PRECONDITION). The shop's earlier response is replaced.
  absl::StatusOr<kvo::v1::SurveyReceipt> AnswerSurvey(
      const audit::AuditRecord& who, const kvo::v1::AnswerSurveyRequest& r,
      bool own_shop_only);
  absl::StatusOr<kvo::v1::SurveyStatus> SurveyStatus(int64_t area_id);

  // The schouw. A finding's street must be one of the area's
  // (INVALID_ARGUMENT naming --street), its category the policy's; a
  // round of another area: NOT_FOUND naming --round. A photo goes through
  // the photo intake (policy photos {}: re-encoded, metadata removed) and
  // is sealed in the finding's transaction; a bad image: INVALID_ARGUMENT
  // naming --photo and no finding.
  absl::StatusOr<kvo::v1::SchouwRound> RecordSchouwRound(
      const audit::AuditRecord& who,
      const kvo::v1::RecordSchouwRoundRequest& r);
  absl::StatusOr<kvo::v1::Finding> AddFinding(
      const audit::AuditRecord& who, const kvo::v1::AddFindingRequest& r);
  absl::StatusOr<kvo::v1::Finding> SetFindingStatus(
      const audit::AuditRecord& who, const kvo::v1::SetFindingStatusRequest& r);
  absl::StatusOr<kvo::v1::ListFindingsResponse> ListFindings(int64_t area_id,
                                                             bool only_open);
  // Opened; audited. NOT_FOUND unless the finding is the area's and has a
  // photo.
  absl::StatusOr<kvo::v1::FindingPhoto> GetFindingPhoto(
      const audit::AuditRecord& who, const kvo::v1::GetFindingPhotoRequest& r);

 private:
  absl::CivilDay Today() const;

  const kvo::v1::Policy& policy_;
  const kvo::v1::Questionnaire& questionnaire_;
  common::DbPool& pool_;
  CycleDoorAdmission& admission_;
  const common::SecretKey photo_key_;
  const common::Clock& clock_;
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_USE_CASES_H_
