#ifndef KVO_SERVICES_DONATIONS_PAYMENT_REFERENCE_H_
#define KVO_SERVICES_DONATIONS_PAYMENT_REFERENCE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kvo::donations {

// The Dutch payment reference (betalingskenmerk, Betaalvereniging
// Nederland) in its 16-digit form: one check digit followed by 15 digits.
// The check digit is the weighted modulus-11 digit: the 15 digits, from
// the rightmost one leftwards, are multiplied by the weights 2, 4, 8, 5,
// 10, 9, 7, 3, 6, 1 (repeating), C = 11 - (sum mod 11), with 10 read as 1
// and 11 as 0. Banks check it before a transfer leaves, so a mistyped
// reference is caught at the payer's side. Pure; thread-safe.

// The check digit of exactly 15 digits; nullopt otherwise.
std::optional<int> CheckDigit(absl::string_view fifteen_digits);

// The reference for `serial` (1 to 10^9 - 1, unique: the claim's number)
// and `random6` (0 to 999999, so references cannot be guessed from one
// another): check digit, then random6 as 6 digits, then serial as 9.
std::string MakePaymentReference(int64_t serial, int random6);

// OK for 16 digits with a valid check digit (spaces, as printed on a
// letter, are ignored); INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckPaymentReference(absl::string_view reference,
                                   absl::string_view field);

// The reference without spaces.
std::string NormalizePaymentReference(absl::string_view reference);

// "5000 0567 8901 2345": how a letter prints it.
std::string FormatPaymentReference(absl::string_view reference);

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_PAYMENT_REFERENCE_H_
