#include "services/reports/reduction_pdf.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/notice/notice_pdf.h"

namespace kvo::reports {
namespace {

constexpr double kWidth = 595.0;
constexpr double kHeight = 842.0;
constexpr double kMargin = 50.0;
constexpr char kFont[] = "DejaVu Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.10, 0.10, 0.10};
constexpr Rgb kGrid{0.80, 0.80, 0.80};
constexpr Rgb kFirst{0.55, 0.62, 0.70};   // period 1: grey-blue
constexpr Rgb kSecond{0.05, 0.35, 0.60};  // period 2: dark blue
constexpr Rgb kPale{0.90, 0.90, 0.90};

const char* const kShortMonths[] = {"jan", "feb", "mrt", "apr", "mei", "jun",
                                    "jul", "aug", "sep", "okt", "nov", "dec"};

class Page {
 public:
  explicit Page(cairo_t* cr) : cr_(cr) {}

  void Color(Rgb c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }
  void Font(double size, bool bold = false) {
    cairo_select_font_face(
        cr_, kFont, CAIRO_FONT_SLANT_NORMAL,
        bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
  }
  double Width(const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }
  void Text(double x, double y, const std::string& text) {
    cairo_move_to(cr_, x, y);
    cairo_show_text(cr_, text.c_str());
  }
  void RightText(double right, double y, const std::string& text) {
    Text(right - Width(text), y, text);
  }
  void CenterText(double center, double y, const std::string& text) {
    Text(center - Width(text) / 2, y, text);
  }
  void Line(double x0, double y0, double x1, double y1, double width = 0.5) {
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, x0, y0);
    cairo_line_to(cr_, x1, y1);
    cairo_stroke(cr_);
  }
  void Box(double x, double y, double w, double h) {
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
  }
  // Room for `h` more points on this page, or a new page.
  void Need(double h) {
    if (y + h > kHeight - kMargin) NewPage();
  }
  void NewPage() {
    cairo_show_page(cr_);
    y = kMargin;
  }
  cairo_t* cr() { return cr_; }

  double y = kMargin;

 private:
  cairo_t* cr_;
};

void Heading(Page& p, const std::string& text) {
  p.Need(40);
  p.y += 18;
  p.Color(kInk);
  p.Font(12.5, true);
  p.Text(kMargin, p.y, text);
  p.y += 8;
}

void Tables(Page& p, const ReductionReport& r) {
  const double c1 = kWidth - kMargin - 170, c2 = kWidth - kMargin - 85,
               c3 = kWidth - kMargin;
  for (const Section& s : r.sections) {
    Heading(p, s.title);
    p.Font(8.5, true);
    p.Need(14);
    p.y += 12;
    p.RightText(c1, p.y, "Periode 1");
    p.RightText(c2, p.y, "Periode 2");
    p.RightText(c3, p.y, "Verschil");
    p.Font(9.5);
    for (const Figure& f : s.figures) {
      p.Need(14);
      p.y += 13.5;
      p.Color(kInk);
      p.Text(kMargin, p.y, f.label);
      p.RightText(c1, p.y, FormatValue(f, false, r.threshold));
      p.RightText(c2, p.y, FormatValue(f, true, r.threshold));
      p.RightText(c3, p.y, FormatChange(f));
      p.Color(kGrid);
      p.Line(kMargin, p.y + 3.5, c3, p.y + 3.5, 0.3);
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

void Legend(Page& p, double x, double y, Rgb color, const std::string& text) {
  p.Color(color);
  p.Box(x, y - 8, 10, 10);
  p.Color(kInk);
  p.Font(8.5);
  p.Text(x + 14, y, text);
}

// Grouped bars per incident type: period 1 and period 2 side by side.
void Bars(Page& p, const ReductionReport& r) {
  const Section& incidents = r.sections.front();
  std::vector<const Figure*> bars;
  for (const Figure& f : incidents.figures) {
    if (f.unit == Figure::Unit::kCount && f.metric != "incidents.total") {
      bars.push_back(&f);
    }
  }
  Heading(p, "Incidenten per soort");
  if (bars.empty()) {
    p.Font(9.5);
    p.y += 14;
    p.Text(kMargin, p.y, "Geen incidenten in deze perioden.");
    return;
  }
  const double chart_h = 170, top = p.y + 22;
  p.Need(chart_h + 70);
  double max = double(r.threshold);
  for (const Figure* f : bars) max = std::max({max, f->first, f->second});
  const double left = kMargin + 30, right = kWidth - kMargin;
  const double base = top + chart_h;
  const double slot = (right - left) / bars.size();
  const double bar_w = std::min(28.0, slot * 0.35);
  p.Color(kGrid);
  for (int i = 0; i <= 4; ++i) {
    const double gy = base - chart_h * i / 4;
    p.Line(left, gy, right, gy, 0.3);
    p.Color(kInk);
    p.Font(7.5);
    p.RightText(left - 4, gy + 3, absl::StrCat(std::lround(max * i / 4)));
    p.Color(kGrid);
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const Figure& f = *bars[i];
    const double cx = left + slot * (i + 0.5);
    for (int period = 0; period < 2; ++period) {
      const bool small = period == 0 ? f.first_small : f.second_small;
      const double v =
          small ? double(r.threshold) : (period == 0 ? f.first : f.second);
      const double h = chart_h * v / max;
      const double x = period == 0 ? cx - bar_w - 1 : cx + 1;
      p.Color(small ? kPale : (period == 0 ? kFirst : kSecond));
      p.Box(x, base - h, bar_w, h);
      p.Color(kInk);
      p.Font(7.5);
      p.CenterText(x + bar_w / 2, base - h - 3,
                   FormatValue(f, period == 1, r.threshold));
    }
    p.Font(8);
    std::string label = f.label;
    while (p.Width(label) > slot - 4 && label.size() > 4) {
      label.resize(label.size() - 2);
      while (!label.empty() && (label.back() & 0xC0) == 0x80) label.pop_back();
      label += "…";
    }
    p.CenterText(cx, base + 12, label);
  }
  p.Color(kInk);
  p.Line(left, base, right, base, 0.8);
  p.y = base + 30;
  Legend(p, kMargin, p.y, kFirst, "Periode 1 (0-meting)");
  Legend(p, kMargin + 150, p.y, kSecond, "Periode 2 (1-meting)");
  Legend(p, kMargin + 300, p.y, kPale,
         absl::StrCat("minder dan ", r.threshold, " (niet getoond)"));
  p.y += 6;
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
  for (const MonthPoint* m : points) max = std::max(max, double(m->count));
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
    for (size_t i = from; i < to; ++i) {
      if (i == from) {
        cairo_move_to(p.cr(), x_of(i), y_of(*points[i]));
      } else {
        cairo_line_to(p.cr(), x_of(i), y_of(*points[i]));
      }
    }
    cairo_stroke(p.cr());
    for (size_t i = from; i < to; ++i) {
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
      absl::StrCat("open punt: minder dan ", r.threshold, " (niet getoond)"));
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
    p.Color(kInk);
    p.Font(18, true);
    p.y += 18;
    p.Text(kMargin, p.y, "Rapport criminaliteitsreductie");
    p.Font(13, true);
    p.y += 22;
    p.Text(kMargin, p.y, r.area_name);
    p.Font(9.5);
    p.y += 20;
    p.Text(kMargin, p.y,
           absl::StrCat("Periode 1 (0-meting): ", FormatPeriod(r.first)));
    p.y += 14;
    p.Text(kMargin, p.y,
           absl::StrCat("Periode 2 (1-meting): ", FormatPeriod(r.second)));
    p.y += 14;
    p.Text(kMargin, p.y,
           absl::StrCat("Opgemaakt op ",
                        notice::DutchDate(int(made_on.year()), made_on.month(),
                                          made_on.day()),
                        "."));
    p.y += 14;
    p.Text(
        kMargin, p.y,
        absl::StrCat("Aantallen van 1 tot ", r.threshold, " staan er als \"< ",
                     r.threshold, "\": geen persoon mag herkenbaar zijn."));
    p.y += 10;
    Bars(p, r);
    Months(p, r);
    Objectives(p, r);
    p.NewPage();
    Tables(p, r);
  });
}

}  // namespace kvo::reports
