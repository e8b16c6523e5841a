// kvo: the command-line client of KVO Registry, for every role.
//   kvo --server HOST:PORT --ca FILE <group> <command> [args]
// Defaults come from the local config file that `kvo login` writes.
#include <grpc/support/log.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "clients/cli/client_config.h"
#include "clients/cli/connection.h"
#include "clients/cli/output.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace kvo::cli {
namespace {

struct GlobalOptions {
  std::string server;
  std::string ca_file;
  std::string config_path;
  bool json = false;
  int timeout_ms = 10000;
};

// The effective settings: flags and KVO_* variables over the config file.
int ResolveConfig(const GlobalOptions& opts, ClientConfig* config) {
  std::string error;
  const std::filesystem::path path =
      opts.config_path.empty() ? DefaultConfigPath()
                               : std::filesystem::path(opts.config_path);
  auto loaded = LoadClientConfig(path, &error);
  if (!loaded) return ReportError(error);
  *config = *loaded;
  if (!opts.server.empty()) config->server = opts.server;
  if (!opts.ca_file.empty()) config->ca_file = opts.ca_file;
  return kExitOk;
}

int RunHealth(const GlobalOptions& opts, const std::string& service) {
  ClientConfig config;
  if (int rc = ResolveConfig(opts, &config); rc != kExitOk) return rc;
  std::string error;
  auto channel = MakeChannel(config, &error);
  if (!channel) return ReportError(error);
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  auto ctx = MakeContext(config, std::chrono::milliseconds(opts.timeout_ms));
  grpc::Status status = stub->Check(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  const std::string state =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
          response.status());
  PrintRecord({{"server", config.server}, {"status", state}}, opts.json);
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitFailed;
}

}  // namespace
}  // namespace kvo::cli

int main(int argc, char** argv) {
  using namespace kvo::cli;
  // gRPC's own log lines would break the one-line error contract; the
  // status that reaches ReportRpcError says what went wrong.
  if (std::getenv("KVO_GRPC_LOG") == nullptr) {
    gpr_set_log_function([](gpr_log_func_args*) {});
  }
  GlobalOptions opts;
  CLI::App app{"kvo: the KVO Registry client", "kvo"};
  app.require_subcommand(1);
  app.add_option("--server", opts.server, "kvod address HOST:PORT")
      ->envname("KVO_SERVER");
  app.add_option("--ca", opts.ca_file, "CA certificate kvod printed at start")
      ->envname("KVO_CA");
  app.add_option("--config", opts.config_path,
                 "config file (default $KVO_CONFIG or ~/.config/kvo/config)");
  app.add_flag("--json", opts.json, "machine-readable output");
  app.add_option("--timeout-ms", opts.timeout_ms, "deadline per call")
      ->check(CLI::Range(1, 600000));

  std::function<int()> action;
  std::string health_service;
  auto* health = app.add_subcommand("health", "is kvod serving?");
  health->add_option("--service", health_service,
                     "a service name (default: the whole server)");
  health->callback(
      [&] { action = [&] { return RunHealth(opts, health_service); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportError(std::string(e.what()) + " (see kvo --help)");
  }
  return action ? action() : kExitUsage;
}
