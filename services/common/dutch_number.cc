#include "services/common/dutch_number.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace kvo::common {

std::string DutchDecimal(double v, int decimals) {
  std::string out = absl::StrFormat("%.*f", decimals, v);
  // "-0,0" reads as a change that is not there.
  if (out.find_first_not_of("-0.") == std::string::npos && out[0] == '-') {
    out.erase(0, 1);
  }
  return absl::StrReplaceAll(out, {{".", ","}});
}

std::string DutchShortDecimal(double v, int max_decimals) {
  std::string out = DutchDecimal(v, max_decimals);
  if (out.find(',') == std::string::npos) return out;
  while (out.back() == '0') out.pop_back();
  if (out.back() == ',') out.pop_back();
  return out;
}

std::string DutchCount(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string DutchEuros(int64_t cents) {
  const bool negative = cents < 0;
  const int64_t abs = negative ? -cents : cents;
  return absl::StrFormat("%s€ %d,%02d", negative ? "-" : "",
                         static_cast<long long>(abs / 100),
                         static_cast<int>(abs % 100));
}

}  // namespace kvo::common
