#ifndef KVO_SERVICES_DONATIONS_CLAIM_RULES_H_
#define KVO_SERVICES_DONATIONS_CLAIM_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::donations {

// The rules of a nuisance-donation claim (overlastdonatie), without I/O:
// every transition takes a claim and returns the claim after it with the
// ledger entries it books, or the refusal (INVALID_ARGUMENT for bad input,
// FAILED_PRECONDITION for a step the claim's state does not allow, each
// naming the CLI flag or the state). The store only records what these
// return. Money is integer euro cents. Pure; thread-safe.
//
// States: open -> partially_paid -> paid; an instalment plan keeps a claim
// open or partially paid with due dates of its own; waived (with a reason);
// lapsed (another person's claim of the same case was paid); refund_due
// (dismissal or acquittal, or a lapse, after money came in) -> refunded;
// in_collection after reminders_before_collection reminders went
// unanswered (payments are still taken there).
enum class ClaimState {
  kOpen,
  kPartiallyPaid,
  kPaid,
  kWaived,
  kLapsed,
  kRefundDue,
  kRefunded,
  kInCollection,
};
absl::string_view StateName(ClaimState state);
std::optional<ClaimState> ParseState(absl::string_view name);

// The ledger. The balance kinds sum to what the person owes (negative:
// what is owed to them): claimed (+amount), paid (-), refunded (+),
// waived, lapsed and dismissed (- what they cancel). fee and shop_share
// split the money that came in (net of refunds) between the administration
// fee and the shop, in proportion to the claim's amount.
enum class EntryKind {
  kClaimed,
  kPaid,
  kRefunded,
  kWaived,
  kLapsed,
  kDismissed,
  kFee,
  kShopShare,
};
absl::string_view EntryKindName(EntryKind kind);
std::optional<EntryKind> ParseEntryKind(absl::string_view name);
// Whether the kind counts towards the person's balance (not fee/shop_share).
bool OnBalance(EntryKind kind);

struct LedgerEntry {
  EntryKind kind = EntryKind::kClaimed;
  int64_t amount_cents = 0;  // signed
};

struct Instalment {
  absl::CivilDay due_on;
  int64_t amount_cents = 0;
};

// The numbers of policy donations { ... } a claim follows.
struct DonationTerms {
  int64_t amount_cents = 0;
  int64_t admin_fee_cents = 0;
  int payment_term_days = 0;
  int refund_term_days = 0;
  int max_instalments = 0;
  int reminders_before_collection = 0;
};
DonationTerms TermsFromPolicy(const kvo::v1::DonationPolicy& policy);

struct Claim {
  ClaimState state = ClaimState::kOpen;
  int64_t amount_cents = 0;
  int64_t admin_fee_cents = 0;
  int64_t paid_cents = 0;
  int64_t refunded_cents = 0;
  // What waiving, a lapse or a dismissal took off the amount.
  int64_t cancelled_cents = 0;
  absl::CivilDay created_on;
  // Pay by (the creation's term, or the latest reminder's).
  absl::CivilDay due_on;
  int reminders = 0;
  std::vector<Instalment> instalments;  // by due date; empty: no plan
  std::string waive_reason;
  std::optional<absl::CivilDay> refund_due_on;
  // When the claim reached paid, waived, lapsed or refunded.
  std::optional<absl::CivilDay> settled_on;

  // What the person owes (negative: what is owed to them).
  int64_t Balance() const {
    return amount_cents - paid_cents - cancelled_cents + refunded_cents;
  }
  int64_t NetPaid() const { return paid_cents - refunded_cents; }
  // The split of NetPaid: the administration fee's part and the shop's.
  int64_t FeeShare() const;
  int64_t ShopShare() const { return NetPaid() - FeeShare(); }
};

// A transition's result: the claim after it and what it books.
struct Step {
  Claim claim;
  std::vector<LedgerEntry> entries;
};

// The fee's part of `net_cents` received on a claim of `amount_cents` with
// `fee_cents` fee: rounded down, so the shop's part gets the odd cent and a
// claim paid in full splits exactly into fee and shop share.
int64_t FeePart(int64_t net_cents, int64_t amount_cents, int64_t fee_cents);

// A new claim created `today`: open, due after payment_term_days.
Step NewClaim(const DonationTerms& terms, absl::CivilDay today);

// A payment of `amount_cents`: INVALID_ARGUMENT unless more than 0;
// FAILED_PRECONDITION for more than is outstanding (overpayment) or a
// claim that takes no payments (paid, waived, lapsed, refund due,
// refunded).
absl::StatusOr<Step> Pay(const Claim& claim, int64_t amount_cents,
                         absl::CivilDay today);

// Replaces the plan: 1 to max_instalments instalments, each more than 0,
// due dates from today on and strictly increasing, adding up to what is
// outstanding (INVALID_ARGUMENT naming --instalment otherwise). Open or
// partially paid claims only. Resets the reminders.
absl::StatusOr<Step> PlanInstalments(const Claim& claim,
                                     std::vector<Instalment> instalments,
                                     const DonationTerms& terms,
                                     absl::CivilDay today);

// Forgives what is outstanding; `reason` required (1 to 500 characters).
absl::StatusOr<Step> Waive(const Claim& claim, const std::string& reason,
                           absl::CivilDay today);

// Another claim of the case was paid: the claim is cancelled. Without
// money in: lapsed; with some: refund_due within refund_term_days.
absl::StatusOr<Step> Lapse(const Claim& claim, const DonationTerms& terms,
                           absl::CivilDay today);

// Dismissal or acquittal: the claim is cancelled whole. With money in:
// refund_due within refund_term_days; without: waived ("dismissal").
absl::StatusOr<Step> Dismiss(const Claim& claim, const DonationTerms& terms,
                             absl::CivilDay today);

// The refund of what came in was paid out: refunded; the fee and the
// shop's share are taken back.
absl::StatusOr<Step> Refund(const Claim& claim, absl::CivilDay today);

// The date by which the next payment is due: the next unpaid instalment's
// (or a reminder's later term), else due_on. nullopt when nothing is due.
std::optional<absl::CivilDay> Deadline(const Claim& claim);
bool IsOverdue(const Claim& claim, absl::CivilDay today);
bool RefundOverdue(const Claim& claim, absl::CivilDay today);

// An overdue claim gets a reminder with a new term of payment_term_days;
// one overdue after reminders_before_collection reminders goes to
// collection instead. FAILED_PRECONDITION when nothing is overdue.
absl::StatusOr<Step> Remind(const Claim& claim, const DonationTerms& terms,
                            absl::CivilDay today);

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_CLAIM_RULES_H_
