#include "services/reports/cycle_contribution.h"

#include <tuple>

#include "services/common/local_time.h"
#include "services/cycle/pg_cycle_store.h"

namespace kvo::reports {

using cycle::PgCycleStore;

absl::Status CycleContribution::AddPeriod(pqxx::transaction_base& tx,
                                          int64_t area_id, absl::Time from,
                                          absl::Time to, PeriodFacts& facts) {
  const absl::TimeZone& tz = common::Amsterdam();
  const absl::CivilDay first = absl::ToCivilDay(from, tz);
  const absl::CivilDay last = absl::ToCivilDay(to, tz) - 1;
  if (last < first) return absl::OkStatus();
  // The months whose first day lies within [first, last].
  const absl::CivilMonth from_month =
      absl::CivilMonth(first) + (first.day() == 1 ? 0 : 1);
  const absl::CivilMonth to_month(last);
  if (from_month <= to_month) {
    for (auto [source, by_category, by_month] :
         {std::tuple{"police", &facts.police_by_category,
                     &facts.police_by_month},
          std::tuple{"fire_brigade", &facts.fire_by_category,
                     &facts.fire_by_month}}) {
      for (const auto& [category, count] : PgCycleStore::FigureTotals(
               tx, area_id, source, from_month, to_month)) {
        (*by_category)[category] += count;
      }
      for (const auto& [month, count] : PgCycleStore::FigureMonthTotals(
               tx, area_id, source, from_month, to_month)) {
        (*by_month)[month] += count;
      }
    }
  }
  if (auto counts =
          PgCycleStore::SurveyCountsWithin(tx, area_id, first, last)) {
    facts.survey = SurveyFacts{counts->responses, counts->feel_safe,
                               counts->victimised, counts->reported};
  }
  return absl::OkStatus();
}

absl::Status CycleContribution::AddObjectives(pqxx::transaction_base& tx,
                                              int64_t area_id,
                                              ReductionInputs& in) {
  for (const auto& o : PgCycleStore::Objectives(tx, area_id)) {
    if (!o.metric || !o.target_change_pct) continue;
    in.objectives.push_back({o.description, *o.metric, *o.target_change_pct});
  }
  return absl::OkStatus();
}

}  // namespace kvo::reports
