#include "services/reports/across_report.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kvo::reports {
namespace {

void AddCounts(const std::map<std::string, int64_t>& from,
               std::map<std::string, int64_t>& to) {
  for (const auto& [k, v] : from) to[k] += v;
}

// `total` += `f`; a survey or donations only while every area has them.
void AddFacts(const PeriodFacts& f, bool first_area, PeriodFacts& total) {
  AddCounts(f.incidents_by_type, total.incidents_by_type);
  AddCounts(f.police_by_category, total.police_by_category);
  AddCounts(f.fire_by_category, total.fire_by_category);
  AddCounts(f.objections_by_outcome, total.objections_by_outcome);
  total.damage_cents += f.damage_cents;
  total.incidents_reported += f.incidents_reported;
  total.warnings_issued += f.warnings_issued;
  total.bans_issued += f.bans_issued;
  total.repeat_offenders += f.repeat_offenders;
  for (const auto& [m, n] : f.incidents_by_month) {
    total.incidents_by_month[m] += n;
  }
  for (const auto& [m, n] : f.police_by_month) total.police_by_month[m] += n;
  for (const auto& [m, n] : f.fire_by_month) total.fire_by_month[m] += n;
  if (first_area) {
    total.survey = f.survey;
    total.donations = f.donations;
    return;
  }
  if (total.survey && f.survey) {
    total.survey->respondents += f.survey->respondents;
    total.survey->feel_safe += f.survey->feel_safe;
    total.survey->victimised += f.survey->victimised;
    total.survey->reported += f.survey->reported;
  } else {
    total.survey.reset();
  }
  if (total.donations && f.donations) {
    total.donations->claimed_cents += f.donations->claimed_cents;
    total.donations->paid_cents += f.donations->paid_cents;
    total.donations->shop_share_cents += f.donations->shop_share_cents;
    total.donations->claims += f.donations->claims;
    total.donations->paid_claims += f.donations->paid_claims;
    total.donations->shop_share_claims += f.donations->shop_share_claims;
  } else {
    total.donations.reset();
  }
}

bool Hidden(const AcrossCell& c, bool second) {
  return second ? c.figure.second_small || c.figure.second_withheld
                : c.figure.first_small || c.figure.first_withheld;
}

void Withhold(AcrossCell& c, bool second) { Withhold(c.figure, second); }

// A section's ".total" line in one column (an area's, or the total's):
// withheld where another line of the section is hidden.
void WithholdSectionTotals(std::vector<AcrossRow>& rows,
                           AcrossCell& (*cell)(AcrossRow&, size_t),
                           size_t column) {
  for (AcrossRow& total : rows) {
    if (!absl::EndsWith(total.metric, ".total")) continue;
    for (bool second : {false, true}) {
      for (AcrossRow& other : rows) {
        if (&other != &total && other.section == total.section &&
            other.metric != "damage" && Hidden(cell(other, column), second)) {
          Withhold(cell(total, column), second);
        }
      }
    }
  }
}

AcrossCell& AreaCell(AcrossRow& row, size_t i) { return row.areas[i]; }
AcrossCell& TotalCell(AcrossRow& row, size_t) { return row.total; }

}  // namespace

absl::StatusOr<AcrossReport> BuildAcrossReport(
    std::string title, const std::vector<ReductionInputs>& areas) {
  if (areas.empty()) {
    return absl::InvalidArgumentError("--municipality, --areas: no area");
  }
  if (title.empty()) {
    return absl::InvalidArgumentError("the report has no title");
  }
  ReductionInputs sum;
  sum.area_name = title;
  sum.first = areas.front().first;
  sum.second = areas.front().second;
  sum.small_count_threshold = areas.front().small_count_threshold;
  std::vector<ReductionReport> reports;
  for (size_t i = 0; i < areas.size(); ++i) {
    const ReductionInputs& in = areas[i];
    if (in.first.from != sum.first.from || in.first.to != sum.first.to ||
        in.second.from != sum.second.from || in.second.to != sum.second.to ||
        in.small_count_threshold != sum.small_count_threshold) {
      return absl::InvalidArgumentError(
          "the areas of one report must share its periods and threshold");
    }
    auto report = BuildReductionReport(in);
    if (!report.ok()) return report.status();
    reports.push_back(std::move(*report));
    AddFacts(in.first_facts, i == 0, sum.first_facts);
    AddFacts(in.second_facts, i == 0, sum.second_facts);
    sum.labels.insert(in.labels.begin(), in.labels.end());
  }
  auto total = BuildReductionReport(sum);
  if (!total.ok()) return total.status();

  AcrossReport out;
  out.title = std::move(title);
  out.first = sum.first;
  out.second = sum.second;
  out.threshold = sum.small_count_threshold;
  for (const ReductionReport& r : reports) {
    out.area_names.push_back(r.area_name);
    for (const Section& s : r.sections) {
      if (!s.note.empty()) {
        out.notes.push_back(absl::StrCat(r.area_name, ": ", s.note));
      }
    }
  }
  for (const Section& s : total->sections) {
    if (!s.note.empty() && s.figures.empty()) {
      out.notes.push_back(absl::StrCat("Totaal: ", s.note));
    }
    for (const Figure& f : s.figures) {
      AcrossRow row;
      row.section = s.title;
      row.metric = f.metric;
      row.label = f.label;
      row.total.figure = f;
      for (const ReductionReport& r : reports) {
        // A line an area lacks (a police category it never had) is 0.
        AcrossCell cell;
        cell.figure.metric = f.metric;
        cell.figure.label = f.label;
        cell.figure.unit = f.unit;
        for (const Section& as : r.sections) {
          for (const Figure& af : as.figures) {
            if (af.metric == f.metric) cell.figure = af;
          }
        }
        row.areas.push_back(std::move(cell));
      }
      out.rows.push_back(std::move(row));
    }
  }
  // First each area's own section totals, then the totals' column by the
  // areas' cells, then the totals' own section totals: each rule sees what
  // the one before withheld.
  for (size_t i = 0; i < reports.size(); ++i) {
    WithholdSectionTotals(out.rows, AreaCell, i);
  }
  for (AcrossRow& row : out.rows) {
    for (bool second : {false, true}) {
      for (const AcrossCell& c : row.areas) {
        if (Hidden(c, second)) Withhold(row.total, second);
      }
    }
  }
  WithholdSectionTotals(out.rows, TotalCell, 0);
  return out;
}

std::string FormatCell(const AcrossCell& c, bool second, int64_t threshold) {
  return FormatValue(c.figure, second, threshold);
}

std::string FormatCellChange(const AcrossCell& c) {
  return FormatChange(c.figure);
}

std::string AcrossText(const AcrossReport& r) {
  std::string out = absl::StrCat(
      "Rapport criminaliteitsreductie over gebieden: ", r.title, "\n",
      "Gebieden: ", absl::StrJoin(r.area_names, ", "), "\n",
      "Periode 1 (0-meting): ", FormatPeriod(r.first), "\n",
      "Periode 2 (1-meting): ", FormatPeriod(r.second), "\n",
      "Aantallen van 1 tot ", r.threshold, " staan er als \"< ", r.threshold,
      "\"; een totaal dat een verborgen aantal zou verraden staat er als "
      "\"verborgen\".\n");
  std::string section;
  for (const AcrossRow& row : r.rows) {
    if (row.section != section) {
      section = row.section;
      absl::StrAppend(&out, "\n", section, "\n");
    }
    absl::StrAppend(&out, "  ", row.label, "\n");
    auto line = [&](const std::string& name, const AcrossCell& c) {
      absl::StrAppend(&out, "    ", PadColumn(name, 40, true), " ",
                      PadColumn(FormatCell(c, false, r.threshold), 14, false),
                      " ",
                      PadColumn(FormatCell(c, true, r.threshold), 14, false),
                      " ", PadColumn(FormatCellChange(c), 10, false), "\n");
    };
    for (size_t i = 0; i < row.areas.size(); ++i) {
      line(r.area_names[i], row.areas[i]);
    }
    line("Totaal", row.total);
  }
  if (!r.notes.empty()) absl::StrAppend(&out, "\n");
  for (const std::string& note : r.notes) absl::StrAppend(&out, note, "\n");
  return out;
}

std::string AcrossCsv(const AcrossReport& r) {
  std::string out = "section,figure,metric,area,first,second,change\n";
  auto line = [&](const AcrossRow& row, const std::string& area,
                  const AcrossCell& c) {
    absl::StrAppend(&out,
                    absl::StrJoin({CsvField(row.section), CsvField(row.label),
                                   CsvField(row.metric), CsvField(area),
                                   CsvField(FormatCell(c, false, r.threshold)),
                                   CsvField(FormatCell(c, true, r.threshold)),
                                   CsvField(FormatCellChange(c))},
                                  ","),
                    "\n");
  };
  for (const AcrossRow& row : r.rows) {
    for (size_t i = 0; i < row.areas.size(); ++i) {
      line(row, r.area_names[i], row.areas[i]);
    }
    line(row, "Totaal", row.total);
  }
  return out;
}

}  // namespace kvo::reports
