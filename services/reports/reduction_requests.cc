#include "services/reports/reduction_requests.h"

#include "absl/strings/str_cat.h"

namespace kvo::reports {
namespace {

absl::StatusOr<absl::CivilDay> Day(const std::string& text,
                                   absl::string_view flag) {
  absl::CivilDay day;
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag,
                     ": required (a year like 2025, or "
                     "2025-01-01..2025-12-31)"));
  }
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text || day.year() < 2000 ||
      day.year() > 2100) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", text.substr(0, 40),
                     "\" is not a day (YYYY-MM-DD between 2000 and 2100)"));
  }
  return day;
}

absl::StatusOr<Period> PeriodOf(const std::string& from, const std::string& to,
                                absl::string_view flag, int max_days) {
  auto a = Day(from, flag);
  if (!a.ok()) return a.status();
  auto b = Day(to, flag);
  if (!b.ok()) return b.status();
  if (*b < *a) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": the period ends (", to, ") before it starts (", from, ")"));
  }
  if (*b - *a + 1 > max_days) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": the period is ", *b - *a + 1, " days; at most ",
                     max_days, " (policy reports.max_period_days)"));
  }
  return Period{*a, *b};
}

}  // namespace

int MaxPeriodDays(const kvo::v1::Policy& policy) {
  const int days = policy.reports().max_period_days();
  return days > 0 ? days : 1096;
}

int SmallCountThreshold(const kvo::v1::Policy& policy) {
  const int n = policy.reports().small_count_threshold();
  return n > 0 ? n : 5;
}

absl::StatusOr<ReductionPeriods> ValidateReductionReportRequest(
    const kvo::v1::ReductionReportRequest& r, const kvo::v1::Policy& policy) {
  if (r.area_id() <= 0) {
    return absl::InvalidArgumentError("--area: required (an area id)");
  }
  const int max_days = MaxPeriodDays(policy);
  auto first = PeriodOf(r.first_from(), r.first_to(), "--from", max_days);
  if (!first.ok()) return first.status();
  auto second = PeriodOf(r.second_from(), r.second_to(), "--to", max_days);
  if (!second.ok()) return second.status();
  if (!(first->to < second->from || second->to < first->from)) {
    return absl::InvalidArgumentError(
        "--from, --to: the two periods overlap; compare two separate "
        "periods (for example the 0-meting year and the 1-meting year)");
  }
  return ReductionPeriods{*first, *second};
}

}  // namespace kvo::reports
