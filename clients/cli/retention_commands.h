#ifndef KVO_CLIENTS_CLI_RETENTION_COMMANDS_H_
#define KVO_CLIENTS_CLI_RETENTION_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers `retention run [--dry-run] [--kind K]...` and `retention report`
// on `app`.
// `opts` and `action` must outlive `app`.
void AddRetentionCommands(CLI::App* app, const GlobalOptions* opts,
                          std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_RETENTION_COMMANDS_H_
