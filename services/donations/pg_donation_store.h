#ifndef KVO_SERVICES_DONATIONS_PG_DONATION_STORE_H_
#define KVO_SERVICES_DONATIONS_PG_DONATION_STORE_H_

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/donations/claim_rules.h"

namespace kvo::donations {

struct CaseRow {
  int64_t id = 0;
  int64_t incident_id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
};

struct ClaimRow {
  int64_t id = 0;
  int64_t case_id = 0;
  int64_t person_id = 0;  // 0 once retention removed the link
  int64_t area_id = 0;
  int64_t shop_id = 0;
  std::string payment_reference;
  std::string dismiss_reason;
  Claim claim;
};

struct PaymentRow {
  int64_t id = 0;
  int64_t claim_id = 0;
  std::string idempotency_key;
  std::string provider_event_id;  // "" for a payment recorded by hand
  int64_t amount_cents = 0;
  std::string currency;
  std::string state_after;
  int64_t balance_after = 0;
  std::vector<int64_t> lapsed_claim_ids;
  int64_t recorded_by = 0;
};

struct LedgerRow {
  EntryKind kind = EntryKind::kClaimed;
  int64_t amount_cents = 0;
  absl::CivilDay booked_on;
};

// One shop's claims made in a period and, in cents, what became of their
// money by the period's end. claimed = paid + outstanding + refund_due +
// refunded + waived + lapsed: each claimed cent in exactly one.
struct ReportRow {
  int64_t shop_id = 0;
  int64_t claims = 0;  // made in the period
  int64_t claimed = 0;
  int64_t paid = 0;        // paid and kept
  int64_t waived = 0;      // waived or dismissed before it was paid
  int64_t lapsed = 0;      // lapsed before it was paid
  int64_t refunded = 0;    // paid, then paid back
  int64_t refund_due = 0;  // paid, cancelled, not yet paid back
  int64_t outstanding = 0;
  int64_t fee = 0;  // of what was paid and is not yet paid back
  int64_t shop_share = 0;
};

// An area's money over a period, booked on its days, in cents: what was
// claimed, what came in (payments less refunds) and the shops' share of it.
// The donations' part of the reduction report (sums only, no claim).
struct AreaTotals {
  int64_t claimed = 0;
  int64_t paid = 0;
  int64_t shop_share = 0;
  // How many claims each sum is made of: a sum of one claim of EUR 181
  // tells the count, so a report hides it as it hides a small count.
  int64_t claims = 0;
  int64_t paid_claims = 0;
  int64_t shop_share_claims = 0;
};

// The only SQL on the donation tables. Every function runs in the
// caller's transaction; libpqxx exceptions pass to the caller's DbPool.
class PgDonationStore final {
 public:
  using Tx = pqxx::transaction_base;

  // nullopt when the incident has a case already.
  static std::optional<int64_t> InsertCase(Tx& tx, const CaseRow& row,
                                           int64_t created_by);
  static std::optional<CaseRow> CaseById(Tx& tx, int64_t id);

  // The next claim id, for its payment reference.
  static int64_t NextClaimId(Tx& tx);
  static void InsertClaim(Tx& tx, const ClaimRow& row);
  // With `lock`: FOR UPDATE (one step on a claim at a time).
  static std::optional<ClaimRow> ClaimById(Tx& tx, int64_t id, bool lock);
  static std::optional<ClaimRow> ClaimByReference(Tx& tx,
                                                  const std::string& reference,
                                                  bool lock);
  // By id; with `lock` in id order, so two payments on one case cannot
  // deadlock.
  static std::vector<ClaimRow> ClaimsOfCase(Tx& tx, int64_t case_id, bool lock);
  // The claim of `person_id` in the case of `incident_id`, if any.
  static std::optional<ClaimRow> ClaimOfIncident(Tx& tx, int64_t incident_id,
                                                 int64_t person_id);
  // "" state: all.
  static std::vector<ClaimRow> ClaimsOfArea(Tx& tx, int64_t area_id,
                                            const std::string& state);
  // Records the claim's new state, money, dates and plan.
  static void UpdateClaim(Tx& tx, int64_t id, const Claim& claim,
                          const std::string& dismiss_reason);

  static void AppendLedger(Tx& tx, int64_t claim_id,
                           const std::vector<LedgerEntry>& entries,
                           absl::CivilDay day, int64_t payment_id);
  static std::vector<LedgerRow> Ledger(Tx& tx, int64_t claim_id);

  static std::optional<PaymentRow> PaymentByKey(Tx& tx, const std::string& key);
  static std::optional<PaymentRow> PaymentByEvent(Tx& tx,
                                                  const std::string& event_id);
  // nullopt when the key or the provider's event id is taken (another
  // transaction may have just committed it: read it again).
  static std::optional<int64_t> InsertPayment(Tx& tx, const PaymentRow& row);
  static void SetPaymentLapses(Tx& tx, int64_t payment_id,
                               const std::vector<int64_t>& claim_ids);

  static std::vector<ReportRow> Report(Tx& tx, int64_t area_id,
                                       absl::CivilDay from, absl::CivilDay to);

  // One aggregate over the ledger of the area's claims booked in
  // [from, to] (both days included).
  static AreaTotals TotalsOfArea(Tx& tx, int64_t area_id, absl::CivilDay from,
                                 absl::CivilDay to);

  // Retention: claims still linked to a person whose link is due at
  // `today` (settled at least `after_settled_days` ago, or created at least
  // `max_days` ago); (claim id, person id).
  static std::vector<std::pair<int64_t, int64_t>> LinksDue(
      Tx& tx, absl::CivilDay today, int after_settled_days, int max_days);
  // Whether a claim is still linked to the person.
  static bool LinkedToPerson(Tx& tx, int64_t person_id);
  static void Unlink(Tx& tx, const std::vector<int64_t>& claim_ids,
                     absl::Time now);
  static std::optional<absl::CivilDay> NextLinkDue(Tx& tx,
                                                   int after_settled_days,
                                                   int max_days);
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_PG_DONATION_STORE_H_
