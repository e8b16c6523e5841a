#include "services/reports/reduction_pdf.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/dutch_date.h"
#include "services/notice/notice_pdf.h"
#include "services/reports/report_page.h"

namespace kvo::reports {
namespace {

const char* const kShortMonths[] = {"jan", "feb", "mrt", "apr", "mei", "jun",
                                    "jul", "aug", "sep", "okt", "nov", "dec"};

void Tables(Page& p, const ReductionReport& r) {
  for (const Section& s : r.sections) {
    TableHeading(p, s.title);
    p.Font(9.5);
    for (const Figure& f : s.figures) {
      p.Need(14);
      p.y += 13.5;
      p.Color(kInk);
      p.Text(kMargin, p.y, f.label);
      Values(p, FormatValue(f, false, r.threshold),
             FormatValue(f, true, r.threshold), FormatChange(f));
      p.Color(kGrid);
      p.Line(kMargin, p.y + 3.5, kColumn3, p.y + 3.5, 0.3);
    }
    if (!s.note.empty()) {
      p.Need(14);
      p.y += 13.5;
      p.Color(kInk);
      p.Font(9, false);
      p.Text(kMargin, p.y, s.note);
      p.Font(9.5);
    }
  }
}

// Grouped bars per incident type: period 1 and period 2 side by side.
void Bars(Page& p, const ReductionReport& r) {
  std::vector<Bar> bars;
  for (const Figure& f : r.sections.front().figures) {
    // Offence types only (not the total, damage or the reported ones).
    if (f.unit == Figure::Unit::kCount &&
        absl::StartsWith(f.metric, "incidents.") &&
        f.metric != "incidents.total") {
      bars.push_back({f.label, f.first, f.second, f.first_small, f.second_small,
                      FormatValue(f, false, r.threshold),
                      FormatValue(f, true, r.threshold)});
    }
  }
  Heading(p, "Incidenten per soort");
  BarChart(p, bars, r.threshold, "Geen incidenten in deze perioden.",
           absl::StrCat("minder dan ", r.threshold, " (niet getoond)"));
}

constexpr Rgb kPolice{0.85, 0.45, 0.05};  // orange
constexpr Rgb kFire{0.70, 0.10, 0.10};    // red

// "maart 2026", or "maart t/m mei 2026", "december 2025 t/m februari 2026"
// for a run of months.
std::string MonthRun(absl::CivilMonth from, absl::CivilMonth to) {
  auto name = [](absl::CivilMonth m) {
    return absl::StrCat(common::DutchMonth(m.month()), " ", m.year());
  };
  if (from == to) return name(from);
  return absl::StrCat(from.year() == to.year()
                          ? std::string(common::DutchMonth(from.month()))
                          : name(from),
                      " t/m ", name(to));
}

// The months of `points` that are `c`, as runs: "maart 2026, juni 2026".
std::string Runs(const std::vector<const MonthPoint*>& points, Coverage c) {
  std::vector<std::string> runs;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i]->coverage != c) continue;
    size_t j = i;
    while (j + 1 < points.size() && points[j + 1]->coverage == c &&
           points[j + 1]->month == points[j]->month + 1) {
      ++j;
    }
    runs.push_back(MonthRun(points[i]->month, points[j]->month));
    i = j;
  }
  return absl::StrJoin(runs, ", ");
}

// `text` in lines of at most `width` points, at p.y onwards.
void Wrapped(Page& p, const std::string& text, double width) {
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ')) {
    std::string next =
        line.empty() ? std::string(word) : absl::StrCat(line, " ", word);
    if (!line.empty() && p.Width(next) > width) {
      p.y += 11;
      p.Text(kMargin, p.y, line);
      next = std::string(word);
    }
    line = std::move(next);
  }
  if (!line.empty()) {
    p.y += 11;
    p.Text(kMargin, p.y, line);
  }
}

bool Drawn(const MonthPoint& m) {
  return m.coverage == Coverage::kWhole && !m.withheld;
}

// One line per source over the months of both periods, a gap between the
// periods: the registry's incidents (a line per period), and beside them
// the police's and the fire brigade's figures, the only history of an area
// new to the registry. A month the registry covers only in part (the one
// the area's registry starts in, the one of today) is left out, not drawn
// low: as a whole month it would look like a fall in incidents. A note
// under the chart names those months; the tables still count them.
void Months(Page& p, const ReductionReport& r) {
  Heading(p, "Incidenten per maand");
  std::vector<const MonthPoint*> points;
  for (const auto& m : r.first_months) points.push_back(&m);
  const size_t split = points.size();
  for (const auto& m : r.second_months) points.push_back(&m);
  struct Line {
    std::vector<const MonthPoint*> points;
    Rgb color;
    std::vector<double> dash;  // empty: solid
    size_t from, to;           // the points it spans
  };
  std::vector<Line> lines = {{points, kFirst, {}, 0, split},
                             {points, kSecond, {}, split, points.size()}};
  std::vector<std::pair<Rgb, std::string>> figure_legends;
  for (const MonthSeries& s : r.figure_months) {
    std::vector<const MonthPoint*> series;
    for (const auto& m : s.first) series.push_back(&m);
    for (const auto& m : s.second) series.push_back(&m);
    if (series.size() != points.size()) continue;  // other periods: no line
    const bool police = s.label == "Politie";
    const Rgb color = police ? kPolice : kFire;
    const std::vector<double> dash =
        police ? std::vector<double>{5, 2.5} : std::vector<double>{1.5, 2};
    lines.push_back({series, color, dash, 0, split});
    lines.push_back({series, color, dash, split, series.size()});
    figure_legends.push_back({color, s.label});
  }
  const double chart_h = 140, top = p.y + 18;
  p.Need(chart_h + 90);
  double max = double(r.threshold);
  for (const Line& l : lines) {
    for (size_t i = l.from; i < l.to; ++i) {
      if (Drawn(*l.points[i])) max = std::max(max, double(l.points[i]->count));
    }
  }
  const double left = kMargin + 30, right = kWidth - kMargin;
  const double base = top + chart_h;
  const double step = (right - left) / std::max<size_t>(points.size(), 2);
  auto x_of = [&](size_t i) {
    return left + step * (i + 0.5) + (i >= split ? step * 0.5 : 0);
  };
  max = CountAxis(p, left, right, base, chart_h, max);
  auto y_of = [&](const MonthPoint& m) {
    const double v = m.small ? r.threshold / 2.0 : double(m.count);
    return base - chart_h * v / max;
  };
  for (const Line& l : lines) {
    p.Color(l.color);
    cairo_set_line_width(p.cr(), 1.6);
    cairo_set_dash(p.cr(), l.dash.data(), int(l.dash.size()), 0);
    // A month not drawn is a gap in the line.
    for (size_t i = l.from; i < l.to; ++i) {
      if (!Drawn(*l.points[i])) continue;
      if (i == l.from || !Drawn(*l.points[i - 1])) {
        cairo_move_to(p.cr(), x_of(i), y_of(*l.points[i]));
      } else {
        cairo_line_to(p.cr(), x_of(i), y_of(*l.points[i]));
      }
    }
    cairo_stroke(p.cr());
    cairo_set_dash(p.cr(), nullptr, 0, 0);
    for (size_t i = l.from; i < l.to; ++i) {
      if (!Drawn(*l.points[i])) continue;
      cairo_new_sub_path(p.cr());
      cairo_arc(p.cr(), x_of(i), y_of(*l.points[i]), 2.4, 0, 2 * M_PI);
      if (l.points[i]->small) {
        cairo_set_source_rgb(p.cr(), 1, 1, 1);
        cairo_fill_preserve(p.cr());
        p.Color(l.color);
        cairo_set_line_width(p.cr(), 1);
        cairo_stroke(p.cr());
      } else {
        cairo_fill(p.cr());
      }
    }
  }
  p.Color(kInk);
  p.Font(6.5);
  const size_t every = points.size() > 30 ? 3 : (points.size() > 14 ? 2 : 1);
  for (size_t i = 0; i < points.size(); i += every) {
    const auto& m = points[i]->month;
    p.CenterText(x_of(i), base + 10,
                 absl::StrCat(kShortMonths[m.month() - 1], " ",
                              m.year() % 100 < 10 ? "0" : "", m.year() % 100));
  }
  p.Line(left, base, right, base, 0.8);
  p.y = base + 28;
  Legend(p, kMargin, p.y, kFirst, "Register periode 1");
  Legend(p, kMargin + 120, p.y, kSecond, "Register periode 2");
  double x = kMargin + 240;
  for (const auto& [color, label] : figure_legends) {
    Legend(p, x, p.y, color, label);
    x += 80;
  }
  p.Font(8.5);
  p.y += 4;
  Wrapped(p,
          absl::StrCat("Open punt: minder dan ", r.threshold,
                       "; gat: verborgen of niet getekend.",
                       r.figure_months.empty()
                           ? " Er zijn geen cijfers van politie of brandweer "
                             "ingevoerd voor deze perioden."
                           : " Politie en brandweer: alle categorieën samen, "
                             "zoals ingevoerd per hele maand."),
          kWidth - 2 * kMargin);
  if (const std::string partial = Runs(points, Coverage::kPartial);
      !partial.empty()) {
    Wrapped(
        p,
        absl::StrCat("Niet getekend: ", partial,
                     ". Het register dekt die maand maar voor een deel (het "
                     "begin van het register in dit gebied, of vandaag); "
                     "als hele maand getekend zou dat een daling lijken. "
                     "De tabellen tellen deze dagen wel mee."),
        kWidth - 2 * kMargin);
  }
  if (const std::string none = Runs(points, Coverage::kNone); !none.empty()) {
    Wrapped(p,
            absl::StrCat("Geen registercijfers voor ", none,
                         ": vóór het register in dit gebied begon, of nog "
                         "niet verstreken."),
            kWidth - 2 * kMargin);
  }
  p.y += 6;
}

void Objectives(Page& p, const ReductionReport& r) {
  Heading(p, "Doelen van het plan van aanpak");
  p.Font(9.5);
  if (r.objectives.empty()) {
    p.y += 14;
    p.Text(kMargin, p.y, "Er zijn geen doelen vastgelegd.");
    return;
  }
  for (const ObjectiveResult& o : r.objectives) {
    p.Need(16);
    p.y += 15;
    const std::string mark = !o.measured_change ? "?" : o.met ? "✓" : "✗";
    const std::string verdict = !o.measured_change ? "geen meting"
                                : o.met            ? "gehaald"
                                                   : "niet gehaald";
    p.Color(!o.measured_change ? kInk
            : o.met            ? Rgb{0.0, 0.45, 0.15}
                               : Rgb{0.70, 0.10, 0.10});
    p.Font(9.5, true);
    p.Text(kMargin, p.y, absl::StrCat(mark, " ", verdict));
    p.Color(kInk);
    p.Font(9.5);
    const char* unit = o.in_points ? "pp" : "%";
    std::string target = absl::StrFormat(
        "doel %s%.1f %s", o.objective.target_change_pct > 0 ? "+" : "",
        o.objective.target_change_pct, unit);
    if (o.shown_change) {
      absl::StrAppend(&target, absl::StrFormat(", gemeten %s%.1f %s",
                                               *o.shown_change > 0 ? "+" : "",
                                               *o.shown_change, unit));
    } else if (o.measured_change) {
      absl::StrAppend(&target, ", kleine aantallen: niet getoond");
    }
    for (char& c : target) {
      if (c == '.') c = ',';
    }
    p.Text(kMargin + 95, p.y,
           absl::StrCat(o.objective.text, " (", target, ")"));
  }
}

}  // namespace

absl::StatusOr<std::string> RenderReductionPdf(const ReductionReport& r,
                                               absl::CivilDay made_on) {
  return notice::DrawA4Pdf([&](cairo_t* cr) {
    Page p(cr);
    TitleBlock(p, "Rapport criminaliteitsreductie", r.area_name, r.first,
               r.second, made_on, r.threshold, "");
    Bars(p, r);
    Months(p, r);
    Objectives(p, r);
    p.NewPage();
    Tables(p, r);
  });
}

}  // namespace kvo::reports
