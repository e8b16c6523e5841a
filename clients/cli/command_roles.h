#ifndef KVO_CLIENTS_CLI_COMMAND_ROLES_H_
#define KVO_CLIENTS_CLI_COMMAND_ROLES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kvo::cli {

// policy/default.textproto, built into kvo.
const char* DefaultPolicyText();

// Who may call `method` ("kvo.v1.RegistryService/IssueCard") under the
// default policy, for a command's --help: " (police, coordinator)",
// " (anyone)" for a public call, " (nobody)" without an access row. Read
// from the policy kvod ships with, so --help cannot drift from it; an area
// with its own policy may differ.
std::string WhoMay(absl::string_view method);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_COMMAND_ROLES_H_
