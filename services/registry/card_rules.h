#ifndef KVO_SERVICES_REGISTRY_CARD_RULES_H_
#define KVO_SERVICES_REGISTRY_CARD_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::registry {

enum class CardKind { kIndividualBan, kCollectiveWarning, kCollectiveBan };
// "individual_ban", "collective_warning", "collective_ban".
const char* CardKindName(CardKind kind);

// What the issuer asks for: a ban for their own shop only, or a collective
// card (the rules decide warning or ban).
enum class CardScope { kIndividual, kCollective };

// A card the person already has in the same area.
struct PastCard {
  CardKind kind;
  int64_t shop_id = 0;  // individual bans: the issuing shop
  absl::Time valid_from;
  absl::Time valid_until;
  bool revoked = false;
  int64_t card_id = 0;
};

// An earlier offence of the person in the same area (for the Deventer
// practice, which counts arrests, not cards).
struct PastOffence {
  absl::Time occurred_at;
  // The card issued for it was revoked (an objection upheld): it no longer
  // counts against the person.
  bool card_revoked = false;
};

struct CardRequest {
  CardScope scope = CardScope::kCollective;
  int64_t shop_id = 0;         // the incident's shop
  int32_t requested_days = 0;  // 0: the rule's default
  absl::Time offence_at;       // when the incident happened
  bool serious = false;        // the offence type is serious (policy)
  absl::CivilDay date_of_birth;
  absl::Time now;  // the card starts now
  std::vector<PastCard> cards;
  std::vector<PastOffence> offences;  // excluding this one
};

struct CardDecision {
  CardKind kind;
  int32_t days = 0;
  absl::Time valid_from;
  absl::Time valid_until;
  bool minor = false;
  // Which rule decided, in words, for the audit purpose and the notice.
  std::string rule;
  // A collective ban for an offence during a collective warning: that
  // warning's card_id (the ban rests on it: an objection upheld against
  // the warning ends the ban too). 0 otherwise.
  int64_t escalated_from = 0;
};

// Decides the card for an offence from the person's history in the area,
// by the numbers and rules of `policy` (the CCV model or the Deventer
// practice). Pure; thread-safe.
//  - INVALID_ARGUMENT (naming requested_days) for a duration outside what
//    the rule allows, never above cards.max_card_days;
//  - FAILED_PRECONDITION when the person is below the minimum age, or
//    already has an active card that covers it (a collective ban in the
//    area; an individual ban of the same shop; a collective warning in
//    force when the offence would give another warning: at most one
//    warning at a time, and an offence from before the warning was issued,
//    or past the escalation window, is not one committed during it).
absl::StatusOr<CardDecision> DecideCard(const kvo::v1::Policy& policy,
                                        const CardRequest& request);

// Whole years between `date_of_birth` and the civil day of `at` in
// Europe/Amsterdam.
int AgeInYears(absl::CivilDay date_of_birth, absl::Time at);

// The last whole day (Europe/Amsterdam) a card is in force, the day its
// notice says it holds "tot en met" (common::LastWholeDay, where the door
// reads it too).
absl::CivilDay LastWholeDay(absl::Time valid_until);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_CARD_RULES_H_
