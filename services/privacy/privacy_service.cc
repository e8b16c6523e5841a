#include "services/privacy/privacy_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_util.h"

namespace kvo::privacy {
namespace {

using common::ToGrpcStatus;

std::string Method(absl::string_view name) {
  return absl::StrCat("kvo.v1.PrivacyService/", name);
}

// Copies a use case's result into the response, or maps its status.
template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status PrivacyServiceImpl::FindSubject(
    grpc::ServerContext* context, const kvo::v1::FindSubjectRequest* request,
    kvo::v1::FindSubjectResponse* response) {
  auto call = guard_.Begin(*context, Method("FindSubject"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(
      use_cases_.FindSubject(guard_.Record(*call, "", "", ""), *request),
      response);
}

grpc::Status PrivacyServiceImpl::ResolvePseudonym(
    grpc::ServerContext* context,
    const kvo::v1::ResolvePseudonymRequest* request,
    kvo::v1::ResolvedSubject* response) {
  auto call = guard_.Begin(*context, Method("ResolvePseudonym"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(
      use_cases_.ResolvePseudonym(guard_.Record(*call, "", "", ""),
                                  request->pseudonym(), request->purpose()),
      response);
}

grpc::Status PrivacyServiceImpl::OpenSubjectRequest(
    grpc::ServerContext* context,
    const kvo::v1::OpenSubjectRequestRequest* request,
    kvo::v1::SubjectRequest* response) {
  auto call = guard_.Begin(*context, Method("OpenSubjectRequest"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(use_cases_.Open(guard_.Record(*call, "", "", ""), *request),
                response);
}

grpc::Status PrivacyServiceImpl::ListSubjectRequests(
    grpc::ServerContext* context,
    const kvo::v1::ListSubjectRequestsRequest* request,
    kvo::v1::ListSubjectRequestsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListSubjectRequests"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto list = use_cases_.List(request->include_closed());
  if (!list.ok()) return ToGrpcStatus(list.status());
  for (auto& r : *list) *response->add_requests() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status PrivacyServiceImpl::GetSubjectRequest(
    grpc::ServerContext* context,
    const kvo::v1::GetSubjectRequestRequest* request,
    kvo::v1::SubjectRequest* response) {
  auto call = guard_.Begin(*context, Method("GetSubjectRequest"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(use_cases_.Get(request->request_id()), response);
}

grpc::Status PrivacyServiceImpl::ExportAccess(
    grpc::ServerContext* context, const kvo::v1::ExportAccessRequest* request,
    kvo::v1::AccessExport* response) {
  auto call = guard_.Begin(*context, Method("ExportAccess"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(use_cases_.ExportAccess(guard_.Record(*call, "", "", ""),
                                        request->request_id()),
                response);
}

grpc::Status PrivacyServiceImpl::RectifySubject(
    grpc::ServerContext* context, const kvo::v1::RectifySubjectRequest* request,
    kvo::v1::SubjectRequest* response) {
  auto call = guard_.Begin(*context, Method("RectifySubject"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(use_cases_.Rectify(
                    guard_.Record(*call, "", "", ""), request->request_id(),
                    {request->fields().begin(), request->fields().end()},
                    request->reason()),
                response);
}

grpc::Status PrivacyServiceImpl::CloseSubjectRequest(
    grpc::ServerContext* context,
    const kvo::v1::CloseSubjectRequestRequest* request,
    kvo::v1::SubjectRequest* response) {
  auto call = guard_.Begin(*context, Method("CloseSubjectRequest"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return Answer(use_cases_.Close(guard_.Record(*call, "", "", ""),
                                 request->request_id(), request->outcome(),
                                 request->note(), request->closed_on()),
                response);
}

}  // namespace kvo::privacy
