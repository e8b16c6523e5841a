#ifndef KVO_SERVICES_CYCLE_CYCLE_SERVICE_H_
#define KVO_SERVICES_CYCLE_CYCLE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/cycle.grpc.pb.h"
#include "services/cycle/cycle_use_cases.h"
#include "services/identity/rpc_guard.h"

namespace kvo::cycle {

// The gRPC adapter of the KVO cycle: the guard (token and the access table
// in policy/), then the request's area against the caller's (refusals
// audited), then one use case, whose status maps to the most specific code.
// Thread-safe.
class CycleServiceImpl final : public kvo::v1::CycleService::Service {
 public:
  CycleServiceImpl(identity::RpcGuard& guard, CycleUseCases& use_cases)
      : guard_(guard), use_cases_(use_cases) {}

  grpc::Status GetArea(grpc::ServerContext* context,
                       const kvo::v1::GetAreaRequest* request,
                       kvo::v1::AreaOverview* response) override;
  grpc::Status AddStreet(grpc::ServerContext* context,
                         const kvo::v1::AddStreetRequest* request,
                         kvo::v1::Street* response) override;
  grpc::Status AddParty(grpc::ServerContext* context,
                        const kvo::v1::AddPartyRequest* request,
                        kvo::v1::Party* response) override;
  grpc::Status RecordParticipant(
      grpc::ServerContext* context,
      const kvo::v1::RecordParticipantRequest* request,
      kvo::v1::Participant* response) override;
  grpc::Status RecordLicence(grpc::ServerContext* context,
                             const kvo::v1::RecordLicenceRequest* request,
                             kvo::v1::Licence* response) override;
  grpc::Status SetAreaContact(grpc::ServerContext* context,
                              const kvo::v1::SetAreaContactRequest* request,
                              kvo::v1::AreaContact* response) override;
  grpc::Status DraftIntent(grpc::ServerContext* context,
                           const kvo::v1::DraftIntentRequest* request,
                           kvo::v1::Intent* response) override;
  grpc::Status SignIntent(grpc::ServerContext* context,
                          const kvo::v1::SignIntentRequest* request,
                          kvo::v1::Intent* response) override;
  grpc::Status GetIntent(grpc::ServerContext* context,
                         const kvo::v1::GetIntentRequest* request,
                         kvo::v1::Intent* response) override;
  grpc::Status RecordAssessment(grpc::ServerContext* context,
                                const kvo::v1::RecordAssessmentRequest* request,
                                kvo::v1::Assessment* response) override;
  grpc::Status IssueCertificate(grpc::ServerContext* context,
                                const kvo::v1::IssueCertificateRequest* request,
                                kvo::v1::Certificate* response) override;
  grpc::Status ListCertificates(
      grpc::ServerContext* context,
      const kvo::v1::ListCertificatesRequest* request,
      kvo::v1::ListCertificatesResponse* response) override;
  grpc::Status ImportFigures(grpc::ServerContext* context,
                             const kvo::v1::ImportFiguresRequest* request,
                             kvo::v1::ImportFiguresResponse* response) override;
  grpc::Status ListFigures(grpc::ServerContext* context,
                           const kvo::v1::ListFiguresRequest* request,
                           kvo::v1::ListFiguresResponse* response) override;
  grpc::Status GetCycleStatus(grpc::ServerContext* context,
                              const kvo::v1::GetCycleStatusRequest* request,
                              kvo::v1::CycleStatus* response) override;
  grpc::Status AddObjective(grpc::ServerContext* context,
                            const kvo::v1::AddObjectiveRequest* request,
                            kvo::v1::Objective* response) override;
  grpc::Status AddActivity(grpc::ServerContext* context,
                           const kvo::v1::AddActivityRequest* request,
                           kvo::v1::Activity* response) override;
  grpc::Status SetActivityStatus(
      grpc::ServerContext* context,
      const kvo::v1::SetActivityStatusRequest* request,
      kvo::v1::Activity* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context,
                       const kvo::v1::GetPlanRequest* request,
                       kvo::v1::Plan* response) override;
  grpc::Status ListDue(grpc::ServerContext* context,
                       const kvo::v1::ListDueRequest* request,
                       kvo::v1::ListDueResponse* response) override;
  grpc::Status GetQuestionnaire(grpc::ServerContext* context,
                                const kvo::v1::GetQuestionnaireRequest* request,
                                kvo::v1::Questionnaire* response) override;
  grpc::Status CreateMeasurement(
      grpc::ServerContext* context,
      const kvo::v1::CreateMeasurementRequest* request,
      kvo::v1::Measurement* response) override;
  grpc::Status AnswerSurvey(grpc::ServerContext* context,
                            const kvo::v1::AnswerSurveyRequest* request,
                            kvo::v1::SurveyReceipt* response) override;
  grpc::Status RecordSchouwRound(
      grpc::ServerContext* context,
      const kvo::v1::RecordSchouwRoundRequest* request,
      kvo::v1::SchouwRound* response) override;
  grpc::Status AddFinding(grpc::ServerContext* context,
                          const kvo::v1::AddFindingRequest* request,
                          kvo::v1::Finding* response) override;
  grpc::Status SetFindingStatus(grpc::ServerContext* context,
                                const kvo::v1::SetFindingStatusRequest* request,
                                kvo::v1::Finding* response) override;
  grpc::Status ListFindings(grpc::ServerContext* context,
                            const kvo::v1::ListFindingsRequest* request,
                            kvo::v1::ListFindingsResponse* response) override;
  grpc::Status GetSurveyStatus(grpc::ServerContext* context,
                               const kvo::v1::GetSurveyStatusRequest* request,
                               kvo::v1::SurveyStatus* response) override;
  grpc::Status GetFindingPhoto(grpc::ServerContext* context,
                               const kvo::v1::GetFindingPhotoRequest* request,
                               kvo::v1::FindingPhoto* response) override;
  grpc::Status AdjustPlan(grpc::ServerContext* context,
                          const kvo::v1::AdjustPlanRequest* request,
                          kvo::v1::PlanAdjustment* response) override;

 private:
  // Guard, area check, then `use_case(call)` into `response`.
  template <typename Response, typename UseCase>
  grpc::Status InArea(grpc::ServerContext& context, absl::string_view method,
                      int64_t area_id, UseCase&& use_case, Response* response);
  audit::AuditRecord Who(const identity::Call& call) const {
    return guard_.Record(call, "", "", "");
  }

  identity::RpcGuard& guard_;
  CycleUseCases& use_cases_;
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_SERVICE_H_
