#include "services/reports/report_service.h"

#include <vector>

#include "services/common/status_util.h"

namespace kvo::reports {

using common::ToGrpcStatus;

grpc::Status ReportServiceImpl::ReductionReport(
    grpc::ServerContext* context,
    const kvo::v1::ReductionReportRequest* request,
    kvo::v1::ReductionReportResponse* response) {
  auto call = guard_.Begin(*context, "kvo.v1.ReportService/ReductionReport");
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto periods = ValidateReductionReportRequest(*request, policy_);
  if (!periods.ok()) return ToGrpcStatus(periods.status());
  auto report = reduction_.Build(*call, *request, *periods);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = std::move(*report);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ReductionAcross(
    grpc::ServerContext* context,
    const kvo::v1::ReductionAcrossRequest* request,
    kvo::v1::ReductionAcrossResponse* response) {
  auto call = guard_.Begin(*context, "kvo.v1.ReportService/ReductionAcross");
  if (!call.ok()) return ToGrpcStatus(call.status());
  // Areas named in the request are checked before the rest is judged, as
  // every area-bound call; a municipality's areas inside the use case.
  const std::vector<int64_t> areas(request->area_ids().begin(),
                                   request->area_ids().end());
  if (!areas.empty()) {
    if (auto s = guard_.CheckAreas(*call, areas); !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  auto periods = ValidateReductionAcrossRequest(*request, policy_);
  if (!periods.ok()) return ToGrpcStatus(periods.status());
  auto report = reduction_.BuildAcross(*call, *request, *periods);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = std::move(*report);
  return grpc::Status::OK;
}

}  // namespace kvo::reports
