#include "services/cycle/cycle_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_util.h"

namespace kvo::cycle {
namespace {

using common::ToGrpcStatus;
using identity::Call;

std::string Method(absl::string_view name) {
  return absl::StrCat("kvo.v1.CycleService/", name);
}

// Copies a use case's result into the response, or maps its status.
template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

template <typename Response, typename UseCase>
grpc::Status CycleServiceImpl::InArea(grpc::ServerContext& context,
                                      absl::string_view method, int64_t area_id,
                                      UseCase&& use_case, Response* response) {
  auto call = guard_.Begin(context, Method(method));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {area_id}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_case(*call), response);
}

grpc::Status CycleServiceImpl::GetArea(grpc::ServerContext* context,
                                       const kvo::v1::GetAreaRequest* request,
                                       kvo::v1::AreaOverview* response) {
  return InArea(
      *context, "GetArea", request->area_id(),
      [&](const Call& call) {
        return use_cases_.GetArea(Who(call), request->area_id());
      },
      response);
}

grpc::Status CycleServiceImpl::AddStreet(
    grpc::ServerContext* context, const kvo::v1::AddStreetRequest* request,
    kvo::v1::Street* response) {
  return InArea(
      *context, "AddStreet", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AddStreet(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::AddParty(grpc::ServerContext* context,
                                        const kvo::v1::AddPartyRequest* request,
                                        kvo::v1::Party* response) {
  return InArea(
      *context, "AddParty", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AddParty(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::RecordParticipant(
    grpc::ServerContext* context,
    const kvo::v1::RecordParticipantRequest* request,
    kvo::v1::Participant* response) {
  return InArea(
      *context, "RecordParticipant", request->area_id(),
      [&](const Call& call) {
        return use_cases_.RecordParticipant(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::RecordLicence(
    grpc::ServerContext* context, const kvo::v1::RecordLicenceRequest* request,
    kvo::v1::Licence* response) {
  return InArea(
      *context, "RecordLicence", request->area_id(),
      [&](const Call& call) {
        return use_cases_.RecordLicence(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::SetAreaContact(
    grpc::ServerContext* context, const kvo::v1::SetAreaContactRequest* request,
    kvo::v1::AreaContact* response) {
  return InArea(
      *context, "SetAreaContact", request->area_id(),
      [&](const Call& call) {
        return use_cases_.SetAreaContact(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::DraftIntent(
    grpc::ServerContext* context, const kvo::v1::DraftIntentRequest* request,
    kvo::v1::Intent* response) {
  return InArea(
      *context, "DraftIntent", request->area_id(),
      [&](const Call& call) {
        return use_cases_.DraftIntent(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::SignIntent(
    grpc::ServerContext* context, const kvo::v1::SignIntentRequest* request,
    kvo::v1::Intent* response) {
  return InArea(
      *context, "SignIntent", request->area_id(),
      [&](const Call& call) {
        return use_cases_.SignIntent(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::GetIntent(
    grpc::ServerContext* context, const kvo::v1::GetIntentRequest* request,
    kvo::v1::Intent* response) {
  return InArea(
      *context, "GetIntent", request->area_id(),
      [&](const Call&) { return use_cases_.GetIntent(request->area_id()); },
      response);
}

grpc::Status CycleServiceImpl::RecordAssessment(
    grpc::ServerContext* context,
    const kvo::v1::RecordAssessmentRequest* request,
    kvo::v1::Assessment* response) {
  return InArea(
      *context, "RecordAssessment", request->area_id(),
      [&](const Call& call) {
        return use_cases_.RecordAssessment(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::IssueCertificate(
    grpc::ServerContext* context,
    const kvo::v1::IssueCertificateRequest* request,
    kvo::v1::Certificate* response) {
  return InArea(
      *context, "IssueCertificate", request->area_id(),
      [&](const Call& call) {
        return use_cases_.IssueCertificate(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::ListCertificates(
    grpc::ServerContext* context,
    const kvo::v1::ListCertificatesRequest* request,
    kvo::v1::ListCertificatesResponse* response) {
  return InArea(
      *context, "ListCertificates", request->area_id(),
      [&](const Call&) {
        return use_cases_.ListCertificates(request->area_id());
      },
      response);
}

grpc::Status CycleServiceImpl::ImportFigures(
    grpc::ServerContext* context, const kvo::v1::ImportFiguresRequest* request,
    kvo::v1::ImportFiguresResponse* response) {
  return InArea(
      *context, "ImportFigures", request->area_id(),
      [&](const Call& call) {
        // The fire brigade enters its own figures, not the police's.
        return use_cases_.ImportFigures(
            Who(call), *request,
            call.caller.role == kvo::v1::ROLE_FIRE_BRIGADE ? "fire_brigade"
                                                           : "");
      },
      response);
}

grpc::Status CycleServiceImpl::ListFigures(
    grpc::ServerContext* context, const kvo::v1::ListFiguresRequest* request,
    kvo::v1::ListFiguresResponse* response) {
  return InArea(
      *context, "ListFigures", request->area_id(),
      [&](const Call&) { return use_cases_.ListFigures(request->area_id()); },
      response);
}

grpc::Status CycleServiceImpl::GetCycleStatus(
    grpc::ServerContext* context, const kvo::v1::GetCycleStatusRequest* request,
    kvo::v1::CycleStatus* response) {
  return InArea(
      *context, "GetCycleStatus", request->area_id(),
      [&](const Call&) { return use_cases_.Status(request->area_id()); },
      response);
}

grpc::Status CycleServiceImpl::AddObjective(
    grpc::ServerContext* context, const kvo::v1::AddObjectiveRequest* request,
    kvo::v1::Objective* response) {
  return InArea(
      *context, "AddObjective", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AddObjective(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::AddActivity(
    grpc::ServerContext* context, const kvo::v1::AddActivityRequest* request,
    kvo::v1::Activity* response) {
  return InArea(
      *context, "AddActivity", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AddActivity(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::SetActivityStatus(
    grpc::ServerContext* context,
    const kvo::v1::SetActivityStatusRequest* request,
    kvo::v1::Activity* response) {
  return InArea(
      *context, "SetActivityStatus", request->area_id(),
      [&](const Call& call) {
        return use_cases_.SetActivityStatus(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::GetPlan(grpc::ServerContext* context,
                                       const kvo::v1::GetPlanRequest* request,
                                       kvo::v1::Plan* response) {
  return InArea(
      *context, "GetPlan", request->area_id(),
      [&](const Call&) {
        return use_cases_.GetPlan(request->area_id(), request->only_overdue());
      },
      response);
}

grpc::Status CycleServiceImpl::ListDue(grpc::ServerContext* context,
                                       const kvo::v1::ListDueRequest* request,
                                       kvo::v1::ListDueResponse* response) {
  if (request->area_id() != 0) {
    return InArea(
        *context, "ListDue", request->area_id(),
        [&](const Call&) {
          return use_cases_.ListDue({request->area_id()}, false);
        },
        response);
  }
  // Area 0: every area of the caller's (an admin's: every area).
  auto call = guard_.Begin(*context, Method("ListDue"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  const bool all = call->caller.role == kvo::v1::ROLE_ADMIN;
  return Answer(use_cases_.ListDue(call->caller.area_ids, all), response);
}

grpc::Status CycleServiceImpl::GetQuestionnaire(
    grpc::ServerContext* context, const kvo::v1::GetQuestionnaireRequest*,
    kvo::v1::Questionnaire* response) {
  // The questionnaire is the same for every area.
  auto call = guard_.Begin(*context, Method("GetQuestionnaire"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  *response = use_cases_.Questionnaire();
  return grpc::Status::OK;
}

grpc::Status CycleServiceImpl::CreateMeasurement(
    grpc::ServerContext* context,
    const kvo::v1::CreateMeasurementRequest* request,
    kvo::v1::Measurement* response) {
  return InArea(
      *context, "CreateMeasurement", request->area_id(),
      [&](const Call& call) {
        return use_cases_.CreateMeasurement(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::AnswerSurvey(
    grpc::ServerContext* context, const kvo::v1::AnswerSurveyRequest* request,
    kvo::v1::SurveyReceipt* response) {
  return InArea(
      *context, "AnswerSurvey", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AnswerSurvey(
            Who(call), *request, call.caller.role == kvo::v1::ROLE_SHOPKEEPER);
      },
      response);
}

grpc::Status CycleServiceImpl::GetSurveyStatus(
    grpc::ServerContext* context,
    const kvo::v1::GetSurveyStatusRequest* request,
    kvo::v1::SurveyStatus* response) {
  return InArea(
      *context, "GetSurveyStatus", request->area_id(),
      [&](const Call&) { return use_cases_.SurveyStatus(request->area_id()); },
      response);
}

grpc::Status CycleServiceImpl::RecordSchouwRound(
    grpc::ServerContext* context,
    const kvo::v1::RecordSchouwRoundRequest* request,
    kvo::v1::SchouwRound* response) {
  return InArea(
      *context, "RecordSchouwRound", request->area_id(),
      [&](const Call& call) {
        return use_cases_.RecordSchouwRound(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::AddFinding(
    grpc::ServerContext* context, const kvo::v1::AddFindingRequest* request,
    kvo::v1::Finding* response) {
  return InArea(
      *context, "AddFinding", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AddFinding(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::SetFindingStatus(
    grpc::ServerContext* context,
    const kvo::v1::SetFindingStatusRequest* request,
    kvo::v1::Finding* response) {
  return InArea(
      *context, "SetFindingStatus", request->area_id(),
      [&](const Call& call) {
        return use_cases_.SetFindingStatus(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::ListFindings(
    grpc::ServerContext* context, const kvo::v1::ListFindingsRequest* request,
    kvo::v1::ListFindingsResponse* response) {
  return InArea(
      *context, "ListFindings", request->area_id(),
      [&](const Call&) {
        return use_cases_.ListFindings(request->area_id(),
                                       request->only_open());
      },
      response);
}

grpc::Status CycleServiceImpl::GetFindingPhoto(
    grpc::ServerContext* context,
    const kvo::v1::GetFindingPhotoRequest* request,
    kvo::v1::FindingPhoto* response) {
  return InArea(
      *context, "GetFindingPhoto", request->area_id(),
      [&](const Call& call) {
        return use_cases_.GetFindingPhoto(Who(call), *request);
      },
      response);
}

grpc::Status CycleServiceImpl::AdjustPlan(
    grpc::ServerContext* context, const kvo::v1::AdjustPlanRequest* request,
    kvo::v1::PlanAdjustment* response) {
  return InArea(
      *context, "AdjustPlan", request->area_id(),
      [&](const Call& call) {
        return use_cases_.AdjustPlan(Who(call), *request);
      },
      response);
}

}  // namespace kvo::cycle
