#ifndef KVO_SERVICES_IDENTITY_IDENTITY_RULES_H_
#define KVO_SERVICES_IDENTITY_IDENTITY_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/common.pb.h"

namespace kvo::identity {

// What identity decides without I/O: which names, passwords and codes are
// acceptable, and how roles are spelled. Every error is INVALID_ARGUMENT
// naming the field and what is allowed. Thread-safe.

// 3-64 characters: lowercase letters, digits, '.', '_', '-'; starts with a
// letter or digit.
absl::Status ValidateLogin(absl::string_view login);
// 1-200 characters of valid UTF-8 without control characters.
absl::Status ValidateDisplayName(absl::string_view name);
// At least `min_length` characters (code points), at most 256 bytes; not
// the login or display name, not one repeated character or a run like
// "123456789", not a well-known password.
absl::Status CheckPassword(absl::string_view password, absl::string_view login,
                           absl::string_view display_name, int min_length);

// "shopkeeper" <-> ROLE_SHOPKEEPER. nullopt for an unknown name.
std::optional<kvo::v1::Role> RoleFromName(absl::string_view name);
std::string RoleName(kvo::v1::Role role);

// One-time codes are 20 characters of Crockford base32 (100 bits), shown in
// groups of five ("7KQ2M-...") and accepted with or without dashes, in any
// case.
std::string NewOneTimeCode();
// Uppercase, dashes and spaces removed; nullopt if it cannot be a code.
std::optional<std::string> NormalizeOneTimeCode(absl::string_view code);

// 32 random bytes as 64 hex characters.
std::string NewSessionToken();

// The one answer to a login that fails for an unknown login, a wrong
// password, a locked account or one not enrolled yet, so the answer does
// not tell which logins exist or which accounts are locked.
inline constexpr char kLoginRefused[] =
    "wrong login or password (after repeated failures an account is locked "
    "for a while; your coordinator can unlock it)";

// Whether an account is locked at `now_ms`.
bool LockedAt(std::optional<int64_t> locked_until_ms, int64_t now_ms);
// The failed logins that still count at `now_ms`: none once a lock has
// ended, so the next failure after a lockout does not lock again at once.
int FailuresThatCount(int failed_logins, std::optional<int64_t> locked_until_ms,
                      int64_t now_ms);
// Whether one more failure, on top of `failures_that_count`, locks.
bool FailureLocks(int failures_that_count, int max_failures);

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_IDENTITY_RULES_H_
