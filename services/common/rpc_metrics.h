#ifndef KVO_SERVICES_COMMON_RPC_METRICS_H_
#define KVO_SERVICES_COMMON_RPC_METRICS_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/common/metrics.h"

namespace kvo::common {

// Calls by method and status code with their latency (kvo_rpc_calls_total,
// kvo_rpc_duration_seconds), for kvod's gRPC interceptor. The methods are
// named up front ("/kvo.v1.GalleryService/SyncGallery"); any other name a
// client sends counts as method "other", so no caller can grow the label
// set. Find() reads a map that never changes after construction and
// Record() a few atomics: no lock on the call path (a status code's first
// occurrence for a method registers its counter once). Thread-safe.
class RpcMetrics final {
 public:
  RpcMetrics(MetricRegistry& registry, const std::vector<std::string>& methods);
  RpcMetrics(const RpcMetrics&) = delete;
  RpcMetrics& operator=(const RpcMetrics&) = delete;

  class Method;
  // Never null.
  const Method* Find(std::string_view method) const;
  // `code` is the gRPC status code (0 OK ... 16 UNAUTHENTICATED).
  void Record(const Method* method, int code, double seconds) const;

  // "OK", "NOT_FOUND", ...; "UNKNOWN" for a number that is no code.
  static std::string CodeName(int code);

 private:
  // Finds a method by string_view without making a string per call.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };

  MetricRegistry& registry_;
  std::unordered_map<std::string, Method*, NameHash, std::equal_to<>> methods_;
  std::vector<std::unique_ptr<Method>> owned_;
  Method* other_ = nullptr;
};

class RpcMetrics::Method final {
 public:
  static constexpr int kCodes = 17;
  std::string label;
  Histogram* duration = nullptr;
  // Filled on a code's first occurrence (by the registry: same counter for
  // every thread that races to fill it).
  mutable std::array<std::atomic<Counter*>, kCodes> calls{};
};

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_RPC_METRICS_H_
