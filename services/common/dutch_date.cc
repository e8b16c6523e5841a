#include "services/common/dutch_date.h"

#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

constexpr const char* kDutchMonths[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};
constexpr const char* kEnglishMonths[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

}  // namespace

const char* DutchMonth(int month) {
  if (month < 1 || month > 12) return "";
  return kDutchMonths[month - 1];
}

std::string DutchDate(int year, int month, int day) {
  if (month < 1 || month > 12) return "";
  return absl::StrCat(day, " ", kDutchMonths[month - 1], " ", year);
}

std::string DutchDay(absl::CivilDay day) {
  return DutchDate(static_cast<int>(day.year()), day.month(), day.day());
}

std::string LongDate(absl::CivilDay day, absl::string_view language) {
  if (language != "en") return DutchDay(day);
  return absl::StrCat(day.day(), " ", kEnglishMonths[day.month() - 1], " ",
                      day.year());
}

std::string LongDate(absl::string_view iso_day, absl::string_view language) {
  absl::CivilDay day;
  if (iso_day.size() != 10 || !absl::ParseCivilTime(iso_day, &day)) {
    return std::string(iso_day);
  }
  return LongDate(day, language);
}

}  // namespace kvo::common
