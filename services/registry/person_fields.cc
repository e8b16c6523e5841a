#include "services/registry/person_fields.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/local_time.h"
#include "services/common/text.h"

namespace kvo::registry {

bool IsPersonField(const std::string& name) {
  for (const char* f : kPersonFields) {
    if (name == f) return true;
  }
  return false;
}

absl::Status CheckPersonFields(const kvo::v1::Policy& policy,
                               const std::map<std::string, std::string>& values,
                               absl::Time now) {
  const size_t description_max = policy.persons().description_max_chars();
  struct Rule {
    const char* field;
    size_t min, max;
    bool multiline;
    bool name;
  };
  const Rule rules[] = {
      {"given_names", 1, 200, false, true},
      {"surname_prefix", 0, 50, false, true},
      {"surname", 1, 200, false, true},
      {"address", 0, 300, false, false},
      {"residence", 0, 100, false, false},
      {"date_of_birth", 10, 10, false, false},
      {"place_of_birth", 0, 100, false, false},
      {"description", 0, description_max, true, false},
  };
  const std::string empty;
  auto value_of = [&](const char* field) -> const std::string& {
    auto it = values.find(field);
    return it == values.end() ? empty : it->second;
  };
  for (const Rule& rule : rules) {
    const std::string& value = value_of(rule.field);
    // Bytes first: a 10 MB value is refused before anything scans it.
    if (value.size() > 4 * rule.max) {
      return absl::InvalidArgumentError(
          absl::StrCat(rule.field, ": at most ", rule.max, " characters"));
    }
    if (auto s = common::CheckText(rule.field, value, rule.min, rule.max,
                                   rule.multiline);
        !s.ok()) {
      return s;
    }
  }
  // Names are read by people at the door and matched by the blind index:
  // nothing that reorders or hides what they show.
  for (const Rule& rule : rules) {
    if (!rule.name) continue;
    if (auto s = common::CheckNameCharacters(rule.field, value_of(rule.field));
        !s.ok()) {
      return s;
    }
  }
  absl::CivilDay dob;
  if (!absl::ParseCivilTime(value_of("date_of_birth"), &dob)) {
    return absl::InvalidArgumentError(
        "date_of_birth: a real date as YYYY-MM-DD");
  }
  const absl::CivilDay today = absl::ToCivilDay(now, common::Amsterdam());
  if (dob > today) {
    return absl::InvalidArgumentError(
        "date_of_birth: must not be in the future");
  }
  if (dob < absl::CivilDay(1900, 1, 1)) {
    return absl::InvalidArgumentError("date_of_birth: before 1900");
  }
  return absl::OkStatus();
}

}  // namespace kvo::registry
