#include "services/reports/reduction_reports.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/dutch_labels.h"
#include "services/common/local_time.h"
#include "services/identity/pg_identity_store.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/reports/across_pdf.h"
#include "services/reports/reduction_pdf.h"

namespace kvo::reports {
namespace {

// [start of the first day, start of the day after the last) in Amsterdam.
std::pair<absl::Time, absl::Time> Instants(const Period& p) {
  const absl::TimeZone& tz = common::Amsterdam();
  return {absl::FromCivil(p.from, tz), absl::FromCivil(p.to + 1, tz)};
}

}  // namespace

ReductionInputs ReductionReports::Skeleton(
    const ReductionPeriods& periods) const {
  ReductionInputs in;
  in.first = periods.first;
  in.second = periods.second;
  in.small_count_threshold = SmallCountThreshold(policy_);
  for (const auto& t : policy_.offence_types()) {
    in.labels[t.code()] = t.label_nl().empty() ? t.code() : t.label_nl();
  }
  // Police and fire-brigade categories, unless an offence type already
  // labels the code; objection outcomes. Set here, for one area's report
  // and for every area of an across report alike.
  for (const std::string& c : policy_.cycle().figure_categories()) {
    in.labels.emplace(c, common::FigureCategoryLabel(c));
  }
  for (const char* outcome : {"upheld", "rejected", "pending"}) {
    in.labels[outcome] = common::ObjectionDecisionLabel(outcome);
  }
  return in;
}

absl::Status ReductionReports::AddContributions(pqxx::transaction_base& tx,
                                                int64_t area_id,
                                                ReductionInputs& in) {
  for (auto [period, facts] : {std::pair{&in.first, &in.first_facts},
                               {&in.second, &in.second_facts}}) {
    const auto [from, to] = Instants(*period);
    for (ReductionContributor* c : contributors_) {
      if (auto s = c->AddPeriod(tx, area_id, from, to, *facts); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<kvo::v1::ReductionReportResponse> ReductionReports::Build(
    const identity::Call& call, const kvo::v1::ReductionReportRequest& r,
    const ReductionPeriods& periods) {
  ReductionInputs in = Skeleton(periods);
  auto read = pool_.InTransaction(
      "reduction report", [&](pqxx::work& tx) -> absl::Status {
        const auto areas =
            identity::PgIdentityStore::ListAreas(tx, {r.area_id()}, false);
        if (areas.empty()) {
          return absl::NotFoundError(
              absl::StrCat("--area: area ", r.area_id(), " not found"));
        }
        in.area_name = areas.front().name();
        // The registry holds the area's incidents from the first day one
        // could be recorded to today: the chart leaves out the months it
        // covers only in part.
        if (auto joined =
                registry::PgRegistryStore::AreaJoinedAt(tx, r.area_id())) {
          in.registry_from = absl::ToCivilDay(*joined, common::Amsterdam()) -
                             registry::IncidentBackdateDays(policy_);
          in.made_on = absl::ToCivilDay(clock_.Now(), common::Amsterdam());
        }
        for (auto [period, facts] : {std::pair{&in.first, &in.first_facts},
                                     {&in.second, &in.second_facts}}) {
          const auto [from, to] = Instants(*period);
          AddRegistryFacts(
              registry::PgRegistryStore::FactsOfArea(tx, r.area_id(), from, to),
              *facts);
        }
        if (auto s = AddContributions(tx, r.area_id(), in); !s.ok()) return s;
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

namespace {

// What the transaction of an across report read, or the caller's refusal
// (committed with it, so that it is on record).
struct AcrossRead {
  absl::Status refused;
  std::vector<int64_t> ids;
  std::vector<ReductionInputs> areas;
};

}  // namespace

absl::StatusOr<kvo::v1::ReductionAcrossResponse> ReductionReports::BuildAcross(
    const identity::Call& call, const kvo::v1::ReductionAcrossRequest& r,
    const ReductionPeriods& periods) {
  auto read = pool_.InTransaction(
      "reduction across", [&](pqxx::work& tx) -> absl::StatusOr<AcrossRead> {
        AcrossRead out;
        std::vector<kvo::v1::Area> areas;
        if (!r.municipality().empty()) {
          for (auto& a : identity::PgIdentityStore::ListAreas(tx, {}, true)) {
            if (a.municipality() == r.municipality()) {
              areas.push_back(std::move(a));
            }
          }
          if (areas.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("--municipality: no area in \"", r.municipality(),
                             "\" (see kvo area list)"));
          }
        } else {
          const std::vector<int64_t> asked(r.area_ids().begin(),
                                           r.area_ids().end());
          areas = identity::PgIdentityStore::ListAreas(tx, asked, false);
          for (int64_t id : asked) {
            if (std::none_of(areas.begin(), areas.end(),
                             [&](const auto& a) { return a.id() == id; })) {
              return absl::NotFoundError(
                  absl::StrCat("--areas: area ", id, " not found"));
            }
          }
        }
        for (const auto& a : areas) out.ids.push_back(a.id());
        if (auto s = guard_.CheckAreasIn(tx, call, out.ids); !s.ok()) {
          out.refused = s;
          return out;
        }
        for (const auto& a : areas) {
          out.areas.push_back(Skeleton(periods));
          out.areas.back().area_name = a.name();
        }
        for (bool second : {false, true}) {
          const auto [from, to] =
              Instants(second ? periods.second : periods.first);
          auto facts =
              registry::PgRegistryStore::FactsOfAreas(tx, out.ids, from, to);
          for (size_t i = 0; i < out.ids.size(); ++i) {
            ReductionInputs& in = out.areas[i];
            AddRegistryFacts(facts[out.ids[i]],
                             second ? in.second_facts : in.first_facts);
          }
        }
        for (size_t i = 0; i < out.ids.size(); ++i) {
          if (auto s = AddContributions(tx, out.ids[i], out.areas[i]);
              !s.ok()) {
            return s;
          }
        }
        audit::PgAuditStore::Append(
            tx, guard_.Record(
                    call, "reports.reduction_across",
                    absl::StrCat("areas ", absl::StrJoin(out.ids, ",")),
                    "reduction report across areas", audit::Outcome::kOk));
        return out;
      });
  if (!read.ok()) return read.status();
  if (!read->refused.ok()) return read->refused;
  const std::string title =
      !r.municipality().empty()
          ? r.municipality()
          : absl::StrCat(read->ids.size(),
                         read->ids.size() == 1 ? " gebied" : " gebieden");
  auto report = BuildAcrossReport(title, read->areas);
  if (!report.ok()) return report.status();
  kvo::v1::ReductionAcrossResponse out = ToProto(*report);
  for (int64_t id : read->ids) out.add_area_ids(id);
  if (r.with_pdf()) {
    auto pdf = RenderAcrossPdf(
        *report, absl::ToCivilDay(clock_.Now(), common::Amsterdam()));
    if (!pdf.ok()) return pdf.status();
    out.set_pdf(std::move(*pdf));
  }
  return out;
}

void AddRegistryFacts(const registry::AreaFacts& f, PeriodFacts& out) {
  out.incidents_by_type = f.incidents_by_type;
  out.damage_cents = f.damage_cents;
  out.incidents_reported = f.incidents_reported;
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
      p->set_count(m.withheld ? "verborgen"
                   : m.small  ? absl::StrCat("< ", report.threshold)
                              : absl::StrCat(m.count));
      p->set_period(period);
    }
  }
  out.set_text(ReductionText(report));
  out.set_csv(ReductionCsv(report));
  return out;
}

kvo::v1::ReductionAcrossResponse ToProto(const AcrossReport& report) {
  kvo::v1::ReductionAcrossResponse out;
  out.set_title(report.title);
  for (const auto& name : report.area_names) out.add_area_names(name);
  auto set = [&](const AcrossCell& c, kvo::v1::AcrossValue* v) {
    v->set_first(FormatCell(c, false, report.threshold));
    v->set_second(FormatCell(c, true, report.threshold));
    v->set_change(FormatCellChange(c));
  };
  for (const AcrossRow& row : report.rows) {
    auto* f = out.add_figures();
    f->set_section(row.section);
    f->set_metric(row.metric);
    f->set_label(row.label);
    for (const AcrossCell& c : row.areas) set(c, f->add_areas());
    set(row.total, f->mutable_total());
  }
  for (const auto& note : report.notes) out.add_notes(note);
  out.set_text(AcrossText(report));
  out.set_csv(AcrossCsv(report));
  return out;
}

}  // namespace kvo::reports
