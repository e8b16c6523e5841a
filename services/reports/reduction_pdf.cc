#include "services/reports/reduction_pdf.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
    if (f.unit == Figure::Unit::kCount && f.metric != "incidents.total") {
      bars.push_back({f.label, f.first, f.second, f.first_small, f.second_small,
                      FormatValue(f, false, r.threshold),
                      FormatValue(f, true, r.threshold)});
    }
  }
  Heading(p, "Incidenten per soort");
  BarChart(p, bars, r.threshold, "Geen incidenten in deze perioden.",
           absl::StrCat("minder dan ", r.threshold, " (niet getoond)"));
}

// One line over the months of both periods, a gap between them.
void Months(Page& p, const ReductionReport& r) {
  Heading(p, "Incidenten per maand");
  std::vector<const MonthPoint*> points;
  for (const auto& m : r.first_months) points.push_back(&m);
  const size_t split = points.size();
  for (const auto& m : r.second_months) points.push_back(&m);
  const double chart_h = 140, top = p.y + 18;
  p.Need(chart_h + 60);
  double max = double(r.threshold);
  for (const MonthPoint* m : points) {
    if (!m->withheld) max = std::max(max, double(m->count));
  }
  const double left = kMargin + 30, right = kWidth - kMargin;
  const double base = top + chart_h;
  const double step = (right - left) / std::max<size_t>(points.size(), 2);
  auto x_of = [&](size_t i) {
    return left + step * (i + 0.5) + (i >= split ? step * 0.5 : 0);
  };
  auto y_of = [&](const MonthPoint& m) {
    const double v = m.small ? r.threshold / 2.0 : double(m.count);
    return base - chart_h * v / max;
  };
  for (int i = 0; i <= 4; ++i) {
    const double gy = base - chart_h * i / 4;
    p.Color(kGrid);
    p.Line(left, gy, right, gy, 0.3);
    p.Color(kInk);
    p.Font(7.5);
    p.RightText(left - 4, gy + 3, absl::StrCat(std::lround(max * i / 4)));
  }
  for (int part = 0; part < 2; ++part) {
    const size_t from = part == 0 ? 0 : split;
    const size_t to = part == 0 ? split : points.size();
    p.Color(part == 0 ? kFirst : kSecond);
    cairo_set_line_width(p.cr(), 1.6);
    // A withheld month is a gap in the line.
    for (size_t i = from; i < to; ++i) {
      if (points[i]->withheld) continue;
      if (i == from || points[i - 1]->withheld) {
        cairo_move_to(p.cr(), x_of(i), y_of(*points[i]));
      } else {
        cairo_line_to(p.cr(), x_of(i), y_of(*points[i]));
      }
    }
    cairo_stroke(p.cr());
    for (size_t i = from; i < to; ++i) {
      if (points[i]->withheld) continue;
      cairo_arc(p.cr(), x_of(i), y_of(*points[i]), 2.4, 0, 2 * M_PI);
      if (points[i]->small) {
        cairo_set_source_rgb(p.cr(), 1, 1, 1);
        cairo_fill_preserve(p.cr());
        p.Color(part == 0 ? kFirst : kSecond);
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
  Legend(p, kMargin, p.y, kFirst, "Periode 1");
  Legend(p, kMargin + 110, p.y, kSecond, "Periode 2");
  p.Font(8.5);
  p.Text(
      kMargin + 220, p.y,
      absl::StrCat("open punt: minder dan ", r.threshold, "; gat: verborgen"));
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
