#ifndef KVO_CLIENTS_CLI_PRIVACY_COMMANDS_H_
#define KVO_CLIENTS_CLI_PRIVACY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the privacy officer's commands on `app`: `privacy find`,
// `privacy resolve` and `dsr open|list|show|export|rectify|close`.
// `opts` and `action` must outlive `app`.
void AddPrivacyCommands(CLI::App* app, const GlobalOptions* opts,
                        std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_PRIVACY_COMMANDS_H_
