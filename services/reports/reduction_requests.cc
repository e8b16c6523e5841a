#include "services/reports/reduction_requests.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace kvo::reports {
namespace {

absl::StatusOr<absl::CivilDay> Day(const std::string& text,
                                   absl::string_view flag) {
  absl::CivilDay day;
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag,
                     ": required (a year like 2025, a month like 2025-03, "
                     "or 2025-01-01..2025-06-30)"));
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
                                absl::string_view flag) {
  auto a = Day(from, flag);
  if (!a.ok()) return a.status();
  auto b = Day(to, flag);
  if (!b.ok()) return b.status();
  return Period{*a, *b};
}

absl::Status CheckLength(const Period& p, absl::string_view flag,
                         int max_days) {
  if (p.to - p.from + 1 > max_days) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": the period is ", p.to - p.from + 1, " days; at most ",
        max_days, " (policy reports.max_period_days)"));
  }
  return absl::OkStatus();
}

// Whole calendar months only: two reports whose periods differ by a few
// days could be subtracted to give back a count each hides as "< 5".
absl::Status CheckWholeMonths(const Period& p, absl::string_view flag) {
  if (p.from.day() == 1 && (p.to + 1).day() == 1) return absl::OkStatus();
  const absl::CivilDay start(p.from.year(), p.from.month(), 1);
  const absl::CivilDay end = absl::CivilDay(absl::CivilMonth(p.to) + 1) - 1;
  return absl::InvalidArgumentError(absl::StrCat(
      flag, ": ", absl::FormatCivilTime(p.from), "..",
      absl::FormatCivilTime(p.to),
      " is not whole calendar months; a period starts on the 1st and ends on "
      "a month's last day (e.g. ",
      absl::FormatCivilTime(start), "..", absl::FormatCivilTime(end),
      ", a month like 2025-03 or a year like 2025), so that two reports "
      "cannot be subtracted to give back a hidden count"));
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

namespace {

// Both periods of a request (--from, --to), checked.
template <typename Request>
absl::StatusOr<ReductionPeriods> PeriodsOf(const Request& r,
                                           const kvo::v1::Policy& policy) {
  auto first = PeriodOf(r.first_from(), r.first_to(), "--from");
  if (!first.ok()) return first.status();
  auto second = PeriodOf(r.second_from(), r.second_to(), "--to");
  if (!second.ok()) return second.status();
  if (auto s = CheckPeriods(*first, *second); !s.ok()) return s;
  const int max_days = MaxPeriodDays(policy);
  if (auto s = CheckLength(*first, "--from", max_days); !s.ok()) return s;
  if (auto s = CheckLength(*second, "--to", max_days); !s.ok()) return s;
  if (auto s = CheckWholeMonths(*first, "--from"); !s.ok()) return s;
  if (auto s = CheckWholeMonths(*second, "--to"); !s.ok()) return s;
  return ReductionPeriods{*first, *second};
}

}  // namespace

absl::StatusOr<ReductionPeriods> ValidateReductionReportRequest(
    const kvo::v1::ReductionReportRequest& r, const kvo::v1::Policy& policy) {
  if (r.area_id() <= 0) {
    return absl::InvalidArgumentError("--area: required (an area id)");
  }
  return PeriodsOf(r, policy);
}

absl::StatusOr<ReductionPeriods> ValidateReductionAcrossRequest(
    const kvo::v1::ReductionAcrossRequest& r, const kvo::v1::Policy& policy) {
  const bool by_name = !r.municipality().empty();
  if (by_name == (r.area_ids_size() > 0)) {
    return absl::InvalidArgumentError(
        "--municipality, --areas: give exactly one (a municipality's name, "
        "or a list of area ids)");
  }
  if (by_name &&
      (r.municipality().size() > 200 ||
       r.municipality().find_first_of("\n\r\t") != std::string::npos)) {
    return absl::InvalidArgumentError(
        "--municipality: a name of at most 200 characters on one line");
  }
  if (r.area_ids_size() > kMaxAcrossAreas) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--areas: at most ", kMaxAcrossAreas, " areas in one report"));
  }
  std::set<int64_t> seen;
  for (int64_t id : r.area_ids()) {
    if (id <= 0 || !seen.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--areas: ", id, " is not a new area id (positive, each once)"));
    }
  }
  return PeriodsOf(r, policy);
}

}  // namespace kvo::reports
