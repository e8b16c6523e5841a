// kvo: the command-line client of KVO Registry, for every role.
//   kvo --server HOST:PORT --ca FILE <group> <command> [args]
// Defaults come from the local config file that `kvo login` writes.
#include <grpc/support/log.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>

#include "clients/cli/audit_commands.h"
#include "clients/cli/cycle_commands.h"
#include "clients/cli/demo_commands.h"
#include "clients/cli/donation_commands.h"
#include "clients/cli/gallery_commands.h"
#include "clients/cli/global_options.h"
#include "clients/cli/identity_commands.h"
#include "clients/cli/key_commands.h"
#include "clients/cli/output.h"
#include "clients/cli/privacy_commands.h"
#include "clients/cli/registry_commands.h"
#include "clients/cli/report_commands.h"
#include "clients/cli/retention_commands.h"
#include "clients/cli/survey_commands.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/crypto.h"

namespace kvo::cli {
namespace {

int RunHealth(const GlobalOptions& opts, const std::string& service) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto stub = grpc::health::v1::Health::NewStub(connection.channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  auto ctx = connection.Context();
  grpc::Status status = stub->Check(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  const std::string state =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
          response.status());
  PrintRecord(
      {{"server", connection.config.server}, {"status", Value::Label(state)}},
      opts.Style());
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
  // Tree-head signatures are checked with libsodium, which wants this once.
  if (!kvo::common::InitCrypto()) {
    return ReportError("libsodium cannot initialise", kExitFailed);
  }
  GlobalOptions opts;
  CLI::App app{"kvo: the KVO Registry client", "kvo"};
  app.require_subcommand(1);
  // Global options may also follow the command: `kvo whoami --json`.
  app.fallthrough();
  app.add_option("--server", opts.server, "kvod address HOST:PORT")
      ->envname("KVO_SERVER");
  app.add_option("--ca", opts.ca_file, "CA certificate kvod printed at start")
      ->envname("KVO_CA");
  app.add_option("--config", opts.config_path,
                 "config file (default $KVO_CONFIG or ~/.config/kvo/config)");
  app.add_flag("--json", opts.json,
               "machine-readable output: the same keys, typed values (numbers, "
               "money in cents, RFC 3339 times, label codes)");
  app.add_option("--lang", opts.lang,
                 "language of the values people read: nl (default) or en")
      ->check(CLI::IsMember({"nl", "en"}));
  app.add_option("--timeout-ms", opts.timeout_ms, "deadline per call")
      ->check(CLI::Range(1, 600000));

  std::function<int()> action;
  std::string health_service;
  auto* health = app.add_subcommand("health", "is kvod serving?");
  health->add_option("--service", health_service,
                     "a service name (default: the whole server)");
  health->callback(
      [&] { action = [&] { return RunHealth(opts, health_service); }; });
  AddIdentityCommands(&app, &opts, &action);
  AddAuditCommands(&app, &opts, &action);
  AddRegistryCommands(&app, &opts, &action);
  AddGalleryCommands(&app, &opts, &action);
  AddRetentionCommands(&app, &opts, &action);
  AddKeyCommands(&app, &opts, &action);
  AddPrivacyCommands(&app, &opts, &action);
  AddReportCommands(&app, &opts, &action);
  AddDemoCommands(&app, &opts, &action);
  AddDonationCommands(&app, &opts, &action);
  AddCycleCommands(&app, &opts, &action);
  AddSurveyCommands(&app, &opts, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportError(std::string(e.what()) + " (see kvo --help)");
  }
  return action ? action() : kExitUsage;
}
