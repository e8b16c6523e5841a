#ifndef KVO_CLIENTS_CLI_CONNECTION_H_
#define KVO_CLIENTS_CLI_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "clients/cli/client_config.h"

namespace kvo::cli {

// A TLS channel to kvod that trusts only the given CA file (kvod's private
// CA by default). There is no plaintext option.
std::shared_ptr<grpc::Channel> MakeChannel(const ClientConfig& config,
                                           std::string* error);

// A context with a deadline and, when there is one, the session token.
std::unique_ptr<grpc::ClientContext> MakeContext(
    const ClientConfig& config, std::chrono::milliseconds timeout);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_CONNECTION_H_
