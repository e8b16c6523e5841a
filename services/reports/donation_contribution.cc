#include "services/reports/donation_contribution.h"

#include "services/common/local_time.h"
#include "services/donations/pg_donation_store.h"

namespace kvo::reports {

absl::Status DonationContribution::AddPeriod(pqxx::transaction_base& tx,
                                             int64_t area_id, absl::Time from,
                                             absl::Time to,
                                             PeriodFacts& facts) {
  // [from, to) are the starts of Amsterdam days; the ledger books days.
  const absl::TimeZone& tz = common::Amsterdam();
  const auto totals = donations::PgDonationStore::TotalsOfArea(
      tx, area_id, absl::ToCivilDay(from, tz), absl::ToCivilDay(to, tz) - 1);
  facts.donations = DonationFacts{totals.claimed,     totals.paid,
                                  totals.shop_share,  totals.claims,
                                  totals.paid_claims, totals.shop_share_claims};
  return absl::OkStatus();
}

absl::Status DonationContribution::AddObjectives(pqxx::transaction_base&,
                                                 int64_t, ReductionInputs&) {
  return absl::OkStatus();
}

}  // namespace kvo::reports
