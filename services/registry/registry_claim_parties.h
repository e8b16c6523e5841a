#ifndef KVO_SERVICES_REGISTRY_REGISTRY_CLAIM_PARTIES_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_CLAIM_PARTIES_H_

#include "services/donations/claim_parties.h"

namespace kvo::registry {

// The registry's side of the donations module: incidents, persons (by
// pseudonym only, never a name) and shops, read with the registry's own
// store in the donation use case's transaction. Stateless; thread-safe.
class RegistryClaimParties final : public donations::ClaimParties {
 public:
  std::optional<donations::PartyIncident> Incident(
      pqxx::transaction_base& tx, int64_t incident_id) const override;
  std::optional<donations::PartyPerson> Person(
      pqxx::transaction_base& tx, int64_t person_id) const override;
  std::optional<donations::PartyShop> Shop(pqxx::transaction_base& tx,
                                           int64_t shop_id) const override;
  std::vector<int64_t> ShopsOf(pqxx::transaction_base& tx,
                               int64_t principal_id) const override;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_CLAIM_PARTIES_H_
