// Includes cpp-httplib with the same definitions as the door page's server
// (its pkg-config flags), so both see one httplib.
#include "services/kvod/metrics_http.h"

#include <httplib.h>

#include "services/common/listen_address.h"

namespace kvo::kvod {

class MetricsHttpServer::Impl final {
 public:
  Impl(const common::MetricRegistry& registry, std::function<bool()> serving)
      : serving_(std::move(serving)) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server_.set_keep_alive_max_count(10);
    server_.Get("/metrics", [&registry](const httplib::Request&,
                                        httplib::Response& res) {
      res.set_content(registry.Render(), common::kMetricsContentType);
    });
    server_.Get("/ready",
                [this](const httplib::Request&, httplib::Response& res) {
                  const bool serving = serving_();
                  res.status = serving ? 200 : 503;
                  res.set_content(serving ? "serving\n" : "not serving\n",
                                  "text/plain; charset=utf-8");
                });
  }
  httplib::Server& server() { return server_; }

 private:
  const std::function<bool()> serving_;
  httplib::Server server_;
};

MetricsHttpServer::MetricsHttpServer(std::string listen,
                                     const common::MetricRegistry& registry,
                                     std::function<bool()> serving)
    : listen_(std::move(listen)),
      impl_(std::make_unique<Impl>(registry, std::move(serving))) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::StatusOr<int> MetricsHttpServer::Start() {
  auto& server = impl_->server();
  auto port = common::BindHttpServer(server, listen_, "--metrics-listen",
                                     "127.0.0.1:9464");
  if (!port.ok()) return port.status();
  thread_ = std::thread([&server] { server.listen_after_bind(); });
  return port;
}

void MetricsHttpServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->server().stop();
  thread_.join();
}

}  // namespace kvo::kvod
