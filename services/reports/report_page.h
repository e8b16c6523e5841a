#ifndef KVO_SERVICES_REPORTS_REPORT_PAGE_H_
#define KVO_SERVICES_REPORTS_REPORT_PAGE_H_

#include <cairo.h>

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/reports/reduction_report.h"

namespace kvo::reports {

// What the reports' PDFs share: an A4 page drawn top-down with cairo, the
// colours of both periods, a heading and the title block (the report's
// name, its subject, both periods, the day it was made, the "< 5" rule).

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

inline void Heading(Page& p, const std::string& text) {
  p.Need(40);
  p.y += 18;
  p.Color(kInk);
  p.Font(12.5, true);
  p.Text(kMargin, p.y, text);
  p.y += 8;
}

// A table's columns: period 1, period 2, the change (right edges).
constexpr double kColumn1 = kWidth - kMargin - 170;
constexpr double kColumn2 = kWidth - kMargin - 85;
constexpr double kColumn3 = kWidth - kMargin;

// A section's heading with the table's column heads under it.
void TableHeading(Page& p, const std::string& title);
// A line's three values, right-aligned in the columns, at p.y.
void Values(Page& p, const std::string& first, const std::string& second,
            const std::string& change);

// One group of a bar chart: both periods' values; a pale bar is drawn at
// the threshold's height with its text, never at its value.
struct Bar {
  std::string label;
  double first = 0;
  double second = 0;
  bool first_pale = false;
  bool second_pale = false;
  std::string first_text;
  std::string second_text;
};

// A count axis from 0 at `base` up `height` points, with round ticks
// (NiceTicks) as grid lines and numbers left of `left`: the value drawn at
// the top, to scale by.
double CountAxis(Page& p, double left, double right, double base, double height,
                 double max);

// A coloured square and its text at (x, y).
void Legend(Page& p, double x, double y, Rgb color, const std::string& text);

// Grouped bars, period 1 and period 2 side by side, with a legend (the
// pale bars' text is `pale_legend`); `empty` is written instead when there
// are none.
void BarChart(Page& p, const std::vector<Bar>& bars, int64_t threshold,
              const std::string& empty, const std::string& pale_legend);

// The first lines of a report's first page; `extra` is one more line
// under the threshold's (empty: none).
void TitleBlock(Page& p, const std::string& title, const std::string& subject,
                const Period& first, const Period& second,
                absl::CivilDay made_on, int64_t threshold,
                const std::string& extra);

}  // namespace kvo::reports

#endif  // KVO_SERVICES_REPORTS_REPORT_PAGE_H_
