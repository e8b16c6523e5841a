// When retention may erase a person (person_retention_rules.h), by rule.
#include "services/registry/person_retention_rules.h"

#include "gtest/gtest.h"

namespace kvo::registry {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'780'000'000);
absl::Time Day(double d) { return kT0 + absl::Hours(24 * d); }
// Both shipped policies: card grace 0; incident grace 90.
constexpr PersonRetentionPolicy kShipped{0, 90};

TEST(PersonRetentionRules, AnIncidentKeepsThePersonForItsGrace) {
  PersonRetentionFacts f;
  f.registered_at = Day(0);
  f.last_incident = Day(0);
  // Issue 24: erased five minutes after the incident, before any card.
  EXPECT_FALSE(PersonDue(f, kShipped, Day(0) + absl::Minutes(5)));
  EXPECT_FALSE(PersonDue(f, kShipped, Day(89.9)));
  EXPECT_TRUE(PersonDue(f, kShipped, Day(90)));
  EXPECT_EQ(PersonDueAt(f, kShipped), Day(90));
}

TEST(PersonRetentionRules, ALaterIncidentOrRegistrationCounts) {
  PersonRetentionFacts f;
  f.registered_at = Day(-400);
  f.last_incident = Day(0);
  EXPECT_EQ(PersonDueAt(f, kShipped), Day(90));
  f.last_incident = Day(-500);  // occurred before registration
  EXPECT_EQ(PersonDueAt(f, kShipped), Day(-310));
  f.last_incident.reset();  // registered only
  EXPECT_EQ(PersonDueAt(f, kShipped), Day(-310));
}

TEST(PersonRetentionRules, ACardKeepsThePersonUntilItEndedPlusItsGrace) {
  PersonRetentionFacts f;
  f.registered_at = Day(0);
  f.last_incident = Day(0);
  f.last_card_end = Day(365);
  EXPECT_FALSE(PersonDue(f, kShipped, Day(364)));
  EXPECT_TRUE(PersonDue(f, kShipped, Day(365)));
  EXPECT_EQ(PersonDueAt(f, PersonRetentionPolicy{7, 90}), Day(372));
  // A card revoked on day 1: the incident's grace still runs.
  f.last_card_end = Day(1);
  EXPECT_EQ(PersonDueAt(f, kShipped), Day(90));
}

TEST(PersonRetentionRules, AnOpenObjectionHoldsWithoutEnd) {
  PersonRetentionFacts f;
  f.registered_at = Day(-1000);
  f.last_card_end = Day(-900);
  f.open_objection = true;
  EXPECT_FALSE(PersonDueAt(f, kShipped).has_value());
  EXPECT_FALSE(PersonDue(f, kShipped, Day(10000)));
}

TEST(PersonRetentionRules, ThePolicyDefaultsTheIncidentGrace) {
  kvo::v1::RetentionPolicy r;
  r.set_card_grace_days(2);
  EXPECT_EQ(PersonRetentionPolicyOf(r).incident_grace_days,
            kDefaultIncidentGraceDays);
  EXPECT_EQ(PersonRetentionPolicyOf(r).card_grace_days, 2);
  r.set_incident_grace_days(14);
  EXPECT_EQ(PersonRetentionPolicyOf(r).incident_grace_days, 14);
}

}  // namespace
}  // namespace kvo::registry
