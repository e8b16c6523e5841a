#include "services/common/rpc_metrics.h"

#include <memory>

#include "absl/status/status.h"

namespace kvo::common {
namespace {

constexpr char kCalls[] = "kvo_rpc_calls_total";
constexpr char kCallsHelp[] = "gRPC calls served, by method and status code.";
constexpr char kDuration[] = "kvo_rpc_duration_seconds";
constexpr char kDurationHelp[] =
    "Time from a gRPC call's arrival to its status, by method.";

}  // namespace

std::string RpcMetrics::CodeName(int code) {
  if (code < 0 || code >= Method::kCodes) return "UNKNOWN";
  // gRPC's codes are absl's, number for number.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

RpcMetrics::RpcMetrics(MetricRegistry& registry,
                       const std::vector<std::string>& methods)
    : registry_(registry) {
  auto add = [&](const std::string& label) {
    auto m = std::make_unique<Method>();
    m->label = label;
    m->duration = &registry_.GetHistogram(
        kDuration, kDurationHelp, LatencySecondsBuckets(), {{"method", label}});
    // OK up front, so a rate is defined before the first call.
    m->calls[0] = &registry_.GetCounter(kCalls, kCallsHelp,
                                        {{"method", label}, {"code", "OK"}});
    owned_.push_back(std::move(m));
    return owned_.back().get();
  };
  for (const std::string& method : methods) {
    if (methods_.count(method) > 0) continue;
    // "/kvo.v1.GalleryService/SyncGallery" is labelled without the slash.
    methods_[method] =
        add(method.rfind('/', 0) == 0 ? method.substr(1) : method);
  }
  other_ = add("other");
}

const RpcMetrics::Method* RpcMetrics::Find(std::string_view method) const {
  auto it = methods_.find(method);
  return it == methods_.end() ? other_ : it->second;
}

void RpcMetrics::Record(const Method* method, int code, double seconds) const {
  if (code < 0 || code >= Method::kCodes) code = 2;  // UNKNOWN
  Counter* counter = method->calls[code].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &registry_.GetCounter(
        kCalls, kCallsHelp,
        {{"method", method->label}, {"code", CodeName(code)}});
    method->calls[code].store(counter, std::memory_order_release);
  }
  counter->Increment();
  method->duration->Observe(seconds);
}

}  // namespace kvo::common
