#ifndef KVO_CLIENTS_CLI_REGISTRY_COMMANDS_H_
#define KVO_CLIENTS_CLI_REGISTRY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the RegistryService commands on `app`: shop {create,list,
// add-member}, person {find,create,show,erase}, incident record, card {issue,
// revoke,list}, notice and objection {file,decide,list}. The chosen command
// stores its work in `action`. `opts` and `action` must outlive `app`.
void AddRegistryCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_REGISTRY_COMMANDS_H_
