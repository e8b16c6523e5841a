#ifndef KVO_CLIENTS_CLI_AUDIT_COMMANDS_H_
#define KVO_CLIENTS_CLI_AUDIT_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers `audit verify`, `audit head` and `audit prove` on `app`. Proofs
// and tree-head signatures are checked here, on the client: kvod only
// supplies the material. The chosen command stores its work in `action`.
// `opts` and `action` must outlive `app`.
void AddAuditCommands(CLI::App* app, const GlobalOptions* opts,
                      std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_AUDIT_COMMANDS_H_
