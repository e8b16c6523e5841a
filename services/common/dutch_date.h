#ifndef KVO_SERVICES_COMMON_DUTCH_DATE_H_
#define KVO_SERVICES_COMMON_DUTCH_DATE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kvo::common {

// Days as a reader writes them out, for letters, reports and the CLI.
// Pure; thread-safe.

// A day as a Dutch reader writes it: "30 november 2026" (empty for a month
// outside 1..12).
std::string DutchDate(int year, int month, int day);
std::string DutchDay(absl::CivilDay day);
// "januari" .. "december" for 1..12; empty otherwise.
const char* DutchMonth(int month);
// A day written out in `language`: "nl" (the default) "7 december 2026",
// "en" "7 December 2026".
std::string LongDate(absl::CivilDay day, absl::string_view language);
// A recorded YYYY-MM-DD day (a date of birth) written out; text that is
// not such a day is returned as it is.
std::string LongDate(absl::string_view iso_day, absl::string_view language);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_DUTCH_DATE_H_
