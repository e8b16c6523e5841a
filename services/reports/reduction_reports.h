#ifndef KVO_SERVICES_REPORTS_REDUCTION_REPORTS_H_
#define KVO_SERVICES_REPORTS_REDUCTION_REPORTS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/reports.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/pg_registry_store.h"
#include "services/reports/across_report.h"
#include "services/reports/reduction_report.h"
#include "services/reports/reduction_requests.h"

namespace kvo::reports {

// What a module other than the registry adds to a reduction report: the
// KVO cycle its survey, police figures and the plan's objectives, the
// donations module its totals. The reports module owns this interface;
// those modules implement it and kvod wires what exists (a report without
// them says what is missing). Implementations read in `tx` only, never
// write, and are thread-safe.
class ReductionContributor {
 public:
  virtual ~ReductionContributor() = default;
  // Adds what the module knows of `area_id` over [from, to) to `facts`.
  virtual absl::Status AddPeriod(pqxx::transaction_base& tx, int64_t area_id,
                                 absl::Time from, absl::Time to,
                                 PeriodFacts& facts) = 0;
  // Adds the area's objectives (and labels of the module's categories).
  virtual absl::Status AddObjectives(pqxx::transaction_base& tx,
                                     int64_t area_id, ReductionInputs& in) = 0;
};

// The use case behind ReportService.ReductionReport: the registry's counts
// of both periods and the contributors' facts in one read, the pure report,
// an audit entry (who read which area's report). Thread-safe.
class ReductionReports {
 public:
  ReductionReports(const kvo::v1::Policy& policy, common::DbPool& pool,
                   identity::RpcGuard& guard, const common::Clock& clock,
                   std::vector<ReductionContributor*> contributors)
      : policy_(policy),
        pool_(pool),
        guard_(guard),
        clock_(clock),
        contributors_(std::move(contributors)) {}

  // NOT_FOUND for an unknown area; UNAVAILABLE when the database is.
  absl::StatusOr<kvo::v1::ReductionReportResponse> Build(
      const identity::Call& call, const kvo::v1::ReductionReportRequest& r,
      const ReductionPeriods& periods);

  // ReportService.ReductionAcross: the areas of the municipality (or the
  // list), checked against the caller's areas in the same transaction (a
  // coordinator needs every one; the refusal is on record), the registry's
  // counts of all of them in one statement per period, the contributors'
  // per area, the pure report across them, an audit entry.
  // FAILED_PRECONDITION for a municipality without areas, NOT_FOUND for an
  // unknown area id, PERMISSION_DENIED for an area not the caller's.
  absl::StatusOr<kvo::v1::ReductionAcrossResponse> BuildAcross(
      const identity::Call& call, const kvo::v1::ReductionAcrossRequest& r,
      const ReductionPeriods& periods);

 private:
  // The inputs without facts: periods, threshold, labels.
  ReductionInputs Skeleton(const ReductionPeriods& periods) const;
  // The contributors' facts of both periods of `in`.
  absl::Status AddContributions(pqxx::transaction_base& tx, int64_t area_id,
                                ReductionInputs& in);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const common::Clock& clock_;
  const std::vector<ReductionContributor*> contributors_;
};

// The registry's counts of a period as the report's facts. Pure.
void AddRegistryFacts(const registry::AreaFacts& f, PeriodFacts& out);

// The report as the API carries it (figures as printed, hidden counts as
// "< 5"). Pure.
kvo::v1::ReductionReportResponse ToProto(const ReductionReport& report);
kvo::v1::ReductionAcrossResponse ToProto(const AcrossReport& report);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REDUCTION_REPORTS_H_
