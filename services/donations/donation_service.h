#ifndef KVO_SERVICES_DONATIONS_DONATION_SERVICE_H_
#define KVO_SERVICES_DONATIONS_DONATION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/donations.grpc.pb.h"
#include "services/donations/donation_use_cases.h"
#include "services/identity/rpc_guard.h"

namespace kvo::donations {

// The gRPC adapter of nuisance donations: the guard (token and the access
// table in policy/, areas through Actor::check_area), then one use case,
// whose status maps to the most specific code. RecordProviderEvent is
// public in the table: the provider proves itself by its signature.
// Thread-safe.
class DonationServiceImpl final : public kvo::v1::DonationService::Service {
 public:
  DonationServiceImpl(identity::RpcGuard& guard, DonationUseCases& use_cases)
      : guard_(guard), use_cases_(use_cases) {}

  grpc::Status CreateCase(grpc::ServerContext* context,
                          const kvo::v1::CreateCaseRequest* request,
                          kvo::v1::DonationCase* response) override;
  grpc::Status GetCase(grpc::ServerContext* context,
                       const kvo::v1::GetCaseRequest* request,
                       kvo::v1::DonationCase* response) override;
  grpc::Status GetClaim(grpc::ServerContext* context,
                        const kvo::v1::GetClaimRequest* request,
                        kvo::v1::Claim* response) override;
  grpc::Status ListClaims(grpc::ServerContext* context,
                          const kvo::v1::ListClaimsRequest* request,
                          kvo::v1::ListClaimsResponse* response) override;
  grpc::Status RecordPayment(grpc::ServerContext* context,
                             const kvo::v1::RecordPaymentRequest* request,
                             kvo::v1::PaymentResult* response) override;
  grpc::Status PlanInstalments(grpc::ServerContext* context,
                               const kvo::v1::PlanInstalmentsRequest* request,
                               kvo::v1::Claim* response) override;
  grpc::Status WaiveClaim(grpc::ServerContext* context,
                          const kvo::v1::WaiveClaimRequest* request,
                          kvo::v1::Claim* response) override;
  grpc::Status DismissClaim(grpc::ServerContext* context,
                            const kvo::v1::DismissClaimRequest* request,
                            kvo::v1::ClaimLetter* response) override;
  grpc::Status RecordRefund(grpc::ServerContext* context,
                            const kvo::v1::RecordRefundRequest* request,
                            kvo::v1::Claim* response) override;
  grpc::Status RemindClaim(grpc::ServerContext* context,
                           const kvo::v1::RemindClaimRequest* request,
                           kvo::v1::ClaimLetter* response) override;
  grpc::Status GetDonationReport(grpc::ServerContext* context,
                                 const kvo::v1::DonationReportRequest* request,
                                 kvo::v1::DonationReport* response) override;
  grpc::Status RecordProviderEvent(grpc::ServerContext* context,
                                   const kvo::v1::ProviderEventRequest* request,
                                   kvo::v1::PaymentResult* response) override;

 private:
  // Begins the call and runs `fn(actor)`, copying its result.
  template <typename T, typename Fn>
  grpc::Status Serve(grpc::ServerContext* context, const char* method,
                     T* response, Fn&& fn);

  identity::RpcGuard& guard_;
  DonationUseCases& use_cases_;
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_DONATION_SERVICE_H_
