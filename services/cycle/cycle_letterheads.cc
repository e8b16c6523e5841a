#include "services/cycle/cycle_letterheads.h"

#include "services/cycle/pg_cycle_store.h"
#include "services/identity/pg_identity_store.h"

namespace kvo::cycle {

notice::Letterhead CycleLetterheads::ForArea(pqxx::transaction_base& tx,
                                             int64_t area_id) const {
  notice::Letterhead out;
  out.area_id = area_id;
  const auto areas = identity::PgIdentityStore::ListAreas(tx, {area_id}, false);
  if (!areas.empty()) {
    out.area_name = areas.front().name();
    out.place = areas.front().municipality();
  }
  const AreaContactRow c = PgCycleStore::AreaContact(tx, area_id);
  out.coordinator = c.coordinator;
  out.postal_address = c.objection_address;
  out.email = c.objection_email;
  out.phone = c.phone;
  out.payee = c.payee;
  out.iban = c.iban;
  return out;
}

}  // namespace kvo::cycle
