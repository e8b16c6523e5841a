#include "services/common/iban.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

constexpr size_t kMinLength = 15;  // Norway's, the shortest
constexpr size_t kMaxLength = 34;
constexpr size_t kDutchLength = 18;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The ISO 7064 MOD 97-10 remainder of the IBAN with its first four
// characters moved to the end and each letter read as two digits
// (A = 10 ... Z = 35), computed digit by digit so no big number is needed.
int Mod97(absl::string_view iban) {
  const std::string moved = absl::StrCat(iban.substr(4), iban.substr(0, 4));
  int remainder = 0;
  for (char c : moved) {
    if (absl::ascii_isdigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return remainder;
}

}  // namespace

absl::StatusOr<std::string> NormalizeIban(absl::string_view text,
                                          absl::string_view field) {
  std::string iban;
  for (char c : text) {
    if (c == ' ') continue;
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      return Invalid(field, "only letters, digits and spaces");
    }
    iban += absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  if (iban.empty()) return Invalid(field, "required");
  if (iban.size() < kMinLength || iban.size() > kMaxLength) {
    return Invalid(field,
                   absl::StrCat("an IBAN has ", kMinLength, " to ", kMaxLength,
                                " characters, not ", iban.size()));
  }
  if (!absl::ascii_isalpha(iban[0]) || !absl::ascii_isalpha(iban[1]) ||
      !absl::ascii_isdigit(iban[2]) || !absl::ascii_isdigit(iban[3])) {
    return Invalid(field,
                   "an IBAN starts with a country code and two check digits "
                   "(NL91...)");
  }
  if (iban.substr(0, 2) == "NL" && iban.size() != kDutchLength) {
    return Invalid(field, absl::StrCat("a Dutch IBAN has ", kDutchLength,
                                       " characters, not ", iban.size()));
  }
  if (Mod97(iban) != 1) {
    return Invalid(field, absl::StrCat("the check digits of ", FormatIban(iban),
                                       " do not match (a typing error?)"));
  }
  return iban;
}

std::string FormatIban(absl::string_view iban) {
  std::string out;
  for (size_t i = 0; i < iban.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += iban[i];
  }
  return out;
}

}  // namespace kvo::common
