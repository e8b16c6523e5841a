#include "services/registry/person_erasure.h"

#include "absl/strings/str_join.h"
#include "services/common/log.h"

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
                    const PersonRow& row, int64_t revoked_by, absl::Time now) {
  // Cards go first (the door stops showing them), then the data; the key
  // (key store) once this committed: what stays sealed under it (incident
  // texts, objections, backups) can then no longer be opened anywhere.
  auto cards = PgRegistryStore::RevokeCardsOfPerson(tx, row.id, revoked_by,
                                                    "person erased", now);
  sink.PersonErased(tx, row.id);
  PgRegistryStore::ErasePersonData(tx, row.id);
  Erasure out;
  out.cards_revoked = static_cast<int>(cards.size());
  out.changes = ReportChanges(sink, tx, cards);
  return out;
}

void DestroyErasedKeys(common::DbPool& pool, const KeyRing& keys,
                       const std::vector<int64_t>& person_ids) {
  if (person_ids.empty()) return;
  absl::Status s = keys.DestroyDataKeys(person_ids);
  if (s.ok()) {
    s = pool.InTransaction("record destroyed keys", [&](pqxx::work& tx) {
      PgRegistryStore::MarkKeysShredded(tx, person_ids);
      return absl::OkStatus();
    });
  }
  if (!s.ok()) {
    common::LogWarn(
        "erased persons' keys not yet destroyed; the retention "
        "job finishes it",
        {{"persons", absl::StrJoin(person_ids, ",")},
         {"error", std::string(s.message())}});
  }
}

absl::StatusOr<int> FinishErasures(pqxx::transaction_base& tx,
                                   const KeyRing& keys) {
  const auto pending = PgRegistryStore::KeysNotShredded(tx);
  if (pending.empty()) return 0;
  if (auto s = keys.DestroyDataKeys(pending); !s.ok()) return s;
  PgRegistryStore::MarkKeysShredded(tx, pending);
  return static_cast<int>(pending.size());
}

}  // namespace kvo::registry
