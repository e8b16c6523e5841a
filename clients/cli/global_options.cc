#include "clients/cli/global_options.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "clients/cli/connection.h"
#include "clients/cli/output.h"

namespace kvo::cli {

std::filesystem::path ConfigPath(const GlobalOptions& opts) {
  return opts.config_path.empty() ? DefaultConfigPath()
                                  : std::filesystem::path(opts.config_path);
}

int ResolveConfig(const GlobalOptions& opts, ClientConfig* config) {
  std::string error;
  auto loaded = LoadClientConfig(ConfigPath(opts), &error);
  if (!loaded) return ReportError(error);
  *config = *loaded;
  if (!opts.server.empty()) config->server = opts.server;
  if (!opts.ca_file.empty()) config->ca_file = opts.ca_file;
  return kExitOk;
}

std::unique_ptr<grpc::ClientContext> Connection::Context() const {
  return MakeContext(config, timeout);
}

std::unique_ptr<grpc::ClientContext> Connection::AnonymousContext() const {
  ClientConfig anonymous = config;
  anonymous.token.clear();
  return MakeContext(anonymous, timeout);
}

int Connect(const GlobalOptions& opts, Connection* connection) {
  if (int rc = ResolveConfig(opts, &connection->config); rc != kExitOk) {
    return rc;
  }
  std::string error;
  connection->channel = MakeChannel(connection->config, &error);
  if (!connection->channel) return ReportError(error);
  connection->timeout = std::chrono::milliseconds(opts.timeout_ms);
  return kExitOk;
}

CLI::Validator PositiveInteger() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        uint64_t n = 0;
        if (absl::SimpleAtoi(value, &n) && n >= 1 &&
            n <= static_cast<uint64_t>(INT64_MAX)) {
          return "";
        }
        return "'" + value + "' is not a positive whole number";
      },
      "POSITIVE");
}

}  // namespace kvo::cli
