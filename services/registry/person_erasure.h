#ifndef KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_
#define KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_

#include <cstdint>
#include <pqxx/pqxx>
#include <vector>

#include "absl/time/time.h"
#include "services/registry/card_changes.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// Tells `sink`, inside `tx`, that `cards` changed; returns what to pass to
// CardsCommitted once `tx` has committed.
std::vector<ChangedCard> ReportChanges(CardChangeSink& sink,
                                       pqxx::transaction_base& tx,
                                       const std::vector<CardRow>& cards);

struct Erasure {
  int cards_revoked = 0;
  std::vector<ChangedCard> changes;  // for CardsCommitted after the commit
};

// The one erasure of a person, manual (kvo person erase) or by retention,
// in the caller's transaction, on a row the caller locked
// (PgRegistryStore::PersonForUpdate) and found not erased yet. Every card
// not yet revoked is revoked by `revoked_by` (0: the retention job),
// the sink drops the photo, then the wrapped data key goes (crypto-shred),
// with the sealed fields and the blind index. The caller audits.
Erasure ErasePerson(pqxx::transaction_base& tx, CardChangeSink& sink,
                    const PersonRow& row, int64_t revoked_by);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_
