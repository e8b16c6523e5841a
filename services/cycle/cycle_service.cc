#include "services/cycle/cycle_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_util.h"

namespace kvo::cycle {
namespace {

using common::ToGrpcStatus;

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

grpc::Status CycleServiceImpl::GetArea(grpc::ServerContext* context,
                                       const kvo::v1::GetAreaRequest* request,
                                       kvo::v1::AreaOverview* response) {
  auto call = guard_.Begin(*context, Method("GetArea"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.GetArea(guard_.Record(*call, "", "", ""), request->area_id()),
      response);
}

grpc::Status CycleServiceImpl::AddStreet(
    grpc::ServerContext* context, const kvo::v1::AddStreetRequest* request,
    kvo::v1::Street* response) {
  auto call = guard_.Begin(*context, Method("AddStreet"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.AddStreet(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::AddParty(grpc::ServerContext* context,
                                        const kvo::v1::AddPartyRequest* request,
                                        kvo::v1::Party* response) {
  auto call = guard_.Begin(*context, Method("AddParty"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_cases_.AddParty(guard_.Record(*call, "", "", ""), *request),
                response);
}

grpc::Status CycleServiceImpl::RecordParticipant(
    grpc::ServerContext* context,
    const kvo::v1::RecordParticipantRequest* request,
    kvo::v1::Participant* response) {
  auto call = guard_.Begin(*context, Method("RecordParticipant"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.RecordParticipant(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::RecordLicence(
    grpc::ServerContext* context, const kvo::v1::RecordLicenceRequest* request,
    kvo::v1::Licence* response) {
  auto call = guard_.Begin(*context, Method("RecordLicence"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.RecordLicence(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::DraftIntent(
    grpc::ServerContext* context, const kvo::v1::DraftIntentRequest* request,
    kvo::v1::Intent* response) {
  auto call = guard_.Begin(*context, Method("DraftIntent"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.DraftIntent(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::SignIntent(
    grpc::ServerContext* context, const kvo::v1::SignIntentRequest* request,
    kvo::v1::Intent* response) {
  auto call = guard_.Begin(*context, Method("SignIntent"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.SignIntent(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::GetIntent(
    grpc::ServerContext* context, const kvo::v1::GetIntentRequest* request,
    kvo::v1::Intent* response) {
  auto call = guard_.Begin(*context, Method("GetIntent"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_cases_.GetIntent(request->area_id()), response);
}

grpc::Status CycleServiceImpl::RecordAssessment(
    grpc::ServerContext* context,
    const kvo::v1::RecordAssessmentRequest* request,
    kvo::v1::Assessment* response) {
  auto call = guard_.Begin(*context, Method("RecordAssessment"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.RecordAssessment(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::IssueCertificate(
    grpc::ServerContext* context,
    const kvo::v1::IssueCertificateRequest* request,
    kvo::v1::Certificate* response) {
  auto call = guard_.Begin(*context, Method("IssueCertificate"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(
      use_cases_.IssueCertificate(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status CycleServiceImpl::ListCertificates(
    grpc::ServerContext* context,
    const kvo::v1::ListCertificatesRequest* request,
    kvo::v1::ListCertificatesResponse* response) {
  auto call = guard_.Begin(*context, Method("ListCertificates"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_cases_.ListCertificates(request->area_id()), response);
}

grpc::Status CycleServiceImpl::GetCycleStatus(
    grpc::ServerContext* context, const kvo::v1::GetCycleStatusRequest* request,
    kvo::v1::CycleStatus* response) {
  auto call = guard_.Begin(*context, Method("GetCycleStatus"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_cases_.Status(request->area_id()), response);
}

grpc::Status CycleServiceImpl::ListDue(grpc::ServerContext* context,
                                       const kvo::v1::ListDueRequest* request,
                                       kvo::v1::ListDueResponse* response) {
  auto call = guard_.Begin(*context, Method("ListDue"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  // Area 0: every area of the caller's (an admin's: every area).
  if (request->area_id() == 0) {
    const bool all = call->caller.role == kvo::v1::ROLE_ADMIN;
    return Answer(use_cases_.ListDue(call->caller.area_ids, all), response);
  }
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Answer(use_cases_.ListDue({request->area_id()}, false), response);
}

}  // namespace kvo::cycle
