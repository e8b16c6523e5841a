#ifndef KVO_CLIENTS_CLI_AUDIT_LOG_COMMANDS_H_
#define KVO_CLIENTS_CLI_AUDIT_LOG_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"
#include "clients/cli/output.h"
#include "kvo/v1/audit.pb.h"

namespace kvo::cli {

// Registers `audit log`, `audit heads` and `audit anomalies` under the
// `audit` subcommand: the privacy officer reading the access log. The chosen
// command stores its work in `action`; `opts` and `action` must outlive
// `audit`.
void AddAuditLogCommands(CLI::App* audit, const GlobalOptions* opts,
                         std::function<int()>* action);

// The columns of `kvo audit log`: index, time (Europe/Amsterdam), login,
// principal, role, area, action, purpose, outcome, subjects (an entry the
// retention emptied says so in every content column).
Table AuditLogTable();
void AddAuditLogRow(const kvo::v1::LogRow& row, Table* table);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_AUDIT_LOG_COMMANDS_H_
