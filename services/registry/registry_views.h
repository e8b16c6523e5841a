#ifndef KVO_SERVICES_REGISTRY_REGISTRY_VIEWS_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_VIEWS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/registry/card_rules.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/vault.h"

namespace kvo::registry {

// What the registry's adapters and use cases show of its rows: one place
// for the translation, so every call shows a person and a card alike.

// The person fields `role` may see (policy person_fields), in its order.
std::vector<std::string> VisibleFields(const kvo::v1::Policy& policy,
                                       kvo::v1::Role role);

// Whether a person born on `dob` (YYYY-MM-DD) is under the policy's adult
// age on `now`; false when unreadable.
bool IsMinor(const kvo::v1::Policy& policy, const std::string& dob,
             absl::Time now);

// An opened person as `visible` shows them: the other fields are named in
// hidden_fields; minor from the date of birth on `now`.
kvo::v1::Person PersonView(const kvo::v1::Policy& policy, const OpenPerson& p,
                           const std::vector<std::string>& visible,
                           absl::Time now);

kvo::v1::CardKind KindToProto(const std::string& kind);
CardKind KindFromRow(const std::string& kind);
kvo::v1::Card CardToProto(const CardRow& row);
// An incident's anonymous facts (id, area, shop, time, offence, damage,
// who recorded it); its person and sealed texts are the caller's to add.
kvo::v1::Incident IncidentFactsToProto(const IncidentRow& row);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_VIEWS_H_
