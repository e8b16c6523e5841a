#include "services/clock_control/clock_control_service.h"

#include "services/common/status_util.h"

namespace kvo::clockctl {
namespace {

void Fill(const Advanced& state, kvo::v1::ClockState* out) {
  const int64_t us = absl::ToUnixMicros(state.now);
  out->mutable_now()->set_seconds(us / 1000000);
  out->mutable_now()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  out->set_offset_seconds(absl::ToInt64Seconds(state.offset));
  for (const auto& [kind, count] : state.jobs.deleted) {
    (*out->mutable_retention_deleted())[kind] = count;
  }
  for (const std::string& subject : state.jobs.erased_persons) {
    out->add_erased_persons(subject);
  }
}

}  // namespace

grpc::Status TestingServiceImpl::AdvanceClock(
    grpc::ServerContext* context, const kvo::v1::AdvanceClockRequest* request,
    kvo::v1::ClockState* response) {
  auto call = guard_.Begin(*context, "kvo.v1.TestingService/AdvanceClock");
  if (!call.ok()) return common::ToGrpcStatus(call.status());
  auto state =
      control_.Advance(absl::Seconds(request->seconds()), request->run_jobs(),
                       guard_.Record(*call, "", "", request->reason()));
  if (!state.ok()) return common::ToGrpcStatus(state.status());
  Fill(*state, response);
  return grpc::Status::OK;
}

grpc::Status TestingServiceImpl::GetClock(
    grpc::ServerContext* context, const kvo::v1::GetClockRequest* request,
    kvo::v1::ClockState* response) {
  auto call = guard_.Begin(*context, "kvo.v1.TestingService/GetClock");
  if (!call.ok()) return common::ToGrpcStatus(call.status());
  auto state = control_.Get(guard_.Record(*call, "", "", ""));
  if (!state.ok()) return common::ToGrpcStatus(state.status());
  Fill(*state, response);
  return grpc::Status::OK;
}

}  // namespace kvo::clockctl
