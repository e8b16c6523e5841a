#include "services/registry/registry_retention.h"

#include <set>

#include "services/common/log.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {
namespace {

using Store = PgRegistryStore;

// Count and distinct subjects (at most kMaxSubjects) of what went.
common::RetentionItem Item(const std::string& kind,
                           const std::vector<RetainedRow>& rows) {
  common::RetentionItem item;
  item.kind = kind;
  item.count = rows.size();
  std::set<std::string> seen;
  for (const auto& r : rows) {
    if (item.subjects.size() >= common::kMaxSubjects) break;
    std::string s = "person:" + r.pseudonym;
    if (seen.insert(s).second) item.subjects.push_back(std::move(s));
  }
  return item;
}

}  // namespace

common::RetentionItem CardRetention::Due(pqxx::transaction_base& tx,
                                         absl::Time now) {
  auto item = Item(kind(), Store::CardsDue(tx, now, grace_days_));
  item.next_due = Store::NextCardDue(tx, now, grace_days_);
  return item;
}

common::RetentionItem CardRetention::Apply(pqxx::transaction_base& tx,
                                           absl::Time now) {
  auto item = Item(kind(), Store::RetainCards(tx, now, grace_days_));
  item.next_due = Store::NextCardDue(tx, now, grace_days_);
  return item;
}

namespace {

// The earliest time after `now` at which one of `rows` falls due.
std::optional<absl::Time> NextDue(const std::vector<PersonRetentionRow>& rows,
                                  const PersonRetentionPolicy& policy,
                                  absl::Time now) {
  std::optional<absl::Time> next;
  for (const auto& r : rows) {
    const auto due = PersonDueAt(r.facts, policy);
    if (due.has_value() && *due > now && (!next || *due < *next)) next = due;
  }
  return next;
}

}  // namespace

bool PersonRetention::Held(pqxx::transaction_base& tx,
                           int64_t person_id) const {
  for (const PersonHolds* h : holds_) {
    if (h != nullptr && h->Holds(tx, person_id)) return true;
  }
  return false;
}

common::RetentionItem PersonRetention::Due(pqxx::transaction_base& tx,
                                           absl::Time now) {
  const auto rows = Store::PersonRetentionRows(tx, 0);
  std::vector<RetainedRow> due;
  for (const auto& r : rows) {
    if (!PersonDue(r.facts, policy_, now) || Held(tx, r.id)) continue;
    due.push_back({r.id, r.pseudonym});
  }
  auto item = Item(kind(), due);
  item.next_due = NextDue(rows, policy_, now);
  return item;
}

common::RetentionItem PersonRetention::Apply(pqxx::transaction_base& tx,
                                             absl::Time now) {
  std::vector<RetainedRow> erased;
  std::vector<ChangedCard> changes;
  // Erasures whose key an earlier run or erase could not destroy (or whose
  // destruction is not yet recorded). While the key store is unreachable
  // they wait for the next run; the erasures below still go ahead.
  if (auto finished = FinishErasures(tx, keys_); !finished.ok()) {
    common::LogWarn(
        "erased persons' keys not yet destroyed; the next "
        "retention run tries again",
        {{"error", std::string(finished.status().message())}});
  }
  const auto rows = Store::PersonRetentionRows(tx, 0);
  for (const auto& candidate : rows) {
    if (!PersonDue(candidate.facts, policy_, now)) continue;
    const int64_t id = candidate.id;
    // The lock a card issue and an incident link take too; then ask again,
    // under it, with a fresh snapshot (READ COMMITTED): a card or incident
    // committed meanwhile counts.
    auto row = Store::PersonForUpdate(tx, id);
    if (!row || row->erased) continue;
    const auto fresh = Store::PersonRetentionRows(tx, id);
    if (fresh.empty() || !PersonDue(fresh.front().facts, policy_, now)) {
      continue;
    }
    if (Held(tx, id)) continue;
    // No card is in force by the job's clock, but the door may still show
    // one by its own: erasure revokes them all, and the door hears of it
    // once the job has committed.
    Erasure e = ErasePerson(tx, sink_, *row, /*revoked_by=*/0, now);
    changes.insert(changes.end(), e.changes.begin(), e.changes.end());
    erased.push_back({id, row->pseudonym});
  }
  auto item = Item(kind(), erased);
  item.next_due = NextDue(rows, policy_, now);
  std::vector<int64_t> ids;
  for (const auto& r : erased) ids.push_back(r.id);
  if (!changes.empty() || !ids.empty()) {
    // The key goes once the erasure committed; the next run records it
    // (FinishErasures) or, had this failed, destroys it.
    item.after_commit = [this, changes = std::move(changes),
                         ids = std::move(ids)] {
      sink_.CardsCommitted(changes);
      if (auto s = keys_.DestroyDataKeys(ids); !s.ok()) {
        common::LogWarn(
            "erased persons' keys not yet destroyed; the next "
            "retention run does it",
            {{"error", std::string(s.message())}});
      }
    };
  }
  return item;
}

std::vector<int64_t> RestoredErasureRetention::Restored(
    pqxx::transaction_base& tx) const {
  auto erased = keys_.ErasedPersons();
  if (!erased.ok()) {
    common::LogWarn(
        "cannot read the erased keys; the next retention run "
        "tries again",
        {{"error", std::string(erased.status().message())}});
    return {};
  }
  if (erased->empty()) return {};
  return Store::NotErasedAmong(tx, *erased);
}

common::RetentionItem RestoredErasureRetention::Due(pqxx::transaction_base& tx,
                                                    absl::Time) {
  std::vector<RetainedRow> due;
  for (int64_t id : Restored(tx)) {
    if (auto row = Store::PersonById(tx, id))
      due.push_back({id, row->pseudonym});
  }
  return Item(kind(), due);
}

common::RetentionItem RestoredErasureRetention::Apply(
    pqxx::transaction_base& tx, absl::Time now) {
  std::vector<RetainedRow> erased;
  std::vector<ChangedCard> changes;
  std::vector<int64_t> ids;
  for (int64_t id : Restored(tx)) {
    auto row = Store::PersonForUpdate(tx, id);
    if (!row || row->erased) continue;
    Erasure e = ErasePerson(tx, sink_, *row, /*revoked_by=*/0, now);
    changes.insert(changes.end(), e.changes.begin(), e.changes.end());
    erased.push_back({id, row->pseudonym});
    ids.push_back(id);
  }
  // Their keys went with the first erasure.
  Store::MarkKeysShredded(tx, ids);
  auto item = Item(kind(), erased);
  if (!changes.empty()) {
    item.after_commit = [this, changes = std::move(changes)] {
      sink_.CardsCommitted(changes);
    };
  }
  return item;
}

absl::Status RecordPastErasures(common::DbPool& pool, const KeyRing& keys) {
  auto ids = pool.InTransaction<pqxx::read_transaction>(
      "read erased persons",
      [](pqxx::read_transaction& tx) -> absl::StatusOr<std::vector<int64_t>> {
        return Store::ErasedWithKeyShredded(tx);
      });
  if (!ids.ok()) return ids.status();
  return keys.RecordErased(*ids);
}

common::RetentionItem IncidentLinkRetention::Due(pqxx::transaction_base& tx,
                                                 absl::Time) {
  return Item(kind(), Store::ErasedIncidentLinks(tx));
}

common::RetentionItem IncidentLinkRetention::Apply(pqxx::transaction_base& tx,
                                                   absl::Time) {
  return Item(kind(), Store::UnlinkErasedIncidents(tx));
}

}  // namespace kvo::registry
