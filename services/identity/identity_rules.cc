#include "services/identity/identity_rules.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/text.h"

namespace kvo::identity {
namespace {

constexpr size_t kMaxPasswordBytes = 256;
constexpr char kCodeAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kCodeLength = 20;

// Passwords people pick first; the list is short on purpose: length does
// most of the work, this catches the embarrassing ones.
constexpr std::array<absl::string_view, 16> kCommonPasswords = {
    "password", "wachtwoord", "welkom",  "welcome",    "qwerty",   "azerty",
    "letmein",  "admin",      "geheim",  "secret",     "iloveyou", "monkey",
    "dragon",   "football",   "voetbal", "kvoregistry"};

// The length in code points of text without control characters.
std::optional<size_t> PlainTextLength(absl::string_view s) {
  if (common::HasControlCharacters(s)) return std::nullopt;
  return common::Utf8Length(s);
}

bool IsRun(absl::string_view lower) {
  if (lower.size() < 2) return true;
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < lower.size(); ++i) {
    const char prev = lower[i - 1], c = lower[i];
    same &= c == lower[0];
    // Digits wrap as on a keyboard: "1234567890", "0987654321".
    up &= c == prev + 1 || (prev == '9' && c == '0');
    down &= c == prev - 1 || (prev == '0' && c == '9');
  }
  return same || up || down;
}

}  // namespace

absl::Status ValidateLogin(absl::string_view login) {
  bool ok = login.size() >= 3 && login.size() <= 64 &&
            (absl::ascii_islower(login[0]) || absl::ascii_isdigit(login[0]));
  for (char c : login) {
    ok &= absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
          c == '_' || c == '-';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "login: 3 to 64 characters, lowercase letters, digits, '.', '_' or "
      "'-', starting with a letter or digit");
}

absl::Status ValidateDisplayName(absl::string_view name) {
  const std::optional<size_t> length = PlainTextLength(name);
  if (!length.has_value()) {
    return absl::InvalidArgumentError(
        "display_name: must be valid UTF-8 without control characters");
  }
  if (auto s = common::CheckNameCharacters("display_name", name); !s.ok()) {
    return s;
  }
  if (*length < 1 || *length > 200) {
    return absl::InvalidArgumentError(
        "display_name: 1 to 200 characters required");
  }
  return absl::OkStatus();
}

absl::Status CheckPassword(absl::string_view password, absl::string_view login,
                           absl::string_view display_name, int min_length) {
  const std::optional<size_t> length = PlainTextLength(password);
  if (password.size() > kMaxPasswordBytes || !length.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("password: at most ", kMaxPasswordBytes,
                     " bytes of valid UTF-8 without control characters"));
  }
  if (*length < static_cast<size_t>(min_length)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password: at least ", min_length, " characters required"));
  }
  const std::string lower = absl::AsciiStrToLower(password);
  if (IsRun(lower)) {
    return absl::InvalidArgumentError(
        "password: too easy to guess (one character or a simple sequence)");
  }
  if ((!login.empty() &&
       absl::StrContains(lower, absl::AsciiStrToLower(login))) ||
      (!display_name.empty() && lower == absl::AsciiStrToLower(display_name))) {
    return absl::InvalidArgumentError(
        "password: must not contain your login or be your name");
  }
  for (absl::string_view common : kCommonPasswords) {
    if (absl::StrContains(lower, common) && lower.size() < common.size() + 6) {
      return absl::InvalidArgumentError(
          "password: too easy to guess (a well-known password)");
    }
  }
  return absl::OkStatus();
}

std::optional<kvo::v1::Role> RoleFromName(absl::string_view name) {
  for (int r = kvo::v1::Role_MIN; r <= kvo::v1::Role_MAX; ++r) {
    auto role = static_cast<kvo::v1::Role>(r);
    if (role != kvo::v1::ROLE_UNSPECIFIED && RoleName(role) == name)
      return role;
  }
  return std::nullopt;
}

std::string RoleName(kvo::v1::Role role) {
  if (role == kvo::v1::ROLE_UNSPECIFIED) return "";
  // ROLE_PRIVACY_OFFICER -> privacy_officer
  return absl::AsciiStrToLower(kvo::v1::Role_Name(role).substr(5));
}

std::string NewOneTimeCode() {
  const std::string random = common::RandomBytes(kCodeLength);
  std::string code;
  for (size_t i = 0; i < kCodeLength; ++i) {
    if (i > 0 && i % 5 == 0) code += '-';
    code += kCodeAlphabet[static_cast<unsigned char>(random[i]) % 32];
  }
  return code;
}

std::optional<std::string> NormalizeOneTimeCode(absl::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    c = absl::ascii_toupper(c);
    if (std::find(std::begin(kCodeAlphabet), std::end(kCodeAlphabet) - 1, c) ==
        std::end(kCodeAlphabet) - 1) {
      return std::nullopt;
    }
    out += c;
  }
  if (out.size() != kCodeLength) return std::nullopt;
  return out;
}

std::string NewSessionToken() {
  return common::HexEncode(common::RandomBytes(32));
}

bool LockedAt(std::optional<int64_t> locked_until_ms, int64_t now_ms) {
  return locked_until_ms.has_value() && *locked_until_ms > now_ms;
}

int FailuresThatCount(int failed_logins, std::optional<int64_t> locked_until_ms,
                      int64_t now_ms) {
  if (locked_until_ms.has_value() && *locked_until_ms <= now_ms) return 0;
  return failed_logins;
}

bool FailureLocks(int failures_that_count, int max_failures) {
  return failures_that_count + 1 >= max_failures;
}

}  // namespace kvo::identity
