#ifndef KVO_CLIENTS_CLI_REPORT_COMMANDS_H_
#define KVO_CLIENTS_CLI_REPORT_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers `report reduction` and `report across` on `app`. `opts` and
// `action` must outlive `app`.
void AddReportCommands(CLI::App* app, const GlobalOptions* opts,
                       std::function<int()>* action);

// A period as a person types it: a year ("2025"), or two days
// "2025-01-01..2025-12-31". False when it is neither.
bool ParsePeriodArg(const std::string& text, std::string* from,
                    std::string* to);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_REPORT_COMMANDS_H_
