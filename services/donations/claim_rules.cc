#include "services/donations/claim_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/text.h"

namespace kvo::donations {
namespace {

constexpr std::pair<ClaimState, absl::string_view> kStates[] = {
    {ClaimState::kOpen, "open"},
    {ClaimState::kPartiallyPaid, "partially_paid"},
    {ClaimState::kPaid, "paid"},
    {ClaimState::kWaived, "waived"},
    {ClaimState::kLapsed, "lapsed"},
    {ClaimState::kRefundDue, "refund_due"},
    {ClaimState::kRefunded, "refunded"},
    {ClaimState::kInCollection, "in_collection"},
};

constexpr std::pair<EntryKind, absl::string_view> kKinds[] = {
    {EntryKind::kClaimed, "claimed"},   {EntryKind::kPaid, "paid"},
    {EntryKind::kRefunded, "refunded"}, {EntryKind::kWaived, "waived"},
    {EntryKind::kLapsed, "lapsed"},     {EntryKind::kDismissed, "dismissed"},
    {EntryKind::kFee, "fee"},           {EntryKind::kShopShare, "shop_share"},
};

constexpr size_t kMaxReason = 500;
constexpr int kDefaultRemindersBeforeCollection = 2;

bool TakesPayments(ClaimState s) {
  return s == ClaimState::kOpen || s == ClaimState::kPartiallyPaid ||
         s == ClaimState::kInCollection;
}

absl::Status NotIn(const Claim& claim, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the claim is ", StateName(claim.state), ": ", what, " is not possible"));
}

// Cancels the whole amount; money in goes back within the refund term.
Step CancelWhole(const Claim& claim, EntryKind kind, ClaimState without_money,
                 const DonationTerms& terms, absl::CivilDay today) {
  Step step{claim, {}};
  Claim& c = step.claim;
  const int64_t delta = c.amount_cents - c.cancelled_cents;
  c.cancelled_cents = c.amount_cents;
  c.instalments.clear();
  if (delta != 0) step.entries.push_back({kind, -delta});
  if (c.NetPaid() > 0) {
    c.state = ClaimState::kRefundDue;
    c.refund_due_on = today + terms.refund_term_days;
  } else {
    c.state = without_money;
    c.settled_on = today;
  }
  return step;
}

}  // namespace

absl::string_view StateName(ClaimState state) {
  for (const auto& [s, name] : kStates) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<ClaimState> ParseState(absl::string_view name) {
  for (const auto& [s, n] : kStates) {
    if (n == name) return s;
  }
  return std::nullopt;
}

absl::string_view EntryKindName(EntryKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<EntryKind> ParseEntryKind(absl::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

bool OnBalance(EntryKind kind) {
  return kind != EntryKind::kFee && kind != EntryKind::kShopShare;
}

DonationTerms TermsFromPolicy(const kvo::v1::DonationPolicy& p) {
  DonationTerms t;
  t.amount_cents = p.amount_cents();
  t.admin_fee_cents = p.admin_fee_cents();
  t.payment_term_days = p.payment_term_days();
  t.refund_term_days = p.refund_term_days();
  t.max_instalments = p.max_instalments();
  t.reminders_before_collection = p.reminders_before_collection() > 0
                                      ? p.reminders_before_collection()
                                      : kDefaultRemindersBeforeCollection;
  return t;
}

int64_t FeePart(int64_t net_cents, int64_t amount_cents, int64_t fee_cents) {
  if (amount_cents <= 0 || net_cents <= 0) return 0;
  // 128-bit product: no overflow whatever the policy's numbers.
  return static_cast<int64_t>(static_cast<__int128>(net_cents) * fee_cents /
                              amount_cents);
}

int64_t Claim::FeeShare() const {
  return FeePart(NetPaid(), amount_cents, admin_fee_cents);
}

Step NewClaim(const DonationTerms& terms, absl::CivilDay today) {
  Step step;
  step.claim.amount_cents = terms.amount_cents;
  step.claim.admin_fee_cents = terms.admin_fee_cents;
  step.claim.created_on = today;
  step.claim.due_on = today + terms.payment_term_days;
  step.entries.push_back({EntryKind::kClaimed, terms.amount_cents});
  return step;
}

absl::StatusOr<Step> Pay(const Claim& claim, int64_t amount_cents,
                         absl::CivilDay today) {
  if (amount_cents <= 0) {
    return absl::InvalidArgumentError(
        "amount_cents (--amount): must be more than 0");
  }
  if (!TakesPayments(claim.state)) return NotIn(claim, "a payment");
  if (amount_cents > claim.Balance()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "amount_cents (--amount): overpayment: ", amount_cents,
        " cents paid but only ", claim.Balance(), " cents are outstanding"));
  }
  Step step{claim, {}};
  Claim& c = step.claim;
  const int64_t fee_before = c.FeeShare();
  c.paid_cents += amount_cents;
  const int64_t fee = c.FeeShare() - fee_before;
  step.entries = {{EntryKind::kPaid, -amount_cents},
                  {EntryKind::kFee, fee},
                  {EntryKind::kShopShare, amount_cents - fee}};
  if (c.Balance() == 0) {
    c.state = ClaimState::kPaid;
    c.settled_on = today;
  } else if (c.state == ClaimState::kOpen) {
    c.state = ClaimState::kPartiallyPaid;
  }
  return step;
}

absl::StatusOr<Step> PlanInstalments(const Claim& claim,
                                     std::vector<Instalment> instalments,
                                     const DonationTerms& terms,
                                     absl::CivilDay today) {
  if (instalments.empty()) {
    return absl::InvalidArgumentError(
        "instalments (--instalment DATE:AMOUNT): at least one");
  }
  if (static_cast<int>(instalments.size()) > terms.max_instalments) {
    return absl::InvalidArgumentError(absl::StrCat(
        "instalments (--instalment): at most ", terms.max_instalments,
        " instalments, got ", instalments.size()));
  }
  int64_t sum = 0;
  for (size_t i = 0; i < instalments.size(); ++i) {
    const Instalment& in = instalments[i];
    if (in.amount_cents <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("instalments (--instalment): instalment ", i + 1,
                       ": the amount must be more than 0"));
    }
    if (in.due_on < today) {
      return absl::InvalidArgumentError(absl::StrCat(
          "instalments (--instalment): instalment ", i + 1, ": due date ",
          absl::FormatCivilTime(in.due_on), " is in the past"));
    }
    if (i > 0 && in.due_on <= instalments[i - 1].due_on) {
      return absl::InvalidArgumentError(
          absl::StrCat("instalments (--instalment): instalment ", i + 1,
                       ": due dates must increase"));
    }
    sum += in.amount_cents;
  }
  if (claim.state != ClaimState::kOpen &&
      claim.state != ClaimState::kPartiallyPaid) {
    return NotIn(claim, "an instalment plan");
  }
  if (sum != claim.Balance()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "instalments (--instalment): they add up to ", sum,
        " cents; the outstanding amount is ", claim.Balance(), " cents"));
  }
  Step step{claim, {}};
  step.claim.instalments = std::move(instalments);
  step.claim.reminders = 0;
  step.claim.due_on = step.claim.instalments.back().due_on;
  return step;
}

absl::StatusOr<Step> Waive(const Claim& claim, const std::string& reason,
                           absl::CivilDay today) {
  if (reason.empty()) {
    return absl::InvalidArgumentError(
        "reason (--reason): required; say why the claim is waived");
  }
  if (auto s = common::CheckText("reason (--reason)", reason, 1, kMaxReason);
      !s.ok()) {
    return s;
  }
  if (!TakesPayments(claim.state)) return NotIn(claim, "waiving");
  Step step{claim, {}};
  Claim& c = step.claim;
  const int64_t outstanding = c.Balance();
  c.cancelled_cents += outstanding;
  c.instalments.clear();
  c.waive_reason = reason;
  c.state = ClaimState::kWaived;
  c.settled_on = today;
  if (outstanding != 0)
    step.entries.push_back({EntryKind::kWaived, -outstanding});
  return step;
}

absl::StatusOr<Step> Lapse(const Claim& claim, const DonationTerms& terms,
                           absl::CivilDay today) {
  if (!TakesPayments(claim.state)) return NotIn(claim, "a lapse");
  return CancelWhole(claim, EntryKind::kLapsed, ClaimState::kLapsed, terms,
                     today);
}

absl::StatusOr<Step> Dismiss(const Claim& claim, const DonationTerms& terms,
                             absl::CivilDay today) {
  if (!TakesPayments(claim.state) && claim.state != ClaimState::kPaid) {
    return NotIn(claim, "a dismissal");
  }
  Step step = CancelWhole(claim, EntryKind::kDismissed, ClaimState::kWaived,
                          terms, today);
  if (step.claim.state == ClaimState::kWaived) {
    step.claim.waive_reason = "dismissal or acquittal";
  }
  return step;
}

absl::StatusOr<Step> Refund(const Claim& claim, absl::CivilDay today) {
  if (claim.state != ClaimState::kRefundDue) return NotIn(claim, "a refund");
  Step step{claim, {}};
  Claim& c = step.claim;
  const int64_t net = c.NetPaid();
  const int64_t fee = c.FeeShare();
  c.refunded_cents += net;
  c.state = ClaimState::kRefunded;
  c.settled_on = today;
  step.entries = {{EntryKind::kRefunded, net},
                  {EntryKind::kFee, -fee},
                  {EntryKind::kShopShare, -(net - fee)}};
  return step;
}

std::optional<absl::CivilDay> Deadline(const Claim& claim) {
  if (!TakesPayments(claim.state) || claim.Balance() <= 0) return std::nullopt;
  if (claim.instalments.empty()) return claim.due_on;
  int64_t cumulative = 0;
  absl::CivilDay next = claim.instalments.back().due_on;
  for (const Instalment& in : claim.instalments) {
    cumulative += in.amount_cents;
    if (cumulative > claim.paid_cents) {
      next = in.due_on;
      break;
    }
  }
  return claim.reminders == 0 ? next : std::max(next, claim.due_on);
}

bool IsOverdue(const Claim& claim, absl::CivilDay today) {
  auto deadline = Deadline(claim);
  return deadline.has_value() && today > *deadline;
}

bool RefundOverdue(const Claim& claim, absl::CivilDay today) {
  return claim.state == ClaimState::kRefundDue &&
         claim.refund_due_on.has_value() && today > *claim.refund_due_on;
}

absl::StatusOr<Step> Remind(const Claim& claim, const DonationTerms& terms,
                            absl::CivilDay today) {
  if (claim.state != ClaimState::kOpen &&
      claim.state != ClaimState::kPartiallyPaid) {
    return NotIn(claim, "a reminder");
  }
  if (!IsOverdue(claim, today)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the claim is not overdue: the next payment is due on ",
                     absl::FormatCivilTime(*Deadline(claim))));
  }
  Step step{claim, {}};
  Claim& c = step.claim;
  if (c.reminders >= terms.reminders_before_collection) {
    c.state = ClaimState::kInCollection;
    return step;
  }
  c.reminders += 1;
  c.due_on = today + terms.payment_term_days;
  return step;
}

}  // namespace kvo::donations
