// The reduction report across areas: each area's figures and the total
// worked out by hand, and the totals withheld where subtracting the shown
// values would give a hidden count back.

#include "services/reports/across_report.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reports/across_pdf.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ReductionInputs Area(const std::string& name,
                     std::map<std::string, int64_t> first,
                     std::map<std::string, int64_t> second) {
  ReductionInputs in;
  in.area_name = name;
  in.first = {absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 12, 31)};
  in.second = {absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)};
  in.labels = {{"theft", "diefstal"}, {"violence", "geweld"}};
  in.first_facts.incidents_by_type = std::move(first);
  in.second_facts.incidents_by_type = std::move(second);
  in.first_facts.damage_cents = 10000;
  in.second_facts.damage_cents = 5000;
  in.first_facts.donations = DonationFacts{90500, 90500, 70000, 5, 5, 5};
  in.second_facts.donations = DonationFacts{0, 0, 0, 0, 0, 0};
  return in;
}

const AcrossRow& Row(const AcrossReport& r, const std::string& metric) {
  for (const AcrossRow& row : r.rows) {
    if (row.metric == metric) return row;
  }
  static const AcrossRow kNone;
  ADD_FAILURE() << "no row " << metric;
  return kNone;
}

std::vector<std::string> Line(const AcrossReport& r, const AcrossRow& row,
                              bool second) {
  std::vector<std::string> out;
  for (const AcrossCell& c : row.areas) {
    out.push_back(FormatCell(c, second, r.threshold));
  }
  out.push_back(FormatCell(row.total, second, r.threshold));
  return out;
}

using Cells = std::vector<std::string>;

TEST(AcrossReportTest, EachAreaAndTheTotalWorkedOutByHand) {
  auto r = BuildAcrossReport(
      "Deventer", {Area("Binnenstad", {{"theft", 40}, {"violence", 10}},
                        {{"theft", 30}, {"violence", 12}}),
                   Area("Keizerslanden", {{"theft", 20}}, {{"theft", 10}})});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->area_names, (Cells{"Binnenstad", "Keizerslanden"}));
  EXPECT_EQ(Line(*r, Row(*r, "incidents.theft"), false),
            (Cells{"40", "20", "60"}));
  EXPECT_EQ(Line(*r, Row(*r, "incidents.theft"), true),
            (Cells{"30", "10", "40"}));
  // An area without a line has 0 there.
  EXPECT_EQ(Line(*r, Row(*r, "incidents.violence"), true),
            (Cells{"12", "0", "12"}));
  EXPECT_EQ(Line(*r, Row(*r, "incidents.total"), false),
            (Cells{"50", "20", "70"}));
  // 70 -> 52: -25,7 %.
  EXPECT_EQ(FormatCellChange(Row(*r, "incidents.total").total), "-25,7 %");
  EXPECT_EQ(Line(*r, Row(*r, "damage"), false),
            (Cells{"€ 100,00", "€ 100,00", "€ 200,00"}));
  EXPECT_EQ(Line(*r, Row(*r, "donations.shop_share"), false),
            (Cells{"€ 700,00", "€ 700,00", "€ 1.400,00"}));
  EXPECT_THAT(AcrossCsv(*r),
              HasSubstr("Incidenten (registratie),diefstal,incidents.theft,"
                        "Totaal,60,40,\"-33,3 %\""));
  EXPECT_THAT(AcrossText(*r), HasSubstr("Keizerslanden"));
}

TEST(AcrossReportTest, ATotalThatWouldGiveAHiddenCountAwayIsWithheld) {
  // Keizerslanden has 3 violent incidents in 2025: hidden. The total (15)
  // minus Binnenstad's 12 would give it back, so it is withheld, and so
  // are the totals of the section in that period where it counts.
  auto r = BuildAcrossReport(
      "Deventer", {Area("Binnenstad", {{"theft", 40}, {"violence", 10}},
                        {{"theft", 30}, {"violence", 12}}),
                   Area("Keizerslanden", {{"theft", 20}, {"violence", 6}},
                        {{"theft", 10}, {"violence", 3}})});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Line(*r, Row(*r, "incidents.violence"), true),
            (Cells{"12", "< 5", "verborgen"}));
  EXPECT_EQ(Line(*r, Row(*r, "incidents.violence"), false),
            (Cells{"10", "6", "16"}));
  EXPECT_EQ(FormatCellChange(Row(*r, "incidents.violence").total), "");
  // Keizerslanden's own total (13) minus its thefts (10) gives 3: withheld;
  // so the grand total is, being that total plus Binnenstad's.
  EXPECT_EQ(Line(*r, Row(*r, "incidents.total"), true),
            (Cells{"42", "verborgen", "verborgen"}));
  EXPECT_EQ(Line(*r, Row(*r, "incidents.total"), false),
            (Cells{"50", "26", "76"}));
  // Thefts hide nothing: shown.
  EXPECT_EQ(Line(*r, Row(*r, "incidents.theft"), true),
            (Cells{"30", "10", "40"}));
  // Nowhere does a 3 appear.
  EXPECT_THAT(AcrossCsv(*r), Not(HasSubstr(",3,")));
}

TEST(AcrossReportTest, ZerosAreShownNotHiddenNorWithheld) {
  auto r = BuildAcrossReport("2 gebieden",
                             {Area("A", {{"theft", 0}}, {{"theft", 0}}),
                              Area("B", {{"theft", 20}}, {{"theft", 0}})});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Line(*r, Row(*r, "incidents.theft"), true), (Cells{"0", "0", "0"}));
}

TEST(AcrossReportTest, RefusesNoAreasAndDifferentPeriods) {
  EXPECT_EQ(BuildAcrossReport("X", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ReductionInputs a = Area("A", {}, {});
  ReductionInputs b = Area("B", {}, {});
  b.second.to = absl::CivilDay(2025, 6, 30);
  EXPECT_EQ(BuildAcrossReport("X", {a, b}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AcrossReportTest, ThePdfReadsBackWithTheTotals) {
  auto r = BuildAcrossReport(
      "Deventer", {Area("Binnenstad", {{"theft", 40}}, {{"theft", 30}}),
                   Area("Keizerslanden", {{"theft", 20}}, {{"theft", 3}})});
  ASSERT_TRUE(r.ok());
  auto pdf = RenderAcrossPdf(*r, absl::CivilDay(2026, 11, 30));
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  kvo::testing::TempDir dir;
  const auto path = dir.path() / "over.pdf";
  std::ofstream(path, std::ios::binary) << *pdf;
  const std::string text =
      kvo::testing::RunCommand({"/usr/bin/pdftotext", path.string(), "-"}).out;
  EXPECT_THAT(text, HasSubstr("Criminaliteitsreductie per gebied"));
  EXPECT_THAT(text, HasSubstr("30 november 2026"));
  EXPECT_THAT(text, HasSubstr("Keizerslanden"));
  EXPECT_THAT(text, HasSubstr("verborgen"));
  EXPECT_THAT(text, HasSubstr("60"));  // the first period's total
}

}  // namespace
}  // namespace kvo::reports
