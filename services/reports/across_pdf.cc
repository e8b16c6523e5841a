#include "services/reports/across_pdf.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/notice/notice_pdf.h"
#include "services/reports/report_page.h"

namespace kvo::reports {
namespace {

// The incidents of each area (and the total) for both periods.
void Bars(Page& p, const AcrossReport& r) {
  std::vector<Bar> bars;
  for (const AcrossRow& row : r.rows) {
    if (row.metric != "incidents.total") continue;
    for (size_t i = 0; i < row.areas.size(); ++i) {
      const AcrossCell& c = row.areas[i];
      bars.push_back({r.area_names[i], c.figure.first, c.figure.second,
                      c.figure.first_small || c.figure.first_withheld,
                      c.figure.second_small || c.figure.second_withheld,
                      FormatCell(c, false, r.threshold),
                      FormatCell(c, true, r.threshold)});
    }
  }
  Heading(p, "Incidenten per gebied");
  BarChart(p, bars, r.threshold, "Geen incidenten in deze perioden.",
           absl::StrCat("minder dan ", r.threshold, " of verborgen"));
}

void Tables(Page& p, const AcrossReport& r) {
  std::string section;
  for (const AcrossRow& row : r.rows) {
    if (row.section != section) {
      section = row.section;
      TableHeading(p, section);
    }
    p.Need(14 * (row.areas.size() + 2));
    p.y += 14;
    p.Color(kInk);
    p.Font(9.5, true);
    p.Text(kMargin, p.y, row.label);
    auto line = [&](const std::string& name, const AcrossCell& c, bool bold) {
      p.y += 12.5;
      p.Color(kInk);
      p.Font(9, bold);
      p.Text(kMargin + 12, p.y, name);
      Values(p, FormatCell(c, false, r.threshold),
             FormatCell(c, true, r.threshold), FormatCellChange(c));
    };
    for (size_t i = 0; i < row.areas.size(); ++i) {
      line(r.area_names[i], row.areas[i], false);
    }
    line("Totaal", row.total, true);
    p.Color(kGrid);
    p.Line(kMargin, p.y + 3.5, kColumn3, p.y + 3.5, 0.3);
  }
  if (!r.notes.empty()) Heading(p, "Wat ontbreekt");
  p.Font(9);
  p.Color(kInk);
  for (const std::string& note : r.notes) {
    p.Need(14);
    p.y += 13;
    p.Text(kMargin, p.y, note);
  }
}

}  // namespace

absl::StatusOr<std::string> RenderAcrossPdf(const AcrossReport& r,
                                            absl::CivilDay made_on) {
  return notice::DrawA4Pdf([&](cairo_t* cr) {
    Page p(cr);
    TitleBlock(p, "Criminaliteitsreductie per gebied", r.title, r.first,
               r.second, made_on, r.threshold,
               "\"verborgen\": een totaal dat een klein aantal zou verraden.");
    Bars(p, r);
    Tables(p, r);
  });
}

}  // namespace kvo::reports
