#ifndef KVO_TESTS_SUPPORT_POLLING_H_
#define KVO_TESTS_SUPPORT_POLLING_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/kvod_process.h"

namespace kvo::testing {

// Polls `done` every `step` until it holds or `timeout` passes; how long it
// took, or nullopt.
template <typename Fn>
std::optional<std::chrono::milliseconds> PollUntil(
    Fn done, std::chrono::milliseconds timeout,
    std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (done()) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    std::this_thread::sleep_for(step);
  }
  return std::nullopt;
}

// kvod's gRPC health, UNKNOWN when it does not answer within 500 ms.
inline grpc::health::v1::HealthCheckResponse::ServingStatus HealthOf(
    const KvodProcess& kvod) {
  auto stub = grpc::health::v1::Health::NewStub(kvod.Channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(500));
  grpc::health::v1::HealthCheckResponse response;
  if (!stub->Check(&ctx, {}, &response).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_POLLING_H_
