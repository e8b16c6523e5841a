#ifndef KVO_SERVICES_COMMON_POLICY_LOADER_H_
#define KVO_SERVICES_COMMON_POLICY_LOADER_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::common {

// Loading and validating the registry's rules (policy/*.textproto, message
// kvo.v1.Policy). kvod refuses to serve with a policy that does not validate,
// so every number in it is checked here against the domain rules of DESIGN.md
// and the legal caps that no profile may exceed.
//
// All functions are pure (no global state) and thread-safe.

// One broken rule, independent of where the policy came from. `field` is the
// path from the Policy root in text-format names: "cards.max_card_days",
// "offence_types[2].code", or "offence_types" for the list as a whole.
struct PolicyViolation {
  std::string field;
  // What is allowed, e.g. "must be between 1 and 730".
  std::string requirement;
  // The value found, formatted for a person, e.g. "900" or "\"Theft\"".
  std::string found;

  // "<field>: <requirement>, got <found>".
  std::string Message() const;
};

// Checks `policy` against the domain rules. Returns every violation, in the
// order of the fields in policy.proto; empty when the policy is valid. Knows
// nothing about text or line numbers, so it also serves policies built in
// code (tests, a future reload RPC).
std::vector<PolicyViolation> ValidatePolicy(const kvo::v1::Policy& policy);

// Parses a text-format Policy and validates it. Errors are
// absl::InvalidArgumentError with the message "<file>:<line>: <what is
// wrong>" (1-based line), e.g.
//   "policy/x.textproto:12: cards.max_card_days: must be between 1 and 730,
//    got 900".
// Syntax errors and unknown fields come from the text-format parser. A rule
// violation points at the line of the offending field; a field that is
// absent from the text is reported as "<field>: missing, <requirement>" at
// the line of its enclosing block, or line 1 when that is absent too. Of
// several violations the one earliest in the file is reported.
absl::StatusOr<kvo::v1::Policy> ParsePolicy(
    std::string_view text, std::string_view file_name_for_errors);

// Reads `path` and calls ParsePolicy with the path as file name. An unreadable
// file is absl::NotFoundError (does not exist) or
// absl::FailedPreconditionError (any other reason, including a file too large
// to be a policy), with the message "<path>: cannot read: <reason>".
absl::StatusOr<kvo::v1::Policy> LoadPolicyFile(
    const std::filesystem::path& path);

// The offence type with this code, or nullptr when the policy has none. The
// pointer is valid as long as `policy` is not modified or destroyed.
const kvo::v1::OffenceType* FindOffenceType(const kvo::v1::Policy& policy,
                                            std::string_view code);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_POLICY_LOADER_H_
