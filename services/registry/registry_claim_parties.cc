#include "services/registry/registry_claim_parties.h"

#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

using Store = PgRegistryStore;

std::optional<donations::PartyIncident> RegistryClaimParties::Incident(
    pqxx::transaction_base& tx, int64_t incident_id) const {
  auto row = Store::IncidentById(tx, incident_id);
  if (!row) return std::nullopt;
  return donations::PartyIncident{row->id, row->area_id, row->shop_id,
                                  row->person_id};
}

std::optional<donations::PartyPerson> RegistryClaimParties::Person(
    pqxx::transaction_base& tx, int64_t person_id) const {
  auto row = Store::PersonById(tx, person_id);
  if (!row) return std::nullopt;
  return donations::PartyPerson{row->id, row->pseudonym, row->erased};
}

std::optional<donations::PartyShop> RegistryClaimParties::Shop(
    pqxx::transaction_base& tx, int64_t shop_id) const {
  auto row = Store::ShopById(tx, shop_id);
  if (!row) return std::nullopt;
  return donations::PartyShop{row->id, row->area_id, row->name};
}

std::vector<int64_t> RegistryClaimParties::ShopsOf(pqxx::transaction_base& tx,
                                                   int64_t principal_id) const {
  return Store::ShopsOfPrincipal(tx, principal_id);
}

}  // namespace kvo::registry
