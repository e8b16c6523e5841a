#ifndef KVO_SERVICES_KVOD_METRICS_HTTP_H_
#define KVO_SERVICES_KVOD_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/common/metrics.h"

namespace kvo::kvod {

// kvod's --metrics-listen endpoint: GET /metrics answers `registry` in
// Prometheus's text format over plain HTTP, for a scraper on a private
// network (it holds no personal data, and no TLS so that any Prometheus
// scrapes it as it is). GET /ready answers 200 "serving" while `serving()`
// says so (kvod's readiness: started, not stopping, the audit log trusted;
// not the databases, which all kvods share), else 503 "not serving": a
// load balancer's check (HAProxy's httpchk) needs no gRPC. Every other path
// 404. A thread pool of two: a
// scrape never competes with the door for more. Start and Stop from one
// thread.
class MetricsHttpServer final {
 public:
  MetricsHttpServer(std::string listen, const common::MetricRegistry& registry,
                    std::function<bool()> serving);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // The port it listens on (the one picked for port 0), or UNAVAILABLE
  // naming --metrics-listen.
  absl::StatusOr<int> Start();
  void Stop();

 private:
  class Impl;
  const std::string listen_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace kvo::kvod

#endif  // KVO_SERVICES_KVOD_METRICS_HTTP_H_
