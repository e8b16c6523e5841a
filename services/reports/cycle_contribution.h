#ifndef KVO_SERVICES_REPORTS_CYCLE_CONTRIBUTION_H_
#define KVO_SERVICES_REPORTS_CYCLE_CONTRIBUTION_H_

#include "services/reports/reduction_reports.h"

namespace kvo::reports {

// The KVO cycle's part of a reduction report, read through the cycle's
// store (the reports module is above the cycle, which knows nothing of
// reports):
// - the police's and the fire brigade's figures per category of the
//   months that begin within the period (figures are monthly; a month that
//   starts before the period is left out), each source apart;
// - the survey of the area's latest measurement whose period lies within
//   the report's period (none: the report says the measurement is
//   missing);
// - the plan's objectives that name a metric (those without one cannot be
//   judged and are left out), and Dutch labels of the police categories.
// Reads only; stateless and thread-safe.
class CycleContribution final : public ReductionContributor {
 public:
  absl::Status AddPeriod(pqxx::transaction_base& tx, int64_t area_id,
                         absl::Time from, absl::Time to,
                         PeriodFacts& facts) override;
  absl::Status AddObjectives(pqxx::transaction_base& tx, int64_t area_id,
                             ReductionInputs& in) override;
};

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_CYCLE_CONTRIBUTION_H_
