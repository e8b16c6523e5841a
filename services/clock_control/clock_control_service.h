#ifndef KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_SERVICE_H_
#define KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_SERVICE_H_

#include "kvo/v1/testing.grpc.pb.h"
#include "services/clock_control/clock_control.h"
#include "services/identity/rpc_guard.h"

namespace kvo::clockctl {

// The gRPC adapter of ClockControl. Status codes: the guard's (no access
// row: PERMISSION_DENIED, audited), PERMISSION_DENIED without clock control,
// INVALID_ARGUMENT for a step out of range. Thread-safe.
class TestingServiceImpl final : public kvo::v1::TestingService::Service {
 public:
  TestingServiceImpl(identity::RpcGuard& guard, ClockControl& control)
      : guard_(guard), control_(control) {}

  grpc::Status AdvanceClock(grpc::ServerContext* context,
                            const kvo::v1::AdvanceClockRequest* request,
                            kvo::v1::ClockState* response) override;
  grpc::Status GetClock(grpc::ServerContext* context,
                        const kvo::v1::GetClockRequest* request,
                        kvo::v1::ClockState* response) override;

 private:
  identity::RpcGuard& guard_;
  ClockControl& control_;
};

}  // namespace kvo::clockctl

#endif  // KVO_SERVICES_CLOCK_CONTROL_CLOCK_CONTROL_SERVICE_H_
