#include "services/registry/person_retention_rules.h"

#include <algorithm>

namespace kvo::registry {
namespace {

absl::Duration Days(int days) { return absl::Hours(24) * days; }

}  // namespace

PersonRetentionPolicy PersonRetentionPolicyOf(
    const kvo::v1::RetentionPolicy& retention) {
  PersonRetentionPolicy p;
  p.card_grace_days = retention.card_grace_days();
  p.incident_grace_days = retention.incident_grace_days() > 0
                              ? retention.incident_grace_days()
                              : kDefaultIncidentGraceDays;
  return p;
}

std::optional<absl::Time> PersonDueAt(const PersonRetentionFacts& facts,
                                      const PersonRetentionPolicy& policy) {
  if (facts.open_objection) return std::nullopt;
  // Registration counts as the first incident: the police register a
  // person to record what happened, and get the same time to do so.
  absl::Time last_event = facts.registered_at;
  if (facts.last_incident.has_value()) {
    last_event = std::max(last_event, *facts.last_incident);
  }
  absl::Time due = last_event + Days(policy.incident_grace_days);
  if (facts.last_card_end.has_value()) {
    due = std::max(due, *facts.last_card_end + Days(policy.card_grace_days));
  }
  return due;
}

bool PersonDue(const PersonRetentionFacts& facts,
               const PersonRetentionPolicy& policy, absl::Time now) {
  const auto due = PersonDueAt(facts, policy);
  return due.has_value() && *due <= now;
}

}  // namespace kvo::registry
