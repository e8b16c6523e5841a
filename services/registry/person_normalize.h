#ifndef KVO_SERVICES_REGISTRY_PERSON_NORMALIZE_H_
#define KVO_SERVICES_REGISTRY_PERSON_NORMALIZE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::registry {

// The text the blind index hashes for a person, so that spelling variants
// meet: letters folded to lowercase ASCII (é -> e, ß -> ss, ĳ -> ij),
// spaces, hyphens, apostrophes and dots dropped, and Dutch surname prefixes
// ("van der", "de", "'t", ...) removed whether they are given apart or at
// the start of the surname. "jan willem"/"berg" becomes
// "janwillem|berg|1990-04-01". Pure; thread-safe.
// INVALID_ARGUMENT naming the field for invalid UTF-8, an empty given name
// or surname, or a date_of_birth that is not a real YYYY-MM-DD date.
absl::StatusOr<std::string> NormalizeForBlindIndex(
    absl::string_view given_names, absl::string_view surname_prefix,
    absl::string_view surname, absl::string_view date_of_birth);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_NORMALIZE_H_
