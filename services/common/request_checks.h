#ifndef KVO_SERVICES_COMMON_REQUEST_CHECKS_H_
#define KVO_SERVICES_COMMON_REQUEST_CHECKS_H_

#include <cstdint>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kvo::common {

// Small checks the request validators of every module share. Pure.

// An id a request must carry: OK when > 0, else INVALID_ARGUMENT naming it.
inline absl::Status RequireId(absl::string_view field, int64_t id) {
  if (id > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
}

// The first failed check, or OK.
inline absl::Status First(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// A day typed as YYYY-MM-DD (years 1900-9999), or INVALID_ARGUMENT naming
// the field and its kvo flag.
inline absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view field,
                                               absl::string_view flag,
                                               absl::string_view value) {
  absl::CivilDay day;
  if (value.size() != 10 || !absl::ParseCivilTime(value, &day) ||
      day.year() < 1900 || day.year() > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " (kvo ", flag, "): a day as YYYY-MM-DD, got '",
                     value.substr(0, 40), "'"));
  }
  return day;
}

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_REQUEST_CHECKS_H_
