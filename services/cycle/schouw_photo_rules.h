#ifndef KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RULES_H_
#define KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RULES_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kvo::cycle {

// How long a schouw finding's photo is kept (it may show bystanders'
// faces): retention.schouw_photo_days after the finding was resolved, in
// Europe/Amsterdam days. Pure; thread-safe.

// When the finding counts as resolved after its status becomes
// `new_status` at `now` (`resolved_at`: when it counted as resolved
// before). Resolving sets `now`; marking a resolved finding resolved again
// keeps the first moment (the period does not start over); reopening it
// (open, in_progress) clears it, so its photo is kept while the finding is
// open, however long ago it was first resolved, and the period starts
// again when it is resolved again.
std::optional<absl::Time> ResolvedAtAfter(std::optional<absl::Time> resolved_at,
                                          const std::string& new_status,
                                          absl::Time now);

// The day the photo of a finding resolved at `resolved_at` is due: `days`
// days after the day it was resolved (resolved on 1 March with 90 days:
// due from 30 May, 00:00).
absl::CivilDay SchouwPhotoDueOn(absl::Time resolved_at, int days);
// Whether that day has come at `now`.
bool SchouwPhotoDue(absl::Time resolved_at, int days, absl::Time now);
// The same as one moment for a query: the photo of a finding resolved
// before it is due at `now` (the start of the day after today - days).
absl::Time SchouwPhotoCutoff(absl::Time now, int days);

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_SCHOUW_PHOTO_RULES_H_
