#include "services/cycle/schouw_photo_rules.h"

#include "services/common/local_time.h"

namespace kvo::cycle {

std::optional<absl::Time> ResolvedAtAfter(std::optional<absl::Time> resolved_at,
                                          const std::string& new_status,
                                          absl::Time now) {
  if (new_status != "resolved") return std::nullopt;
  return resolved_at.value_or(now);
}

absl::CivilDay SchouwPhotoDueOn(absl::Time resolved_at, int days) {
  return absl::ToCivilDay(resolved_at, common::Amsterdam()) + days;
}

bool SchouwPhotoDue(absl::Time resolved_at, int days, absl::Time now) {
  return SchouwPhotoDueOn(resolved_at, days) <=
         absl::ToCivilDay(now, common::Amsterdam());
}

absl::Time SchouwPhotoCutoff(absl::Time now, int days) {
  const absl::CivilDay today = absl::ToCivilDay(now, common::Amsterdam());
  return absl::FromCivil(today - days + 1, common::Amsterdam());
}

}  // namespace kvo::cycle
