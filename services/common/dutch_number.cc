#include "services/common/dutch_number.h"

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

}  // namespace kvo::common
