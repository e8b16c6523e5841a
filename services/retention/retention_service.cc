#include "services/retention/retention_service.h"

#include "services/common/status_util.h"

namespace kvo::retention {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

}  // namespace

grpc::Status RetentionServiceImpl::RunRetention(
    grpc::ServerContext* context, const kvo::v1::RunRetentionRequest* request,
    kvo::v1::RetentionReport* response) {
  auto call = guard_.Begin(*context, "kvo.v1.RetentionService/RunRetention");
  if (!call.ok()) return common::ToGrpcStatus(call.status());
  auto run = job_.Run(request->dry_run(), guard_.Record(*call, "", "", ""),
                      std::vector<std::string>(request->kinds().begin(),
                                               request->kinds().end()));
  if (!run.ok()) return common::ToGrpcStatus(run.status());
  response->set_dry_run(run->dry_run);
  SetTime(run->at, response->mutable_at());
  for (const auto& item : run->items) {
    auto* kind = response->add_kinds();
    kind->set_kind(item.kind);
    kind->set_count(item.count);
    if (item.next_due.has_value()) {
      SetTime(*item.next_due, kind->mutable_next_due());
    }
    for (const auto& s : item.subjects) kind->add_subjects(s);
  }
  return grpc::Status::OK;
}

}  // namespace kvo::retention
