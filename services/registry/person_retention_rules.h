#ifndef KVO_SERVICES_REGISTRY_PERSON_RETENTION_RULES_H_
#define KVO_SERVICES_REGISTRY_PERSON_RETENTION_RULES_H_

#include <optional>

#include "absl/time/time.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::registry {

// What decides when a person's record may go, read from the registry (no
// personal data). Another module's reason (a donation claim, an open
// data-subject request) is a PersonHolds, asked apart.
struct PersonRetentionFacts {
  absl::Time registered_at;
  // The latest end (valid_until, or the revocation if earlier) of any of
  // the person's cards; none without cards.
  std::optional<absl::Time> last_card_end;
  // The latest of the person's incidents: when it occurred or was
  // recorded, whichever is later; none without incidents.
  std::optional<absl::Time> last_incident;
  bool open_objection = false;
};

// The numbers of retention.* the rule reads, in days.
struct PersonRetentionPolicy {
  int card_grace_days = 0;
  // Days a person with an incident (or only a registration) and no card
  // is kept, so a card can still be issued for it.
  int incident_grace_days = 0;
};

// retention.card_grace_days and retention.incident_grace_days (0: 90).
PersonRetentionPolicy PersonRetentionPolicyOf(
    const kvo::v1::RetentionPolicy& retention);
inline constexpr int kDefaultIncidentGraceDays = 90;

// When the person is due for erasure: the latest of registration and last
// incident plus incident_grace_days, and of the last card's end plus
// card_grace_days. None while an objection is open (no time can be known).
// A card in force keeps the person at least until it ends. Pure.
std::optional<absl::Time> PersonDueAt(const PersonRetentionFacts& facts,
                                      const PersonRetentionPolicy& policy);

// Due at `now`: PersonDueAt is not after `now`.
bool PersonDue(const PersonRetentionFacts& facts,
               const PersonRetentionPolicy& policy, absl::Time now);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_RETENTION_RULES_H_
