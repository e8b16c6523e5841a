#include "services/donations/donation_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_util.h"

namespace kvo::donations {

using common::ToGrpcStatus;

template <typename T, typename Fn>
grpc::Status DonationServiceImpl::Serve(grpc::ServerContext* context,
                                        const char* method, T* response,
                                        Fn&& fn) {
  auto call =
      guard_.Begin(*context, absl::StrCat("kvo.v1.DonationService/", method));
  if (!call.ok()) return ToGrpcStatus(call.status());
  Actor actor;
  actor.who = guard_.Record(*call, "", "", "");
  actor.principal_id = call->caller.principal_id;
  actor.role = call->caller.role;
  actor.check_area = [this, c = *call](pqxx::transaction_base& tx,
                                       int64_t area_id) {
    return guard_.CheckAreasIn(tx, c, {area_id});
  };
  absl::StatusOr<T> result = fn(actor);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status DonationServiceImpl::CreateCase(
    grpc::ServerContext* context, const kvo::v1::CreateCaseRequest* request,
    kvo::v1::DonationCase* response) {
  return Serve(context, "CreateCase", response, [&](const Actor& a) {
    return use_cases_.CreateCase(a, *request);
  });
}

grpc::Status DonationServiceImpl::GetCase(
    grpc::ServerContext* context, const kvo::v1::GetCaseRequest* request,
    kvo::v1::DonationCase* response) {
  return Serve(context, "GetCase", response, [&](const Actor& a) {
    return use_cases_.GetCase(a, request->case_id());
  });
}

grpc::Status DonationServiceImpl::GetClaim(
    grpc::ServerContext* context, const kvo::v1::GetClaimRequest* request,
    kvo::v1::Claim* response) {
  return Serve(context, "GetClaim", response, [&](const Actor& a) {
    return use_cases_.GetClaim(a, request->claim_id());
  });
}

grpc::Status DonationServiceImpl::ListClaims(
    grpc::ServerContext* context, const kvo::v1::ListClaimsRequest* request,
    kvo::v1::ListClaimsResponse* response) {
  return Serve(context, "ListClaims", response, [&](const Actor& a) {
    return use_cases_.ListClaims(a, *request);
  });
}

grpc::Status DonationServiceImpl::RecordPayment(
    grpc::ServerContext* context, const kvo::v1::RecordPaymentRequest* request,
    kvo::v1::PaymentResult* response) {
  return Serve(context, "RecordPayment", response, [&](const Actor& a) {
    return use_cases_.RecordPayment(a, *request);
  });
}

grpc::Status DonationServiceImpl::PlanInstalments(
    grpc::ServerContext* context,
    const kvo::v1::PlanInstalmentsRequest* request, kvo::v1::Claim* response) {
  return Serve(context, "PlanInstalments", response, [&](const Actor& a) {
    return use_cases_.PlanInstalments(a, *request);
  });
}

grpc::Status DonationServiceImpl::WaiveClaim(
    grpc::ServerContext* context, const kvo::v1::WaiveClaimRequest* request,
    kvo::v1::Claim* response) {
  return Serve(context, "WaiveClaim", response,
               [&](const Actor& a) { return use_cases_.Waive(a, *request); });
}

grpc::Status DonationServiceImpl::DismissClaim(
    grpc::ServerContext* context, const kvo::v1::DismissClaimRequest* request,
    kvo::v1::ClaimLetter* response) {
  return Serve(context, "DismissClaim", response,
               [&](const Actor& a) { return use_cases_.Dismiss(a, *request); });
}

grpc::Status DonationServiceImpl::RecordRefund(
    grpc::ServerContext* context, const kvo::v1::RecordRefundRequest* request,
    kvo::v1::Claim* response) {
  return Serve(context, "RecordRefund", response, [&](const Actor& a) {
    return use_cases_.RecordRefund(a, *request);
  });
}

grpc::Status DonationServiceImpl::RemindClaim(
    grpc::ServerContext* context, const kvo::v1::RemindClaimRequest* request,
    kvo::v1::ClaimLetter* response) {
  return Serve(context, "RemindClaim", response,
               [&](const Actor& a) { return use_cases_.Remind(a, *request); });
}

grpc::Status DonationServiceImpl::GetDonationReport(
    grpc::ServerContext* context, const kvo::v1::DonationReportRequest* request,
    kvo::v1::DonationReport* response) {
  return Serve(context, "GetDonationReport", response,
               [&](const Actor& a) { return use_cases_.Report(a, *request); });
}

grpc::Status DonationServiceImpl::RecordProviderEvent(
    grpc::ServerContext* context, const kvo::v1::ProviderEventRequest* request,
    kvo::v1::PaymentResult* response) {
  return Serve(context, "RecordProviderEvent", response, [&](const Actor& a) {
    return use_cases_.ProviderEvent(
        a.who, *request, [&](const audit::AuditRecord& record) {
          guard_.AuditUnauthenticatedRefusal(context->peer(), record);
        });
  });
}

}  // namespace kvo::donations
