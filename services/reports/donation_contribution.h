#ifndef KVO_SERVICES_REPORTS_DONATION_CONTRIBUTION_H_
#define KVO_SERVICES_REPORTS_DONATION_CONTRIBUTION_H_

#include "services/reports/reduction_reports.h"

namespace kvo::reports {

// The nuisance donations' part of a reduction report: per period what was
// claimed, what came in (payments less refunds) and the shops' share, in
// cents, from the donations store's one aggregate over the ledger. Money
// booked on the days of the period in Europe/Amsterdam. Reads only;
// stateless, so thread-safe.
class DonationContribution final : public ReductionContributor {
 public:
  absl::Status AddPeriod(pqxx::transaction_base& tx, int64_t area_id,
                         absl::Time from, absl::Time to,
                         PeriodFacts& facts) override;
  // Donations have no objectives of their own.
  absl::Status AddObjectives(pqxx::transaction_base& tx, int64_t area_id,
                             ReductionInputs& in) override;
};

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_DONATION_CONTRIBUTION_H_
