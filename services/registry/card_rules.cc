#include "services/registry/card_rules.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/card_words.h"
#include "services/common/local_time.h"

namespace kvo::registry {
namespace {

using common::Amsterdam;
using kvo::v1::CardPolicy;

absl::Duration Days(int64_t days) { return absl::Hours(24 * days); }

std::string Date(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, Amsterdam());
}

bool InForce(const PastCard& card, absl::Time at) {
  return !card.revoked && card.valid_from <= at && at < card.valid_until;
}

// How long the decided card may run, and how long it runs by default.
struct Range {
  int32_t min_days;
  int32_t max_days;
  int32_t default_days;
};

absl::StatusOr<int32_t> ChooseDays(const CardPolicy& cards, CardKind kind,
                                   const Range& range, int32_t requested) {
  if (requested == 0) return range.default_days;
  if (requested < 0 || requested > cards.max_card_days()) {
    return absl::InvalidArgumentError(
        absl::StrCat("requested_days: 1 to ", cards.max_card_days(),
                     " days (the policy maximum), got ", requested));
  }
  if (requested < range.min_days || requested > range.max_days) {
    return absl::InvalidArgumentError(
        absl::StrCat("requested_days: a ", CardKindName(kind), " here runs ",
                     range.min_days == range.max_days
                         ? absl::StrCat("exactly ", range.max_days)
                         : absl::StrCat(range.min_days, " to ", range.max_days),
                     " days, got ", requested));
  }
  return requested;
}

// Why an offence becomes a collective ban (empty for a warning), and the
// warning it escalates, if any.
struct BanCause {
  std::string reason;
  int64_t warning_card_id = 0;
};

BanCause BanReason(const kvo::v1::Policy& policy, const CardRequest& r,
                   bool repeat) {
  const CardPolicy& cards = policy.cards();
  const auto warned =
      std::find_if(r.cards.begin(), r.cards.end(), [&](const PastCard& c) {
        return c.kind == CardKind::kCollectiveWarning &&
               InForce(c, r.offence_at) &&
               (cards.escalation_window_days() == 0 ||
                r.offence_at <
                    c.valid_from + Days(cards.escalation_window_days()));
      });
  if (warned != r.cards.end()) {
    return {"offence during an active collective warning", warned->card_id};
  }
  if (cards.escalation() == CardPolicy::ESCALATION_PRIOR_OFFENCE) {
    const int32_t window = cards.escalation_window_days() > 0
                               ? cards.escalation_window_days()
                               : cards.collective_warning_days();
    const bool again = std::any_of(
        r.offences.begin(), r.offences.end(), [&](const PastOffence& o) {
          return !o.card_revoked && o.occurred_at <= r.offence_at &&
                 r.offence_at - o.occurred_at <= Days(window);
        });
    if (again) {
      // The warning in force then, if any, answered the earlier offence:
      // the ban rests on it as well.
      const auto warning =
          std::find_if(r.cards.begin(), r.cards.end(), [&](const PastCard& c) {
            return c.kind == CardKind::kCollectiveWarning &&
                   InForce(c, r.offence_at);
          });
      return {absl::StrCat("second offence within ", window, " days"),
              warning == r.cards.end() ? 0 : warning->card_id};
    }
  }
  if (repeat) return {"repeat: an earlier collective ban in this area"};
  if (r.serious && !cards.serious_offence_starts_with_warning()) {
    return {"serious offence"};
  }
  return {};
}

}  // namespace

const char* CardKindName(CardKind kind) {
  switch (kind) {
    case CardKind::kIndividualBan:
      return "individual_ban";
    case CardKind::kCollectiveWarning:
      return "collective_warning";
    case CardKind::kCollectiveBan:
      return "collective_ban";
  }
  return "";
}

int AgeInYears(absl::CivilDay date_of_birth, absl::Time at) {
  const absl::CivilDay today = absl::ToCivilDay(at, Amsterdam());
  int age = static_cast<int>(today.year() - date_of_birth.year());
  if (today.month() < date_of_birth.month() ||
      (today.month() == date_of_birth.month() &&
       today.day() < date_of_birth.day())) {
    --age;
  }
  return age;
}

absl::CivilDay LastWholeDay(absl::Time valid_until) {
  return common::LastWholeDay(valid_until);
}

absl::StatusOr<CardDecision> DecideCard(const kvo::v1::Policy& policy,
                                        const CardRequest& r) {
  const CardPolicy& cards = policy.cards();
  const int age_then = AgeInYears(r.date_of_birth, r.offence_at);
  if (age_then < policy.persons().minimum_age_years()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the person was ", age_then,
                     " at the time of the offence; no card "
                     "is issued below ",
                     policy.persons().minimum_age_years()));
  }
  CardDecision d;
  d.minor =
      AgeInYears(r.date_of_birth, r.now) < policy.persons().adult_age_years();
  Range range{};
  if (r.scope == CardScope::kIndividual) {
    for (const PastCard& c : r.cards) {
      if (c.kind == CardKind::kIndividualBan && c.shop_id == r.shop_id &&
          InForce(c, r.now)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the person already has an individual ban for this shop until ",
            Date(c.valid_until)));
      }
    }
    d.kind = CardKind::kIndividualBan;
    range = {1, cards.individual_ban_days(), cards.individual_ban_days()};
    d.rule = "individual ban: the issuing shop only";
  } else {
    bool repeat = false;
    for (const PastCard& c : r.cards) {
      if (c.kind != CardKind::kCollectiveBan || c.revoked) continue;
      if (InForce(c, r.now)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the person already has a collective ban in this area until ",
            Date(c.valid_until),
            "; record the incident, or revoke that "
            "ban first"));
      }
      repeat = true;
    }
    const BanCause cause = BanReason(policy, r, repeat);
    const std::string& reason = cause.reason;
    if (reason.empty()) {
      // At most one warning in force per person and area. An offence that
      // does not escalate the warning in force (it happened before the
      // warning was issued, or past the escalation window) is part of what
      // that warning answers: the CCV model escalates only a new offence
      // during a warning. The incident stays recorded (statistics, the
      // Deventer count of offences); no second warning is issued.
      for (const PastCard& c : r.cards) {
        if (c.kind != CardKind::kCollectiveWarning || !InForce(c, r.now)) {
          continue;
        }
        return absl::FailedPreconditionError(absl::StrCat(
            "the person already has a collective warning in this area (card ",
            c.card_id, ", until ", Date(c.valid_until), "); this offence (",
            Date(r.offence_at), ") ",
            r.offence_at < c.valid_from
                ? "happened before that warning was issued"
                : "is past its escalation window",
            ", so it is no new offence during the warning: at most one "
            "warning at a time, the incident stays recorded"));
      }
      d.kind = CardKind::kCollectiveWarning;
      range = {1, cards.collective_warning_days(),
               cards.collective_warning_days()};
      d.rule = "first offence: collective warning";
    } else {
      d.kind = CardKind::kCollectiveBan;
      const bool longer = r.serious || repeat;
      const int32_t max =
          longer ? cards.serious_ban_days() : cards.collective_ban_days();
      range = {cards.collective_ban_days(), max, max};
      d.escalated_from = cause.warning_card_id;
      d.rule = absl::StrCat("collective ban: ", reason,
                            longer ? " (serious or repeat: up to " : " (", max,
                            " days)");
    }
  }
  auto days = ChooseDays(cards, d.kind, range, r.requested_days);
  if (!days.ok()) return days.status();
  d.days = *days;
  d.valid_from = r.now;
  d.valid_until = r.now + Days(d.days);
  return d;
}

}  // namespace kvo::registry
