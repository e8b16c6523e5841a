#ifndef KVO_SERVICES_PRIVACY_PRIVACY_SERVICE_H_
#define KVO_SERVICES_PRIVACY_PRIVACY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/privacy.grpc.pb.h"
#include "services/identity/rpc_guard.h"
#include "services/privacy/privacy_use_cases.h"

namespace kvo::privacy {

// The gRPC adapter of the privacy officer's work: the guard (token and the
// access table in policy/: privacy officer), then one use case, whose
// status maps to the most specific code (INVALID_ARGUMENT naming the
// field, NOT_FOUND, FAILED_PRECONDITION, DATA_LOSS, UNAVAILABLE).
// Thread-safe.
class PrivacyServiceImpl final : public kvo::v1::PrivacyService::Service {
 public:
  PrivacyServiceImpl(identity::RpcGuard& guard, PrivacyUseCases& use_cases)
      : guard_(guard), use_cases_(use_cases) {}

  grpc::Status FindSubject(grpc::ServerContext* context,
                           const kvo::v1::FindSubjectRequest* request,
                           kvo::v1::FindSubjectResponse* response) override;
  grpc::Status ResolvePseudonym(grpc::ServerContext* context,
                                const kvo::v1::ResolvePseudonymRequest* request,
                                kvo::v1::ResolvedSubject* response) override;
  grpc::Status OpenSubjectRequest(
      grpc::ServerContext* context,
      const kvo::v1::OpenSubjectRequestRequest* request,
      kvo::v1::SubjectRequest* response) override;
  grpc::Status ListSubjectRequests(
      grpc::ServerContext* context,
      const kvo::v1::ListSubjectRequestsRequest* request,
      kvo::v1::ListSubjectRequestsResponse* response) override;
  grpc::Status GetSubjectRequest(
      grpc::ServerContext* context,
      const kvo::v1::GetSubjectRequestRequest* request,
      kvo::v1::SubjectRequest* response) override;
  grpc::Status ExportAccess(grpc::ServerContext* context,
                            const kvo::v1::ExportAccessRequest* request,
                            kvo::v1::AccessExport* response) override;
  grpc::Status RectifySubject(grpc::ServerContext* context,
                              const kvo::v1::RectifySubjectRequest* request,
                              kvo::v1::SubjectRequest* response) override;
  grpc::Status CloseSubjectRequest(
      grpc::ServerContext* context,
      const kvo::v1::CloseSubjectRequestRequest* request,
      kvo::v1::SubjectRequest* response) override;

 private:
  identity::RpcGuard& guard_;
  PrivacyUseCases& use_cases_;
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_PRIVACY_SERVICE_H_
