#include "services/cycle/figures_csv.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"

namespace kvo::cycle {
namespace {

constexpr size_t kMaxListed = 20;
constexpr size_t kMaxLines = 100000;
constexpr int64_t kMaxCount = 10'000'000;

bool IsMonth(absl::string_view s) {
  absl::CivilMonth month;
  return s.size() == 7 && absl::ParseCivilTime(s, &month) &&
         month.year() >= 1900 && month.year() <= 9999;
}

}  // namespace

absl::StatusOr<std::vector<Figure>> ParseFigures(
    absl::string_view csv, const std::vector<std::string>& categories) {
  std::vector<std::string> errors;
  std::vector<Figure> out;
  std::set<std::pair<std::string, std::string>> seen;
  std::set<size_t> bad_lines;
  auto bad = [&](size_t line, absl::string_view column, std::string why) {
    bad_lines.insert(line);
    errors.push_back(
        absl::StrCat("line ", line, ", column ", column, ": ", std::move(why)));
  };
  const std::vector<absl::string_view> lines = absl::StrSplit(csv, '\n');
  if (lines.size() > kMaxLines) {
    return absl::InvalidArgumentError(
        absl::StrCat("FILE: at most ", kMaxLines, " lines"));
  }
  bool header = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t number = i + 1;
    absl::string_view line = lines[i];
    absl::ConsumeSuffix(&line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (!header) {
      if (absl::StripAsciiWhitespace(line) != kFiguresHeader) {
        return absl::InvalidArgumentError(
            absl::StrCat("FILE: line ", number, ": the header must be \"",
                         kFiguresHeader, "\""));
      }
      header = true;
      continue;
    }
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (fields.size() != 3) {
      bad(number, "-",
          absl::StrCat("3 columns (period,category,count), got ",
                       fields.size()));
      continue;
    }
    const absl::string_view period = absl::StripAsciiWhitespace(fields[0]);
    const absl::string_view category = absl::StripAsciiWhitespace(fields[1]);
    const absl::string_view count_text = absl::StripAsciiWhitespace(fields[2]);
    bool ok = true;
    if (!IsMonth(period)) {
      bad(number, "period",
          absl::StrCat("a month as YYYY-MM, got '", period.substr(0, 20), "'"));
      ok = false;
    }
    if (std::find(categories.begin(), categories.end(), category) ==
        categories.end()) {
      bad(number, "category",
          absl::StrCat("unknown category '", category.substr(0, 40),
                       "'; one of ", absl::StrJoin(categories, ", ")));
      ok = false;
    }
    int64_t count = 0;
    if (!absl::SimpleAtoi(count_text, &count)) {
      bad(number, "count",
          absl::StrCat("a whole number, got '", count_text.substr(0, 20), "'"));
      ok = false;
    } else if (count < 0) {
      bad(number, "count", absl::StrCat("negative (", count, ")"));
      ok = false;
    } else if (count > kMaxCount) {
      bad(number, "count", absl::StrCat("at most ", kMaxCount));
      ok = false;
    }
    if (!ok) continue;
    if (!seen.emplace(std::string(period), std::string(category)).second) {
      bad(number, "period",
          absl::StrCat(period, " ", category, " appears twice"));
      continue;
    }
    out.push_back({std::string(period), std::string(category), count});
  }
  if (!header) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FILE: empty; the first line must be \"", kFiguresHeader, "\""));
  }
  if (!errors.empty()) {
    const size_t total = errors.size();
    if (total > kMaxListed) errors.resize(kMaxListed);
    return absl::InvalidArgumentError(absl::StrCat(
        "FILE: nothing imported; ", bad_lines.size(), " bad line",
        bad_lines.size() == 1 ? "" : "s", ":\n", absl::StrJoin(errors, "\n"),
        total > kMaxListed
            ? absl::StrCat("\n... and ", total - kMaxListed, " more")
            : ""));
  }
  return out;
}

}  // namespace kvo::cycle
