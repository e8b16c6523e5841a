#ifndef KVO_SERVICES_COMMON_IBAN_H_
#define KVO_SERVICES_COMMON_IBAN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

// An IBAN as ISO 13616 writes it: country code, two check digits and the
// account (BBAN), at most 34 letters and digits; a Dutch one (NL) is 18.
// Spaces are ignored and letters may be lower case. The check digits must
// make the whole, moved and read as a number, 1 modulo 97. Returns the
// IBAN without spaces in upper case, or INVALID_ARGUMENT saying what is
// wrong, prefixed by `field` ("iban (kvo --iban)"). Pure.
absl::StatusOr<std::string> NormalizeIban(absl::string_view text,
                                          absl::string_view field);

// "NL91ABNA0417164300" as it is printed: "NL91 ABNA 0417 1643 00".
std::string FormatIban(absl::string_view iban);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_IBAN_H_
