#ifndef KVO_CLIENTS_CLI_CYCLE_COMMANDS_H_
#define KVO_CLIENTS_CLI_CYCLE_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the KVO cycle's commands on `app`: `area
// show|street|party|participant|licence|due` (beside the identity's `area
// create|list`, so call after AddIdentityCommands), `intent
// draft|sign|show`, `cert assess|issue|list`, `figures import|list`, `plan
// objective|activity|status|show` and `cycle status`. What
// people read (statuses, steps, dates) is Dutch. `opts` and `action` must
// outlive `app`.
void AddCycleCommands(CLI::App* app, const GlobalOptions* opts,
                      std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_CYCLE_COMMANDS_H_
