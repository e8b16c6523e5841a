#ifndef KVO_SERVICES_REGISTRY_REGISTRY_RETENTION_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_RETENTION_H_

#include <utility>
#include <vector>

#include "services/common/retention_rule.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"
#include "services/registry/person_holds.h"
#include "services/registry/person_retention_rules.h"

namespace kvo::registry {

// The registry's retention rules, plugged into the one retention job in
// this order (card, person, incident_link) so one run takes a person and
// then the person's incident links. `grace_days` is
// retention.card_grace_days. Subjects are "person:<pseudonym>".

// Kind "card": a card that ended (valid_until or revocation) at least the
// grace period ago. Its row cannot go (its incident, objections and the
// gallery's change log name it): it loses its free-text revocation reason
// and is marked retained. The door dropped it when it ended (the gallery's
// ExpirySweeper, or the revocation's change); nothing is reported again.
class CardRetention final : public common::RetentionRule {
 public:
  explicit CardRetention(int grace_days) : grace_days_(grace_days) {}
  std::string kind() const override { return "card"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  const int grace_days_;
};

// Kind "person": a person with data whom nothing needs any more is erased
// exactly as by `kvo person erase` (registry::ErasePerson: fields, photo
// through `sink`, blind index, then the data key once the job committed; a
// run first destroys the keys an earlier run or erase could not). When is
// decided by PersonDueAt (person_retention_rules.h): no card in force or
// ended within retention.card_grace_days, no incident (nor registration)
// within retention.incident_grace_days, no open objection; and no hold of
// another module (`holds`: a donation claim still linked, an open
// data-subject request). Each person is locked and checked again before
// erasure, so a card issued meanwhile (which locks the person too) either
// comes first and keeps the person, or comes after and is refused (the
// record is erased).
class PersonRetention final : public common::RetentionRule {
 public:
  PersonRetention(const PersonRetentionPolicy& policy, CardChangeSink& sink,
                  const KeyRing& keys,
                  std::vector<const PersonHolds*> holds = {})
      : policy_(policy), sink_(sink), keys_(keys), holds_(std::move(holds)) {}
  std::string kind() const override { return "person"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  bool Held(pqxx::transaction_base& tx, int64_t person_id) const;

  const PersonRetentionPolicy policy_;
  CardChangeSink& sink_;
  const KeyRing& keys_;
  const std::vector<const PersonHolds*> holds_;  // entries may be null
};

// Kind "restored_erasure": a person the key store knows as erased (their
// data key was deleted) whose record is here again, not erased: the data
// database was restored from a dump taken before the erasure. Erased again
// exactly as by `kvo person erase` (cards revoked, the door told through
// `sink`, fields, photo and blind index gone), so no name finds them and
// no history shows them; their key is gone already. Runs first (then
// "incident_link" takes their incidents' links), and kvod runs it at
// start before it serves, so a kvod started on restored data serves none
// of them.
class RestoredErasureRetention final : public common::RetentionRule {
 public:
  RestoredErasureRetention(CardChangeSink& sink, const KeyRing& keys)
      : sink_(sink), keys_(keys) {}
  std::string kind() const override { return "restored_erasure"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  // The persons here not erased whose key the key store deleted. A key
  // store that cannot be read gives none (logged): the next run tries again.
  std::vector<int64_t> Restored(pqxx::transaction_base& tx) const;

  CardChangeSink& sink_;
  const KeyRing& keys_;
};

// Records in the key store, as erased, every person erased in the data
// database `pool` (their keys are gone): erasures made before the key store
// kept them, so a restored older dump of the data finds them too. Run at
// start; idempotent.
absl::Status RecordPastErasures(common::DbPool& pool, const KeyRing& keys);

// Kind "incident_link": an erased person's incidents keep their anonymous
// facts (area, shop, time, type, damage) for statistics and lose the link
// to the person and the sealed description and report number.
class IncidentLinkRetention final : public common::RetentionRule {
 public:
  std::string kind() const override { return "incident_link"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_RETENTION_H_
