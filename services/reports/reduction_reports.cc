#include "services/reports/reduction_reports.h"

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/identity/pg_identity_store.h"
#include "services/registry/pg_registry_store.h"
#include "services/reports/reduction_pdf.h"

namespace kvo::reports {
namespace {

// [start of the first day, start of the day after the last) in Amsterdam.
std::pair<absl::Time, absl::Time> Instants(const Period& p) {
  const absl::TimeZone& tz = common::Amsterdam();
  return {absl::FromCivil(p.from, tz), absl::FromCivil(p.to + 1, tz)};
}

}  // namespace

absl::StatusOr<kvo::v1::ReductionReportResponse> ReductionReports::Build(
    const identity::Call& call, const kvo::v1::ReductionReportRequest& r,
    const ReductionPeriods& periods) {
  ReductionInputs in;
  in.first = periods.first;
  in.second = periods.second;
  in.small_count_threshold = SmallCountThreshold(policy_);
  for (const auto& t : policy_.offence_types()) {
    in.labels[t.code()] = t.label_nl().empty() ? t.code() : t.label_nl();
  }
  in.labels["upheld"] = "gegrond";
  in.labels["rejected"] = "ongegrond";
  in.labels["pending"] = "nog niet beslist";
  auto read = pool_.InTransaction(
      "reduction report", [&](pqxx::work& tx) -> absl::Status {
        const auto areas =
            identity::PgIdentityStore::ListAreas(tx, {r.area_id()}, false);
        if (areas.empty()) {
          return absl::NotFoundError(
              absl::StrCat("--area: area ", r.area_id(), " not found"));
        }
        in.area_name = areas.front().name();
        for (auto [period, facts] : {std::pair{&in.first, &in.first_facts},
                                     {&in.second, &in.second_facts}}) {
          const auto [from, to] = Instants(*period);
          AddRegistryFacts(
              registry::PgRegistryStore::FactsOfArea(tx, r.area_id(), from, to),
              *facts);
          for (ReductionContributor* c : contributors_) {
            if (auto s = c->AddPeriod(tx, r.area_id(), from, to, *facts);
                !s.ok()) {
              return s;
            }
          }
        }
        for (ReductionContributor* c : contributors_) {
          if (auto s = c->AddObjectives(tx, r.area_id(), in); !s.ok()) {
            return s;
          }
        }
        audit::AuditRecord record =
            guard_.Record(call, "reports.reduction", "", "reduction report",
                          audit::Outcome::kOk);
        record.area_id = r.area_id();
        audit::PgAuditStore::Append(tx, record);
        return absl::OkStatus();
      });
  if (!read.ok()) return read;
  auto report = BuildReductionReport(in);
  if (!report.ok()) return report.status();
  kvo::v1::ReductionReportResponse out = ToProto(*report);
  if (r.with_pdf()) {
    auto pdf = RenderReductionPdf(
        *report, absl::ToCivilDay(clock_.Now(), common::Amsterdam()));
    if (!pdf.ok()) return pdf.status();
    out.set_pdf(std::move(*pdf));
  }
  return out;
}

void AddRegistryFacts(const registry::AreaFacts& f, PeriodFacts& out) {
  out.incidents_by_type = f.incidents_by_type;
  out.damage_cents = f.damage_cents;
  for (const auto& [month, n] : f.incidents_by_month) {
    absl::CivilMonth m;
    if (absl::ParseCivilTime(month, &m)) out.incidents_by_month[m] = n;
  }
  for (const auto& [kind, n] : f.cards_by_kind) {
    (kind == "collective_warning" ? out.warnings_issued : out.bans_issued) += n;
  }
  out.objections_by_outcome = f.objections_by_outcome;
  out.repeat_offenders = f.repeat_offenders;
}

kvo::v1::ReductionReportResponse ToProto(const ReductionReport& report) {
  kvo::v1::ReductionReportResponse out;
  out.set_area_name(report.area_name);
  for (const Section& s : report.sections) {
    for (const Figure& f : s.figures) {
      auto* p = out.add_figures();
      p->set_section(s.title);
      p->set_metric(f.metric);
      p->set_label(f.label);
      p->set_first(FormatValue(f, false, report.threshold));
      p->set_second(FormatValue(f, true, report.threshold));
      p->set_change(FormatChange(f));
    }
    if (!s.note.empty()) out.add_notes(s.note);
  }
  for (const ObjectiveResult& o : report.objectives) {
    auto* p = out.add_objectives();
    p->set_text(o.objective.text);
    p->set_metric(o.objective.metric);
    p->set_target_change(o.objective.target_change_pct);
    p->set_verdict(!o.measured_change ? "geen meting"
                   : o.met            ? "gehaald"
                                      : "niet gehaald");
  }
  for (int period = 1; period <= 2; ++period) {
    for (const MonthPoint& m :
         period == 1 ? report.first_months : report.second_months) {
      auto* p = out.add_months();
      p->set_month(absl::FormatCivilTime(m.month));
      p->set_count(m.small ? absl::StrCat("< ", report.threshold)
                           : absl::StrCat(m.count));
      p->set_period(period);
    }
  }
  out.set_text(ReductionText(report));
  out.set_csv(ReductionCsv(report));
  return out;
}

}  // namespace kvo::reports
