#include "services/registry/person_erasure.h"

namespace kvo::registry {

std::vector<ChangedCard> ReportChanges(CardChangeSink& sink,
                                       pqxx::transaction_base& tx,
                                       const std::vector<CardRow>& cards) {
  std::vector<ChangedCard> changes;
  changes.reserve(cards.size());
  for (const CardRow& c : cards) {
    changes.push_back(
        {c.id, c.area_id, c.person_id, c.kind, c.revoked, c.valid_until});
  }
  sink.CardsChanged(tx, changes);
  return changes;
}

Erasure ErasePerson(pqxx::transaction_base& tx, CardChangeSink& sink,
                    const PersonRow& row, int64_t revoked_by) {
  // Cards go first (the door stops showing them), then the key: what stays
  // sealed under it (incident texts, objections, backups) can no longer be
  // opened anywhere.
  auto cards = PgRegistryStore::RevokeCardsOfPerson(tx, row.id, revoked_by,
                                                    "person erased");
  sink.PersonErased(tx, row.id);
  PgRegistryStore::ErasePersonData(tx, row.id);
  Erasure out;
  out.cards_revoked = static_cast<int>(cards.size());
  out.changes = ReportChanges(sink, tx, cards);
  return out;
}

}  // namespace kvo::registry
