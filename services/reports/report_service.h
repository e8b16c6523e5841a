#ifndef KVO_SERVICES_REPORTS_REPORT_SERVICE_H_
#define KVO_SERVICES_REPORTS_REPORT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/reports.grpc.pb.h"
#include "services/identity/rpc_guard.h"
#include "services/reports/reduction_reports.h"

namespace kvo::reports {

// The gRPC adapter of coordinators' reports: the guard (token, the access
// table in policy/, the area), the request's check, one use case.
// Thread-safe.
class ReportServiceImpl final : public kvo::v1::ReportService::Service {
 public:
  ReportServiceImpl(const kvo::v1::Policy& policy, identity::RpcGuard& guard,
                    ReductionReports& reduction)
      : policy_(policy), guard_(guard), reduction_(reduction) {}

  grpc::Status ReductionReport(
      grpc::ServerContext* context,
      const kvo::v1::ReductionReportRequest* request,
      kvo::v1::ReductionReportResponse* response) override;
  grpc::Status ReductionAcross(
      grpc::ServerContext* context,
      const kvo::v1::ReductionAcrossRequest* request,
      kvo::v1::ReductionAcrossResponse* response) override;

 private:
  const kvo::v1::Policy& policy_;
  identity::RpcGuard& guard_;
  ReductionReports& reduction_;
};

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REPORT_SERVICE_H_
