#ifndef KVO_SERVICES_RETENTION_RETENTION_SERVICE_H_
#define KVO_SERVICES_RETENTION_RETENTION_SERVICE_H_

#include "kvo/v1/retention.grpc.pb.h"
#include "services/identity/rpc_guard.h"
#include "services/retention/retention_job.h"

namespace kvo::retention {

// The gRPC adapter of the retention job. Status codes: the guard's,
// INVALID_ARGUMENT for an unknown kind (nothing runs), and
// FAILED_PRECONDITION when another replica runs retention at that moment.
// Thread-safe.
class RetentionServiceImpl final : public kvo::v1::RetentionService::Service {
 public:
  RetentionServiceImpl(identity::RpcGuard& guard, RetentionJob& job)
      : guard_(guard), job_(job) {}

  grpc::Status RunRetention(grpc::ServerContext* context,
                            const kvo::v1::RunRetentionRequest* request,
                            kvo::v1::RetentionReport* response) override;

 private:
  identity::RpcGuard& guard_;
  RetentionJob& job_;
};

}  // namespace kvo::retention

#endif  // KVO_SERVICES_RETENTION_RETENTION_SERVICE_H_
