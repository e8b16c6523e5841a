#ifndef KVO_CLIENTS_CLI_IDENTITY_COMMANDS_H_
#define KVO_CLIENTS_CLI_IDENTITY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the IdentityService commands on `app`: bootstrap, enroll, login,
// logout, whoami, principal {create,suspend,reactivate,list} and area
// {create,list}. The chosen command stores its work in `action`, to run after
// parsing. `opts` and `action` must outlive `app`.
void AddIdentityCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_IDENTITY_COMMANDS_H_
