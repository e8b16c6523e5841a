#ifndef KVO_CLIENTS_CLI_GLOBAL_OPTIONS_H_
#define KVO_CLIENTS_CLI_GLOBAL_OPTIONS_H_

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "clients/cli/client_config.h"
#include "clients/cli/output.h"

namespace kvo::cli {

// The options every kvo command takes, before the command name.
struct GlobalOptions {
  std::string server;
  std::string ca_file;
  std::string config_path;
  bool json = false;
  std::string lang = "nl";  // --lang: nl or en
  int timeout_ms = 10000;

  // How this invocation prints (--json, --lang).
  OutputStyle Style() const {
    return OutputStyle{json, lang == "en" ? Lang::kEn : Lang::kNl};
  }
};

// --config, else DefaultConfigPath().
std::filesystem::path ConfigPath(const GlobalOptions& opts);

// The effective settings: flags and KVO_* variables over the config file.
// Returns kExitOk, or reports the problem and returns its exit code.
int ResolveConfig(const GlobalOptions& opts, ClientConfig* config);

// What a command needs to call kvod: the effective config and a TLS channel.
struct Connection {
  ClientConfig config;
  std::shared_ptr<grpc::Channel> channel;
  std::chrono::milliseconds timeout{10000};

  // A context with the deadline and the session token (if any).
  std::unique_ptr<grpc::ClientContext> Context() const;
  // The same without the token: for Bootstrap, Enroll and Login, where a
  // stale token in the config file must not get in the way.
  std::unique_ptr<grpc::ClientContext> AnonymousContext() const;
};

// Resolves the config and opens the channel. Returns kExitOk, or reports the
// problem and returns its exit code.
int Connect(const GlobalOptions& opts, Connection* connection);

// One unary call of `Service` with the configured connection: kExitOk when
// `response` is filled, else the exit code after reporting why not.
template <typename Service, typename Request, typename Response>
int CallUnary(const GlobalOptions& opts,
              grpc::Status (Service::Stub::*method)(grpc::ClientContext*,
                                                    const Request&, Response*),
              const Request& request, Response* response) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto stub = Service::NewStub(connection.channel);
  auto ctx = connection.Context();
  grpc::Status status = ((*stub).*method)(ctx.get(), request, response);
  return status.ok() ? kExitOk : ReportRpcError(status);
}

// An option check for ids and sizes: a whole number of at least 1, with a
// one-line message otherwise.
CLI::Validator PositiveInteger();

// Registers `sub` to run `run(*opts, *args)` when chosen: the commands of a
// group share one Args filled by their options.
template <typename Args>
void OnSelected(CLI::App* sub, std::function<int()>* action,
                const GlobalOptions* opts, std::shared_ptr<Args> args,
                int (*run)(const GlobalOptions&, const Args&)) {
  sub->callback([=] { *action = [=] { return run(*opts, *args); }; });
}

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GLOBAL_OPTIONS_H_
