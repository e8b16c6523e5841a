#ifndef KVO_CLIENTS_CLI_DONATION_COMMANDS_H_
#define KVO_CLIENTS_CLI_DONATION_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers `claim create|show|list|pay|plan|waive|refund|remind|report`
// and `case create|show` (nuisance donations) on `app`. `opts` and
// `action` must outlive `app`.
void AddDonationCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action);

// An amount in euros as a person types it ("181", "181.00", "60,50",
// "-5"): whole cents, or nullopt for anything else (a third decimal,
// letters). The sign passes: the server judges what is allowed.
std::optional<int64_t> ParseEuros(const std::string& text);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_DONATION_COMMANDS_H_
