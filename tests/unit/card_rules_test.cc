// Every rule of the card decision, table-driven, against the policy files
// that ship (the CCV model and the Deventer practice).
#include "services/registry/card_rules.h"

#include <filesystem>
#include <map>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"

namespace kvo::registry {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const kvo::v1::Policy& LoadProfile(const char* file) {
  static auto* cache = new std::map<std::string, kvo::v1::Policy>;
  auto it = cache->find(file);
  if (it == cache->end()) {
    auto policy =
        common::LoadPolicyFile(fs::path(KVO_SOURCE_DIR) / "policy" / file);
    EXPECT_TRUE(policy.ok()) << policy.status();
    it = cache->emplace(file, policy.value_or(kvo::v1::Policy())).first;
  }
  return it->second;
}
const kvo::v1::Policy& Ccv() { return LoadProfile("default.textproto"); }
const kvo::v1::Policy& Deventer() { return LoadProfile("deventer.textproto"); }

const absl::Time kT0 = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 14, 0, 0),
                                       absl::UTCTimeZone());
absl::Time Day(int d) { return kT0 + absl::Hours(24 * d); }
constexpr absl::CivilDay kAdult(1990, 4, 1);

PastCard Card(CardKind kind, int from_day, int days, bool revoked = false,
              int64_t shop = 1) {
  return PastCard{kind, shop, Day(from_day), Day(from_day + days), revoked};
}

struct RuleCase {
  const char* name = "";
  CardScope scope = CardScope::kCollective;
  bool serious = false;
  int offence_day = 0;
  int32_t requested_days = 0;
  std::vector<PastCard> cards = {};
  absl::CivilDay dob = kAdult;
  // Expected: a kind and days, or an error code with a message fragment.
  absl::StatusCode code = absl::StatusCode::kOk;
  CardKind kind = CardKind::kCollectiveWarning;
  int32_t days = 0;
  const char* fragment = "";
};

constexpr auto W = CardKind::kCollectiveWarning;
constexpr auto B = CardKind::kCollectiveBan;
constexpr auto I = CardKind::kIndividualBan;

// The CCV model (policy/default.textproto): warning 365, ban 365, serious or
// repeat ban 365..730, maximum 730.
const std::vector<RuleCase>& CcvCases() {
  static const auto* cases = new std::vector<RuleCase>{
      {.name = "first offence gets a warning", .kind = W, .days = 365},
      {.name = "offence during an active warning gets a ban",
       .offence_day = 100,
       .cards = {Card(W, 0, 365)},
       .kind = B,
       .days = 365},
      {.name = "a revoked warning does not count",
       .offence_day = 100,
       .cards = {Card(W, 0, 365, /*revoked=*/true)},
       .kind = W,
       .days = 365},
      {.name = "an expired warning does not count",
       .offence_day = 400,
       .cards = {Card(W, 0, 365)},
       .kind = W,
       .days = 365},
      {.name = "serious offence goes straight to a 2-year ban",
       .serious = true,
       .kind = B,
       .days = 730},
      {.name = "serious ban may be shorter, within 1 to 2 years",
       .serious = true,
       .requested_days = 400,
       .kind = B,
       .days = 400},
      {.name = "serious ban below a year is refused",
       .serious = true,
       .requested_days = 200,
       .code = absl::StatusCode::kInvalidArgument,
       .fragment = "requested_days: a collective_ban here runs 365 to 730"},
      {.name = "nothing above the policy maximum",
       .serious = true,
       .requested_days = 731,
       .code = absl::StatusCode::kInvalidArgument,
       .fragment = "requested_days: 1 to 730 days (the policy maximum)"},
      {.name = "a negative duration is refused",
       .requested_days = -5,
       .code = absl::StatusCode::kInvalidArgument,
       .fragment = "requested_days"},
      {.name = "a plain ban runs exactly a year",
       .offence_day = 10,
       .requested_days = 500,
       .cards = {Card(W, 0, 365)},
       .code = absl::StatusCode::kInvalidArgument,
       .fragment = "runs exactly 365 days"},
      {.name = "a shorter warning may be asked for",
       .requested_days = 90,
       .kind = W,
       .days = 90},
      {.name = "an active collective ban is not doubled",
       .offence_day = 100,
       .cards = {Card(B, 50, 365)},
       .code = absl::StatusCode::kFailedPrecondition,
       .fragment = "already has a collective ban in this area until"},
      {.name = "after an expired ban the next one is a repeat ban",
       .offence_day = 800,
       .cards = {Card(W, 0, 365), Card(B, 100, 365)},
       .kind = B,
       .days = 730},
      {.name = "a revoked ban is no repeat",
       .offence_day = 800,
       .cards = {Card(B, 100, 365, /*revoked=*/true)},
       .kind = W,
       .days = 365},
      {.name = "an individual ban does not escalate to a collective ban",
       .offence_day = 10,
       .cards = {Card(I, 0, 365)},
       .kind = W,
       .days = 365},
      {.name = "individual ban for the issuing shop",
       .scope = CardScope::kIndividual,
       .kind = I,
       .days = 365},
      {.name = "individual ban next to an active warning",
       .scope = CardScope::kIndividual,
       .offence_day = 10,
       .cards = {Card(W, 0, 365)},
       .kind = I,
       .days = 365},
      {.name = "a second individual ban for the same shop is refused",
       .scope = CardScope::kIndividual,
       .offence_day = 10,
       .cards = {Card(I, 0, 365)},
       .code = absl::StatusCode::kFailedPrecondition,
       .fragment = "individual ban for this shop until"},
      {.name = "another shop's individual ban does not block",
       .scope = CardScope::kIndividual,
       .offence_day = 10,
       .cards = {Card(I, 0, 365, false, /*shop=*/7)},
       .kind = I,
       .days = 365},
      {.name = "individual ban longer than a year is refused",
       .scope = CardScope::kIndividual,
       .requested_days = 366,
       .code = absl::StatusCode::kInvalidArgument,
       .fragment = "individual_ban here runs 1 to 365"},
      {.name = "below the minimum age no card",
       .dob = absl::CivilDay(2015, 1, 1),
       .code = absl::StatusCode::kFailedPrecondition,
       .fragment = "below 12"},
      {.name = "a minor gets a card, flagged",
       .dob = absl::CivilDay(2011, 1, 1),
       .kind = W,
       .days = 365},
  };
  return *cases;
}

class CcvRulesTest : public ::testing::TestWithParam<RuleCase> {};

CardRequest RequestFor(const RuleCase& c) {
  CardRequest r;
  r.scope = c.scope;
  r.shop_id = 1;
  r.requested_days = c.requested_days;
  r.offence_at = Day(c.offence_day);
  r.now = Day(c.offence_day) + absl::Hours(1);
  r.serious = c.serious;
  r.date_of_birth = c.dob;
  r.cards = c.cards;
  return r;
}

TEST_P(CcvRulesTest, Decides) {
  const RuleCase& c = GetParam();
  auto d = DecideCard(Ccv(), RequestFor(c));
  if (c.code != absl::StatusCode::kOk) {
    ASSERT_FALSE(d.ok()) << c.name;
    EXPECT_EQ(d.status().code(), c.code) << c.name;
    EXPECT_THAT(d.status().message(), HasSubstr(c.fragment)) << c.name;
    return;
  }
  ASSERT_TRUE(d.ok()) << c.name << ": " << d.status();
  EXPECT_EQ(CardKindName(d->kind), std::string(CardKindName(c.kind)))
      << c.name << " (" << d->rule << ")";
  EXPECT_EQ(d->days, c.days) << c.name;
  EXPECT_EQ(d->valid_until - d->valid_from, absl::Hours(24 * c.days));
  EXPECT_LE(d->days, Ccv().cards().max_card_days());
  EXPECT_FALSE(d->rule.empty());
}

INSTANTIATE_TEST_SUITE_P(Ccv, CcvRulesTest, ::testing::ValuesIn(CcvCases()));

TEST(CardRulesTest, MinorFlagFollowsAgeAtIssue) {
  CardRequest r = RequestFor({.name = "", .dob = absl::CivilDay(2011, 1, 1)});
  auto d = DecideCard(Ccv(), r);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->minor);
  r.date_of_birth = kAdult;
  EXPECT_FALSE(DecideCard(Ccv(), r)->minor);
}

TEST(CardRulesTest, AgeCountsBirthdays) {
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 4, 1, 12, 0, 0),
                                       absl::UTCTimeZone());
  EXPECT_EQ(AgeInYears(absl::CivilDay(2014, 4, 1), t), 12);
  EXPECT_EQ(AgeInYears(absl::CivilDay(2014, 4, 2), t), 11);
  EXPECT_EQ(AgeInYears(absl::CivilDay(2014, 3, 31), t), 12);
}

// Whatever the history and request, no card ever runs past the maximum.
TEST(CardRulesTest, MaximumIsNeverExceeded) {
  for (const auto* policy : {&Ccv(), &Deventer()}) {
    for (bool serious : {false, true}) {
      for (auto scope : {CardScope::kIndividual, CardScope::kCollective}) {
        for (int32_t requested : {0, 1, 365, 366, 730, 731, 5000}) {
          for (const auto& history : std::vector<std::vector<PastCard>>{
                   {}, {Card(W, 0, 365)}, {Card(B, -800, 730)}}) {
            RuleCase c{.name = "",
                       .scope = scope,
                       .serious = serious,
                       .offence_day = 10,
                       .requested_days = requested,
                       .cards = history};
            auto d = DecideCard(*policy, RequestFor(c));
            if (d.ok()) {
              EXPECT_LE(d->days, policy->cards().max_card_days());
              EXPECT_LE(d->valid_until - d->valid_from,
                        absl::Hours(24 * policy->cards().max_card_days()));
            }
          }
        }
      }
    }
  }
}

// One person's offences, each decided on the history the earlier decisions
// made: what kvod does, without the database.
std::vector<std::string> Replay(const kvo::v1::Policy& policy,
                                const std::vector<std::pair<int, bool>>& run) {
  std::vector<std::string> out;
  CardRequest r;
  r.date_of_birth = kAdult;
  r.shop_id = 1;
  for (const auto& [day, serious] : run) {
    r.offence_at = Day(day);
    r.now = Day(day) + absl::Hours(2);
    r.serious = serious;
    auto d = DecideCard(policy, r);
    if (d.ok()) {
      out.push_back(absl::StrCat(CardKindName(d->kind), ":", d->days));
      r.cards.push_back({d->kind, 1, d->valid_from, d->valid_until, false});
    } else {
      out.push_back(absl::StatusCodeToString(d.status().code()));
    }
    r.offences.push_back({Day(day), false});
  }
  return out;
}

TEST(CardRulesTest, TheSameHistoryThroughBothProfiles) {
  using ::testing::ElementsAre;
  // Theft, theft 200 days later, theft during the ban.
  const std::vector<std::pair<int, bool>> thefts = {
      {0, false}, {200, false}, {500, false}};
  EXPECT_THAT(Replay(Ccv(), thefts),
              ElementsAre("collective_warning:365", "collective_ban:365",
                          "FAILED_PRECONDITION"));
  EXPECT_THAT(Replay(Deventer(), thefts),
              ElementsAre("collective_warning:365", "collective_ban:365",
                          "FAILED_PRECONDITION"));

  // Violence first: the CCV model bans at once; Deventer gives the yellow
  // card at the first arrest and bans at the second within the year.
  const std::vector<std::pair<int, bool>> violent = {{0, true}, {300, false}};
  EXPECT_THAT(Replay(Ccv(), violent),
              ElementsAre("collective_ban:730", "FAILED_PRECONDITION"));
  EXPECT_THAT(Replay(Deventer(), violent),
              ElementsAre("collective_warning:365", "collective_ban:365"));

  // A second arrest within the year after a warning that was cut short
  // (revoked): Deventer counts the arrest, the CCV model only warnings.
  CardRequest r;
  r.date_of_birth = kAdult;
  r.offence_at = Day(120);
  r.now = Day(120);
  r.cards = {Card(W, 0, 365, /*revoked=*/true)};
  r.offences = {{Day(0), /*card_revoked=*/false}};
  EXPECT_EQ(DecideCard(Ccv(), r)->kind, CardKind::kCollectiveWarning);
  EXPECT_EQ(DecideCard(Deventer(), r)->kind, CardKind::kCollectiveBan);
  // ...unless the earlier offence's card was revoked on objection.
  r.offences = {{Day(0), /*card_revoked=*/true}};
  EXPECT_EQ(DecideCard(Deventer(), r)->kind, CardKind::kCollectiveWarning);

  // Two arrests more than a year apart: both profiles warn again.
  const std::vector<std::pair<int, bool>> apart = {{0, false}, {400, false}};
  EXPECT_THAT(Replay(Ccv(), apart),
              ElementsAre("collective_warning:365", "collective_warning:365"));
  EXPECT_THAT(Replay(Deventer(), apart),
              ElementsAre("collective_warning:365", "collective_warning:365"));
}

// Issue 24: an incident that occurred before the first warning was issued,
// decided after it, gave a second "first offence" warning. One warning in
// force at a time: it is refused, naming the warning; the incident stays.
TEST(CardRulesTest, AnOffenceBeforeTheWarningIsNoSecondWarning) {
  for (const kvo::v1::Policy* policy : {&Ccv(), &Deventer()}) {
    CardRequest r;
    r.date_of_birth = kAdult;
    PastCard warning = Card(W, 10, 365);
    warning.card_id = 42;
    r.cards = {warning};
    r.offences = {{Day(9), false}};
    r.offence_at = Day(5);  // before the warning was issued
    r.now = Day(20);
    auto d = DecideCard(*policy, r);
    ASSERT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition)
        << policy->profile();
    EXPECT_THAT(d.status().message(), HasSubstr("(card 42, until"));
    EXPECT_THAT(d.status().message(),
                HasSubstr("happened before that warning was issued"));
    // Once the warning is revoked (its objection upheld), a warning again.
    r.cards[0].revoked = true;
    r.offences = {{Day(9), true}};
    d = DecideCard(*policy, r);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->kind, CardKind::kCollectiveWarning);
    EXPECT_EQ(d->escalated_from, 0);
  }
}

// A ban for an offence during a warning rests on that warning.
TEST(CardRulesTest, ABanNamesTheWarningItEscalates) {
  for (const kvo::v1::Policy* policy : {&Ccv(), &Deventer()}) {
    CardRequest r;
    r.date_of_birth = kAdult;
    PastCard warning = Card(W, 0, 365);
    warning.card_id = 7;
    r.cards = {warning};
    r.offences = {{Day(0), false}};
    r.offence_at = Day(100);
    r.now = Day(101);
    auto d = DecideCard(*policy, r);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->kind, CardKind::kCollectiveBan) << policy->profile();
    EXPECT_EQ(d->escalated_from, 7) << policy->profile();
  }
  // A serious offence without a warning rests on nothing.
  CardRequest r;
  r.date_of_birth = kAdult;
  r.serious = true;
  r.offence_at = Day(0);
  r.now = Day(0);
  auto d = DecideCard(Ccv(), r);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, CardKind::kCollectiveBan);
  EXPECT_EQ(d->escalated_from, 0);
}

// deventer.textproto is a copy of default.textproto but for its profile
// name and cards section; this keeps the copies from drifting (a new RPC's
// access rule, a changed number).
TEST(PolicyProfilesTest, DeventerDiffersFromTheCcvModelOnlyInItsCards) {
  kvo::v1::Policy ccv = Ccv();
  kvo::v1::Policy deventer = Deventer();
  EXPECT_EQ(deventer.profile(), "deventer");
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(
      ccv.cards(), deventer.cards()));
  for (auto* p : {&ccv, &deventer}) {
    p->clear_profile();
    p->clear_cards();
  }
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(ccv, deventer)) << diff;
}

}  // namespace
}  // namespace kvo::registry
