#ifndef KVO_CLIENTS_CLI_SURVEY_COMMANDS_H_
#define KVO_CLIENTS_CLI_SURVEY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the safety analysis's commands on `app`: `survey
// show|measure|answer|status` (the ondernemersenquête) and `schouw
// round|finding|list|resolve` (the inspection walk). The questionnaire,
// statuses and findings are printed in Dutch. `opts` and `action` must
// outlive `app`.
void AddSurveyCommands(CLI::App* app, const GlobalOptions* opts,
                       std::function<int()>* action);

// The answers of an answers file: one "QUESTION=ANSWER" per line ("v01=ja"),
// blank lines and lines starting with # ignored, spaces around either side
// trimmed. A line without "=" or with an empty side: INVALID_ARGUMENT
// naming --file and the line number. Pure.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ParseAnswerLines(const std::string& text, const std::string& flag);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_SURVEY_COMMANDS_H_
