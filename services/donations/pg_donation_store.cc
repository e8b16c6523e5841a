#include "services/donations/pg_donation_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/db_pool.h"

namespace kvo::donations {
namespace {

constexpr char kInsertCaseSql[] =
    "INSERT INTO donation_cases (incident_id, area_id, shop_id, created_by) "
    "VALUES ($1, $2, $3, NULLIF($4::bigint, 0)) "
    "ON CONFLICT (incident_id) DO NOTHING RETURNING id";
constexpr char kCaseByIdSql[] =
    "SELECT id, incident_id, area_id, shop_id FROM donation_cases "
    "WHERE id = $1";
constexpr char kNextClaimIdSql[] =
    "SELECT nextval(pg_get_serial_sequence('donation_claims', 'id'))";
constexpr char kInsertClaimSql[] =
    "INSERT INTO donation_claims (id, case_id, person_id, area_id, shop_id, "
    "payment_reference, state, amount_cents, admin_fee_cents, created_on, "
    "due_on) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10::date, $11::date)";
// Instalments as "YYYY-MM-DD:cents,..." in due order.
constexpr char kClaimColumns[] =
    "SELECT c.id, c.case_id, COALESCE(c.person_id, 0), c.area_id, c.shop_id, "
    "c.payment_reference, c.state, c.amount_cents, c.admin_fee_cents, "
    "c.paid_cents, c.refunded_cents, c.cancelled_cents, c.created_on::text, "
    "c.due_on::text, c.reminders, c.waive_reason, c.dismiss_reason, "
    "c.refund_due_on::text, c.settled_on::text, "
    "(SELECT string_agg(i.due_on::text || ':' || i.amount_cents, ',' "
    "ORDER BY i.seq) FROM donation_instalments i WHERE i.claim_id = c.id) "
    "FROM donation_claims c ";
constexpr char kUpdateClaimSql[] =
    "UPDATE donation_claims SET state = $2, paid_cents = $3, "
    "refunded_cents = $4, cancelled_cents = $5, due_on = $6::date, "
    "reminders = $7, waive_reason = $8, dismiss_reason = $9, "
    "refund_due_on = NULLIF($10, '')::date, settled_on = NULLIF($11, '')::date "
    "WHERE id = $1";
constexpr char kDeleteInstalmentsSql[] =
    "DELETE FROM donation_instalments WHERE claim_id = $1";
constexpr char kInsertInstalmentSql[] =
    "INSERT INTO donation_instalments (claim_id, seq, due_on, amount_cents) "
    "VALUES ($1, $2, $3::date, $4)";
constexpr char kInsertLedgerSql[] =
    "INSERT INTO donation_ledger (claim_id, kind, amount_cents, booked_on, "
    "payment_id) VALUES ($1, $2, $3, $4::date, NULLIF($5::bigint, 0))";
constexpr char kLedgerSql[] =
    "SELECT kind, amount_cents, booked_on::text FROM donation_ledger "
    "WHERE claim_id = $1 ORDER BY id";
constexpr char kPaymentColumns[] =
    "SELECT id, claim_id, idempotency_key, COALESCE(provider_event_id, ''), "
    "amount_cents, currency, state_after, balance_after, "
    "array_to_string(lapsed_claim_ids, ','), COALESCE(recorded_by, 0) "
    "FROM donation_payments ";
constexpr char kInsertPaymentSql[] =
    "INSERT INTO donation_payments (claim_id, idempotency_key, "
    "provider_event_id, amount_cents, currency, state_after, balance_after, "
    "recorded_by) VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, "
    "NULLIF($8::bigint, 0)) ON CONFLICT DO NOTHING RETURNING id";
constexpr char kSetLapsesSql[] =
    "UPDATE donation_payments SET lapsed_claim_ids = $2::bigint[] "
    "WHERE id = $1";
// The claims made in [from, to], per shop, and what became of each claimed
// cent by `to`: kept (paid less what went or goes back), outstanding,
// refund due, refunded, or cancelled unpaid (waived or dismissed, lapsed).
// Money paid and then cancelled is counted once, where it went (refund due
// or refunded), not also as cancelled: a cancellation (lapse or dismissal;
// a claim has at most one) takes back first what was paid. So per claim
// claimed = kept + outstanding + refund_due + refunded + waived + lapsed.
constexpr char kReportSql[] =
    "WITH claims AS (SELECT id, shop_id FROM donation_claims "
    "WHERE area_id = $1 AND created_on BETWEEN $2::date AND $3::date), "
    "per_claim AS (SELECT c.shop_id, "
    "COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = 'claimed'), 0) AS "
    "claimed, "
    "COALESCE(-sum(l.amount_cents) FILTER (WHERE l.kind = 'paid'), 0) AS paid, "
    "COALESCE(-sum(l.amount_cents) FILTER (WHERE l.kind IN ('waived', "
    "'dismissed')), 0) AS waived, "
    "COALESCE(-sum(l.amount_cents) FILTER (WHERE l.kind = 'lapsed'), 0) AS "
    "lapsed, "
    "COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = 'refunded'), 0) AS "
    "refunded, "
    "COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind NOT IN ('fee', "
    "'shop_share')), 0) AS balance, "
    "COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = 'fee'), 0) AS fee, "
    "COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = 'shop_share'), 0) "
    "AS shop_share FROM claims c LEFT JOIN donation_ledger l "
    "ON l.claim_id = c.id AND l.booked_on <= $3::date "
    "GROUP BY c.shop_id, c.id), "
    "returned AS (SELECT *, refunded + GREATEST(-balance, 0) AS back "
    "FROM per_claim) "
    "SELECT shop_id, count(*), sum(claimed)::bigint, "
    "sum(paid - back)::bigint, "
    "sum(waived - (back - LEAST(lapsed, back)))::bigint, "
    "sum(lapsed - LEAST(lapsed, back))::bigint, sum(refunded)::bigint, "
    "sum(fee)::bigint, sum(shop_share)::bigint, "
    "sum(GREATEST(balance, 0))::bigint, sum(GREATEST(-balance, 0))::bigint "
    "FROM returned GROUP BY shop_id ORDER BY shop_id";
constexpr char kAreaTotalsSql[] =
    "SELECT COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = 'claimed'), "
    "0), COALESCE(-sum(l.amount_cents) FILTER (WHERE l.kind IN ('paid', "
    "'refunded')), 0), COALESCE(sum(l.amount_cents) FILTER (WHERE l.kind = "
    "'shop_share'), 0), count(DISTINCT l.claim_id) FILTER (WHERE l.kind = "
    "'claimed'), count(DISTINCT l.claim_id) FILTER (WHERE l.kind IN ('paid', "
    "'refunded')), count(DISTINCT l.claim_id) FILTER (WHERE l.kind = "
    "'shop_share') FROM donation_ledger l JOIN donation_claims c ON c.id "
    "= l.claim_id WHERE c.area_id = $1 AND l.booked_on BETWEEN $2::date AND "
    "$3::date";
constexpr char kLinksDueSql[] =
    "SELECT id, person_id FROM donation_claims WHERE person_id IS NOT NULL "
    "AND ((settled_on IS NOT NULL AND settled_on + $2::int <= $1::date) "
    "OR created_on + $3::int <= $1::date) ORDER BY id";
constexpr char kLinkedSql[] =
    "SELECT EXISTS (SELECT 1 FROM donation_claims WHERE person_id = $1)";
constexpr char kUnlinkSql[] =
    "UPDATE donation_claims SET person_id = NULL, unlinked_at = $2 "
    "WHERE id = ANY($1::bigint[])";
constexpr char kNextLinkDueSql[] =
    "SELECT min(LEAST(COALESCE(settled_on + $1::int, 'infinity'::date), "
    "created_on + $2::int))::text FROM donation_claims "
    "WHERE person_id IS NOT NULL";

absl::CivilDay Day(const std::string& text) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return day;
}

std::optional<absl::CivilDay> OptionalDay(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return Day(f.as<std::string>());
}

std::string DayText(const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? absl::FormatCivilTime(*day) : "";
}

ClaimRow ClaimFrom(const pqxx::row& r) {
  ClaimRow out;
  out.id = r[0].as<int64_t>();
  out.case_id = r[1].as<int64_t>();
  out.person_id = r[2].as<int64_t>();
  out.area_id = r[3].as<int64_t>();
  out.shop_id = r[4].as<int64_t>();
  out.payment_reference = r[5].as<std::string>();
  Claim& c = out.claim;
  c.state = ParseState(r[6].as<std::string>()).value_or(ClaimState::kOpen);
  c.amount_cents = r[7].as<int64_t>();
  c.admin_fee_cents = r[8].as<int64_t>();
  c.paid_cents = r[9].as<int64_t>();
  c.refunded_cents = r[10].as<int64_t>();
  c.cancelled_cents = r[11].as<int64_t>();
  c.created_on = Day(r[12].as<std::string>());
  c.due_on = Day(r[13].as<std::string>());
  c.reminders = r[14].as<int>();
  c.waive_reason = r[15].as<std::string>();
  out.dismiss_reason = r[16].as<std::string>();
  c.refund_due_on = OptionalDay(r[17]);
  c.settled_on = OptionalDay(r[18]);
  if (!r[19].is_null()) {
    for (absl::string_view part :
         absl::StrSplit(r[19].as<std::string>(), ',')) {
      std::pair<std::string, std::string> kv = absl::StrSplit(part, ':');
      Instalment in;
      in.due_on = Day(kv.first);
      absl::SimpleAtoi(kv.second, &in.amount_cents);
      c.instalments.push_back(in);
    }
  }
  return out;
}

std::vector<ClaimRow> Claims(const pqxx::result& res) {
  std::vector<ClaimRow> out;
  for (const auto& r : res) out.push_back(ClaimFrom(r));
  return out;
}

std::optional<ClaimRow> OneClaim(const pqxx::result& res) {
  if (res.empty()) return std::nullopt;
  return ClaimFrom(res[0]);
}

std::optional<PaymentRow> OnePayment(const pqxx::result& res) {
  if (res.empty()) return std::nullopt;
  const pqxx::row r = res[0];
  PaymentRow out;
  out.id = r[0].as<int64_t>();
  out.claim_id = r[1].as<int64_t>();
  out.idempotency_key = r[2].as<std::string>();
  out.provider_event_id = r[3].as<std::string>();
  out.amount_cents = r[4].as<int64_t>();
  out.currency = r[5].as<std::string>();
  out.state_after = r[6].as<std::string>();
  out.balance_after = r[7].as<int64_t>();
  const std::string lapsed = r[8].as<std::string>();
  for (absl::string_view id : absl::StrSplit(lapsed, ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (absl::SimpleAtoi(id, &v)) out.lapsed_claim_ids.push_back(v);
  }
  out.recorded_by = r[9].as<int64_t>();
  return out;
}

const char* Lock(bool lock) { return lock ? " FOR UPDATE OF c" : ""; }

}  // namespace

std::optional<int64_t> PgDonationStore::InsertCase(Tx& tx, const CaseRow& row,
                                                   int64_t created_by) {
  auto res = tx.exec_params(kInsertCaseSql, row.incident_id, row.area_id,
                            row.shop_id, created_by);
  if (res.empty()) return std::nullopt;
  return res[0][0].as<int64_t>();
}

std::optional<CaseRow> PgDonationStore::CaseById(Tx& tx, int64_t id) {
  auto res = tx.exec_params(kCaseByIdSql, id);
  if (res.empty()) return std::nullopt;
  return CaseRow{res[0][0].as<int64_t>(), res[0][1].as<int64_t>(),
                 res[0][2].as<int64_t>(), res[0][3].as<int64_t>()};
}

int64_t PgDonationStore::NextClaimId(Tx& tx) {
  return tx.exec1(kNextClaimIdSql)[0].as<int64_t>();
}

void PgDonationStore::InsertClaim(Tx& tx, const ClaimRow& row) {
  tx.exec_params0(kInsertClaimSql, row.id, row.case_id, row.person_id,
                  row.area_id, row.shop_id, row.payment_reference,
                  std::string(StateName(row.claim.state)),
                  row.claim.amount_cents, row.claim.admin_fee_cents,
                  absl::FormatCivilTime(row.claim.created_on),
                  absl::FormatCivilTime(row.claim.due_on));
}

std::optional<ClaimRow> PgDonationStore::ClaimById(Tx& tx, int64_t id,
                                                   bool lock) {
  return OneClaim(tx.exec_params(
      absl::StrCat(kClaimColumns, "WHERE c.id = $1", Lock(lock)), id));
}

std::optional<ClaimRow> PgDonationStore::ClaimByReference(
    Tx& tx, const std::string& reference, bool lock) {
  return OneClaim(tx.exec_params(
      absl::StrCat(kClaimColumns, "WHERE c.payment_reference = $1", Lock(lock)),
      reference));
}

std::vector<ClaimRow> PgDonationStore::ClaimsOfCase(Tx& tx, int64_t case_id,
                                                    bool lock) {
  return Claims(tx.exec_params(
      absl::StrCat(kClaimColumns, "WHERE c.case_id = $1 ORDER BY c.id",
                   Lock(lock)),
      case_id));
}

std::optional<ClaimRow> PgDonationStore::ClaimOfIncident(Tx& tx,
                                                         int64_t incident_id,
                                                         int64_t person_id) {
  return OneClaim(tx.exec_params(
      absl::StrCat(kClaimColumns,
                   "JOIN donation_cases k ON k.id = c.case_id "
                   "WHERE k.incident_id = $1 AND c.person_id = $2"),
      incident_id, person_id));
}

std::vector<ClaimRow> PgDonationStore::ClaimsOfArea(Tx& tx, int64_t area_id,
                                                    const std::string& state) {
  return Claims(tx.exec_params(
      absl::StrCat(kClaimColumns,
                   "WHERE c.area_id = $1 AND ($2 = '' OR c.state = $2) "
                   "ORDER BY c.id"),
      area_id, state));
}

void PgDonationStore::UpdateClaim(Tx& tx, int64_t id, const Claim& c,
                                  const std::string& dismiss_reason) {
  tx.exec_params0(kUpdateClaimSql, id, std::string(StateName(c.state)),
                  c.paid_cents, c.refunded_cents, c.cancelled_cents,
                  absl::FormatCivilTime(c.due_on), c.reminders, c.waive_reason,
                  dismiss_reason, DayText(c.refund_due_on),
                  DayText(c.settled_on));
  tx.exec_params0(kDeleteInstalmentsSql, id);
  for (size_t i = 0; i < c.instalments.size(); ++i) {
    tx.exec_params0(kInsertInstalmentSql, id, static_cast<int>(i + 1),
                    absl::FormatCivilTime(c.instalments[i].due_on),
                    c.instalments[i].amount_cents);
  }
}

void PgDonationStore::AppendLedger(Tx& tx, int64_t claim_id,
                                   const std::vector<LedgerEntry>& entries,
                                   absl::CivilDay day, int64_t payment_id) {
  for (const LedgerEntry& e : entries) {
    common::ExecPrepared(tx, kInsertLedgerSql, claim_id,
                         std::string(EntryKindName(e.kind)), e.amount_cents,
                         absl::FormatCivilTime(day), payment_id);
  }
}

std::vector<LedgerRow> PgDonationStore::Ledger(Tx& tx, int64_t claim_id) {
  std::vector<LedgerRow> out;
  for (const auto& r : tx.exec_params(kLedgerSql, claim_id)) {
    out.push_back(
        {ParseEntryKind(r[0].as<std::string>()).value_or(EntryKind::kClaimed),
         r[1].as<int64_t>(), Day(r[2].as<std::string>())});
  }
  return out;
}

std::optional<PaymentRow> PgDonationStore::PaymentByKey(
    Tx& tx, const std::string& key) {
  return OnePayment(tx.exec_params(
      absl::StrCat(kPaymentColumns, "WHERE idempotency_key = $1"), key));
}

std::optional<PaymentRow> PgDonationStore::PaymentByEvent(
    Tx& tx, const std::string& event_id) {
  return OnePayment(tx.exec_params(
      absl::StrCat(kPaymentColumns, "WHERE provider_event_id = $1"), event_id));
}

std::optional<int64_t> PgDonationStore::InsertPayment(Tx& tx,
                                                      const PaymentRow& row) {
  auto res =
      tx.exec_params(kInsertPaymentSql, row.claim_id, row.idempotency_key,
                     row.provider_event_id, row.amount_cents, row.currency,
                     row.state_after, row.balance_after, row.recorded_by);
  if (res.empty()) return std::nullopt;
  return res[0][0].as<int64_t>();
}

void PgDonationStore::SetPaymentLapses(Tx& tx, int64_t payment_id,
                                       const std::vector<int64_t>& claim_ids) {
  tx.exec_params0(kSetLapsesSql, payment_id, common::SqlArray(claim_ids));
}

std::vector<ReportRow> PgDonationStore::Report(Tx& tx, int64_t area_id,
                                               absl::CivilDay from,
                                               absl::CivilDay to) {
  std::vector<ReportRow> out;
  for (const auto& r :
       tx.exec_params(kReportSql, area_id, absl::FormatCivilTime(from),
                      absl::FormatCivilTime(to))) {
    ReportRow row;
    row.shop_id = r[0].as<int64_t>();
    row.claims = r[1].as<int64_t>();
    row.claimed = r[2].as<int64_t>();
    row.paid = r[3].as<int64_t>();
    row.waived = r[4].as<int64_t>();
    row.lapsed = r[5].as<int64_t>();
    row.refunded = r[6].as<int64_t>();
    row.fee = r[7].as<int64_t>();
    row.shop_share = r[8].as<int64_t>();
    row.outstanding = r[9].as<int64_t>();
    row.refund_due = r[10].as<int64_t>();
    out.push_back(row);
  }
  return out;
}

AreaTotals PgDonationStore::TotalsOfArea(Tx& tx, int64_t area_id,
                                         absl::CivilDay from,
                                         absl::CivilDay to) {
  const auto r =
      tx.exec_params1(kAreaTotalsSql, area_id, absl::FormatCivilTime(from),
                      absl::FormatCivilTime(to));
  return {r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<int64_t>(),
          r[3].as<int64_t>(), r[4].as<int64_t>(), r[5].as<int64_t>()};
}

std::vector<std::pair<int64_t, int64_t>> PgDonationStore::LinksDue(
    Tx& tx, absl::CivilDay today, int after_settled_days, int max_days) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& r :
       tx.exec_params(kLinksDueSql, absl::FormatCivilTime(today),
                      after_settled_days, max_days)) {
    out.emplace_back(r[0].as<int64_t>(), r[1].as<int64_t>());
  }
  return out;
}

bool PgDonationStore::LinkedToPerson(Tx& tx, int64_t person_id) {
  return tx.exec_params1(kLinkedSql, person_id)[0].as<bool>();
}

void PgDonationStore::Unlink(Tx& tx, const std::vector<int64_t>& claim_ids,
                             absl::Time now) {
  tx.exec_params0(
      kUnlinkSql, common::SqlArray(claim_ids),
      absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", now, absl::UTCTimeZone()));
}

std::optional<absl::CivilDay> PgDonationStore::NextLinkDue(
    Tx& tx, int after_settled_days, int max_days) {
  auto r = tx.exec_params1(kNextLinkDueSql, after_settled_days, max_days);
  return OptionalDay(r[0]);
}

}  // namespace kvo::donations
