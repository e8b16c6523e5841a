#ifndef KVO_SERVICES_REGISTRY_PERSON_FIELDS_H_
#define KVO_SERVICES_REGISTRY_PERSON_FIELDS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::registry {

// Every person field in the order of kvo.v1.Person.
inline constexpr const char* kPersonFields[] = {
    "given_names", "surname_prefix", "surname",        "address",
    "residence",   "date_of_birth",  "place_of_birth", "description"};

bool IsPersonField(const std::string& name);

// A person's fields as a registration or a rectification leaves them
// (field -> value; a missing field is empty): INVALID_ARGUMENT naming the
// first wrong field and what is allowed. Names are required and may not
// hide or reorder what they show; the date of birth is a real day between
// 1900 and today (`now` in Europe/Amsterdam). Pure.
absl::Status CheckPersonFields(const kvo::v1::Policy& policy,
                               const std::map<std::string, std::string>& values,
                               absl::Time now);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_FIELDS_H_
