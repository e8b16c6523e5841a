#ifndef KVO_CLIENTS_CLI_DEMO_COMMANDS_H_
#define KVO_CLIENTS_CLI_DEMO_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers `demo seed` on `app`: a new demo area (admin) filled through
// kvod's own RPCs. `opts` and `action` must outlive `app`.
void AddDemoCommands(CLI::App* app, const GlobalOptions* opts,
                     std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_DEMO_COMMANDS_H_
