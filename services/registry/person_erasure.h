#ifndef KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_
#define KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_

#include <cstdint>
#include <pqxx/pqxx>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/db_pool.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"
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
// not yet revoked is revoked at `now` by `revoked_by` (0: the retention
// job), the sink drops the photo, the sealed fields and the blind index go
// and the row is marked erased. The caller audits, commits, then calls
// DestroyErasedKeys: the decision is final before the key goes, so a card
// issued meanwhile never leaves a live record without its key.
Erasure ErasePerson(pqxx::transaction_base& tx, CardChangeSink& sink,
                    const PersonRow& row, int64_t revoked_by, absl::Time now);

// After the erasure of `person_ids` committed: their data keys go from the
// key store (crypto-shredding: every copy of their data, backups included,
// no longer opens) and `pool`'s database records that. A failure is logged
// and left to FinishErasures.
void DestroyErasedKeys(common::DbPool& pool, const KeyRing& keys,
                       const std::vector<int64_t>& person_ids);
// Destroys the keys of erasures whose key's deletion was never recorded
// (kvod stopped between the commit and the key store) and records it in
// `tx`; how many. Run by the retention job.
absl::StatusOr<int> FinishErasures(pqxx::transaction_base& tx,
                                   const KeyRing& keys);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_ERASURE_H_
