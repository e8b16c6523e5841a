#include "services/reports/report_page.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/dutch_date.h"
#include "services/common/dutch_number.h"
#include "services/notice/notice_pdf.h"
#include "services/reports/chart_scale.h"

namespace kvo::reports {

void TitleBlock(Page& p, const std::string& title, const std::string& subject,
                const Period& first, const Period& second,
                absl::CivilDay made_on, int64_t threshold,
                const std::string& extra) {
  p.Color(kInk);
  p.Font(18, true);
  p.y += 18;
  p.Text(kMargin, p.y, title);
  p.Font(13, true);
  p.y += 22;
  p.Text(kMargin, p.y, subject);
  p.Font(9.5);
  p.y += 20;
  p.Text(kMargin, p.y,
         absl::StrCat("Periode 1 (0-meting): ", FormatPeriod(first)));
  p.y += 14;
  p.Text(kMargin, p.y,
         absl::StrCat("Periode 2 (1-meting): ", FormatPeriod(second)));
  p.y += 14;
  p.Text(kMargin, p.y,
         absl::StrCat("Opgemaakt op ",
                      common::DutchDate(int(made_on.year()), made_on.month(),
                                        made_on.day()),
                      "."));
  p.y += 14;
  p.Text(kMargin, p.y,
         absl::StrCat("Aantallen van 1 tot ", threshold, " staan er als \"< ",
                      threshold, "\": geen persoon mag herkenbaar zijn."));
  if (!extra.empty()) {
    p.y += 14;
    p.Text(kMargin, p.y, extra);
  }
  p.y += 10;
}

void TableHeading(Page& p, const std::string& title) {
  Heading(p, title);
  p.Font(8.5, true);
  p.Need(14);
  p.y += 12;
  p.RightText(kColumn1, p.y, "Periode 1");
  p.RightText(kColumn2, p.y, "Periode 2");
  p.RightText(kColumn3, p.y, "Verschil");
}

void Values(Page& p, const std::string& first, const std::string& second,
            const std::string& change) {
  p.RightText(kColumn1, p.y, first);
  p.RightText(kColumn2, p.y, second);
  p.RightText(kColumn3, p.y, change);
}

double CountAxis(Page& p, double left, double right, double base, double height,
                 double max) {
  const std::vector<int64_t> ticks = NiceTicks(max);
  const double top = double(ticks.back());
  for (int64_t t : ticks) {
    const double gy = base - height * double(t) / top;
    p.Color(kGrid);
    p.Line(left, gy, right, gy, 0.3);
    p.Color(kInk);
    p.Font(7.5);
    p.RightText(left - 4, gy + 3, common::DutchCount(t));
  }
  return top;
}

void Legend(Page& p, double x, double y, Rgb color, const std::string& text) {
  p.Color(color);
  p.Box(x, y - 8, 10, 10);
  p.Color(kInk);
  p.Font(8.5);
  p.Text(x + 14, y, text);
}

void BarChart(Page& p, const std::vector<Bar>& bars, int64_t threshold,
              const std::string& empty, const std::string& pale_legend) {
  if (bars.empty()) {
    p.Font(9.5);
    p.y += 14;
    p.Text(kMargin, p.y, empty);
    return;
  }
  const double chart_h = 170, top = p.y + 22;
  p.Need(chart_h + 70);
  double max = double(threshold);
  for (const Bar& b : bars) max = std::max({max, b.first, b.second});
  const double left = kMargin + 30, right = kWidth - kMargin;
  const double base = top + chart_h;
  const double slot = (right - left) / bars.size();
  const double bar_w = std::min(28.0, slot * 0.35);
  max = CountAxis(p, left, right, base, chart_h, max);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double cx = left + slot * (i + 0.5);
    for (int period = 0; period < 2; ++period) {
      const bool pale = period == 0 ? b.first_pale : b.second_pale;
      const double v =
          pale ? double(threshold) : (period == 0 ? b.first : b.second);
      const double h = chart_h * v / max;
      const double x = period == 0 ? cx - bar_w - 1 : cx + 1;
      p.Color(pale ? kPale : (period == 0 ? kFirst : kSecond));
      p.Box(x, base - h, bar_w, h);
      p.Color(kInk);
      p.Font(7.5);
      p.CenterText(x + bar_w / 2, base - h - 3,
                   period == 0 ? b.first_text : b.second_text);
    }
    p.Font(8);
    std::string label = b.label;
    while (p.Width(label) > slot - 4 && label.size() > 4) {
      // Drop the ellipsis added before whole, never one of its bytes.
      if (absl::EndsWith(label, "…")) label.resize(label.size() - 3);
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
  Legend(p, kMargin + 300, p.y, kPale, pale_legend);
  p.y += 6;
}

}  // namespace kvo::reports
