#include "services/donations/payment_reference.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kvo::donations {
namespace {

constexpr int kWeights[] = {2, 4, 8, 5, 10, 9, 7, 3, 6, 1};
constexpr size_t kBodyDigits = 15;
constexpr int64_t kMaxSerial = 999999999;

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

std::optional<int> CheckDigit(absl::string_view digits) {
  if (digits.size() != kBodyDigits || !AllDigits(digits)) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    const int digit = digits[digits.size() - 1 - i] - '0';
    sum += digit * kWeights[i % 10];
  }
  const int c = 11 - sum % 11;
  if (c == 10) return 1;
  if (c == 11) return 0;
  return c;
}

std::string MakePaymentReference(int64_t serial, int random6) {
  const std::string body =
      absl::StrFormat("%06d%09d", random6 % 1000000,
                      static_cast<long long>(serial % (kMaxSerial + 1)));
  return absl::StrCat(*CheckDigit(body), body);
}

std::string NormalizePaymentReference(absl::string_view reference) {
  std::string out;
  for (char c : reference) {
    if (c != ' ') out += c;
  }
  return out;
}

absl::Status CheckPaymentReference(absl::string_view reference,
                                   absl::string_view field) {
  const std::string digits = NormalizePaymentReference(reference);
  if (digits.size() != kBodyDigits + 1 || !AllDigits(digits)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field,
        ": a payment reference has 16 digits (\"5000 0567 8901 2345\")"));
  }
  if (CheckDigit(absl::string_view(digits).substr(1)) != digits[0] - '0') {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", FormatPaymentReference(digits),
        " is not a valid payment reference (its check digit does not match; "
        "mistyped?)"));
  }
  return absl::OkStatus();
}

std::string FormatPaymentReference(absl::string_view reference) {
  std::string out;
  for (size_t i = 0; i < reference.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += reference[i];
  }
  return out;
}

}  // namespace kvo::donations
