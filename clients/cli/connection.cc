#include "clients/cli/connection.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace kvo::cli {

std::shared_ptr<grpc::Channel> MakeChannel(const ClientConfig& config,
                                           std::string* error) {
  if (config.server.empty()) {
    *error = "no server: pass --server HOST:PORT (or run kvo login)";
    return nullptr;
  }
  if (config.ca_file.empty()) {
    *error =
        "no CA certificate: pass --ca FILE (kvod prints its path at start)";
    return nullptr;
  }
  std::ifstream in(config.ca_file);
  std::stringstream pem;
  pem << in.rdbuf();
  if (!in || pem.str().empty()) {
    *error = absl::StrCat("cannot read CA certificate ", config.ca_file);
    return nullptr;
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  return grpc::CreateCustomChannel(config.server, grpc::SslCredentials(ssl),
                                   args);
}

std::unique_ptr<grpc::ClientContext> MakeContext(
    const ClientConfig& config, std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!config.token.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + config.token);
  }
  return ctx;
}

}  // namespace kvo::cli
