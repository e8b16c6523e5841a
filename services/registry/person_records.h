#ifndef KVO_SERVICES_REGISTRY_PERSON_RECORDS_H_
#define KVO_SERVICES_REGISTRY_PERSON_RECORDS_H_

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// A person's record through the registry's own calls: registered (fields
// sealed with a new data key, the blind index so nobody registers them
// twice), read (the fields the caller's role may see, in an area the person
// is known in) and erased by hand (registry::ErasePerson, then the key).
// Each call is one transaction with its audit entry. INVALID_ARGUMENT
// naming the field, NOT_FOUND, ALREADY_EXISTS (registered already),
// FAILED_PRECONDITION (erased already), PERMISSION_DENIED, DATA_LOSS (a
// record that does not open; audited). Thread-safe.
class PersonRecords final {
 public:
  PersonRecords(const kvo::v1::Policy& policy, common::DbPool& pool,
                identity::RpcGuard& guard, const KeyRing& keys,
                CardChangeSink& card_changes, const common::Clock& clock)
      : policy_(policy),
        pool_(pool),
        guard_(guard),
        keys_(keys),
        card_changes_(card_changes),
        clock_(clock) {}

  absl::StatusOr<kvo::v1::Person> Create(
      const identity::Call& call, const kvo::v1::CreatePersonRequest& request);
  // Matches by name and date of birth (the blind index), so nobody is
  // registered twice: fields only where the person is known in one of the
  // caller's areas, elsewhere only named. One audit entry for the call.
  absl::StatusOr<kvo::v1::FindPersonResponse> Find(
      const identity::Call& call, const kvo::v1::FindPersonRequest& request);
  absl::StatusOr<kvo::v1::Person> Get(const identity::Call& call,
                                      const kvo::v1::GetPersonRequest& request);
  absl::StatusOr<kvo::v1::ErasePersonResponse> Erase(
      const identity::Call& call, const kvo::v1::ErasePersonRequest& request);

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_RECORDS_H_
