// The reduction report of a seeded area: every figure checked against a
// value worked out by hand here, the small counts hidden, the objectives
// judged, and the PDF read back with pdftotext.

#include "services/reports/reduction_report.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "services/cycle/cycle_rules.h"
#include "services/reports/reduction_pdf.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ReductionInputs Seeded() {
  ReductionInputs in;
  in.area_name = "Binnenstad Deventer";
  in.first = {absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 12, 31)};
  in.second = {absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)};
  in.labels = {{"theft", "Winkeldiefstal"}, {"violence", "Geweld"},
               {"nuisance", "Overlast"},    {"vandalism", "Vernieling"},
               {"upheld", "gegrond"},       {"rejected", "ongegrond"}};
  PeriodFacts& a = in.first_facts;
  a.incidents_by_type = {{"theft", 120}, {"violence", 3}, {"nuisance", 40}};
  a.police_by_category = {{"diefstal", 80}, {"inbraak", 10}};
  a.fire_by_category = {{"fire", 12}, {"false_alarm", 3}};
  a.damage_cents = 1234567;
  a.warnings_issued = 30;
  a.bans_issued = 8;
  a.objections_by_outcome = {{"upheld", 2}, {"rejected", 6}};
  a.repeat_offenders = 7;
  a.survey = SurveyFacts{40, 22, 16, 8};
  a.donations = DonationFacts{181000, 90500, 70000, 10, 5, 5};
  for (int m = 1; m <= 12; ++m) {
    a.incidents_by_month[absl::CivilMonth(2024, m)] = 10 + m;
  }
  PeriodFacts& b = in.second_facts;
  b.incidents_by_type = {
      {"theft", 96}, {"violence", 6}, {"nuisance", 30}, {"vandalism", 2}};
  b.police_by_category = {{"diefstal", 60}, {"inbraak", 12}};
  b.fire_by_category = {{"fire", 9}, {"false_alarm", 6}};
  b.damage_cents = 987650;
  b.warnings_issued = 22;
  b.bans_issued = 4;
  b.objections_by_outcome = {{"rejected", 5}};
  b.repeat_offenders = 5;
  b.survey = SurveyFacts{38, 26, 10, 7};
  b.donations = DonationFacts{362000, 181000, 140000, 20, 10, 10};
  for (int m = 1; m <= 12; ++m) {
    b.incidents_by_month[absl::CivilMonth(2025, m)] = m == 2 ? 3 : 12;
  }
  in.objectives = {
      {"Winkeldiefstal 10 % minder", "incidents.theft", -10},
      {"Aangiftebereidheid 25 procentpunt hoger", "survey.reporting_rate", 25},
      {"Geweld 10 % minder", "incidents.violence", -10},
      {"Brandmeldingen 5 % minder", "police.brand", -5}};
  return in;
}

const Figure& Find(const ReductionReport& r, const std::string& metric) {
  for (const Section& s : r.sections) {
    for (const Figure& f : s.figures) {
      if (f.metric == metric) return f;
    }
  }
  static const Figure none;
  ADD_FAILURE() << "no figure " << metric;
  return none;
}

// Value in period 1, value in period 2, change: as the report prints them.
std::vector<std::string> Row(const ReductionReport& r,
                             const std::string& metric) {
  const Figure& f = Find(r, metric);
  return {FormatValue(f, false, r.threshold), FormatValue(f, true, r.threshold),
          FormatChange(f)};
}

using Cells = std::vector<std::string>;

TEST(ReductionReportTest, EveryFigureOfTheSeededAreaAsWorkedOutByHand) {
  auto r = BuildReductionReport(Seeded());
  ASSERT_TRUE(r.ok()) << r.status();
  // (96 - 120) / 120 = -20 %; (30 - 40) / 40 = -25 %.
  EXPECT_EQ(Row(*r, "incidents.theft"), (Cells{"120", "96", "-20,0 %"}));
  EXPECT_EQ(Row(*r, "incidents.nuisance"), (Cells{"40", "30", "-25,0 %"}));
  // 3 is below 5: hidden, and so is the change that would reveal it.
  EXPECT_EQ(Row(*r, "incidents.violence"), (Cells{"< 5", "6", ""}));
  EXPECT_EQ(Row(*r, "incidents.vandalism"), (Cells{"0", "< 5", ""}));
  // 163 and 134, but 163 - 120 - 40 would give the hidden 3 away (and
  // 134 - 96 - 30 - 6 the hidden 2): withheld, and so is the change.
  EXPECT_EQ(Row(*r, "incidents.total"), (Cells{"verborgen", "verborgen", ""}));
  // (987650 - 1234567) / 1234567 = -20.0003 %.
  EXPECT_EQ(Row(*r, "damage"), (Cells{"€ 12.345,67", "€ 9.876,50", "-20,0 %"}));
  EXPECT_EQ(Row(*r, "police.inbraak"), (Cells{"10", "12", "+20,0 %"}));
  EXPECT_EQ(Row(*r, "police.total"), (Cells{"90", "72", "-20,0 %"}));
  // The fire brigade's figures: their own section, small numbers hidden
  // like the police's (3 false alarms, and the total that would give them
  // away).
  EXPECT_EQ(Row(*r, "fire.fire"), (Cells{"12", "9", "-25,0 %"}));
  EXPECT_EQ(Row(*r, "fire.false_alarm"), (Cells{"< 5", "6", ""}));
  EXPECT_EQ(Row(*r, "fire.total"), (Cells{"verborgen", "15", ""}));
  // (22 - 30) / 30 = -26.67 %; 4 bans is below 5.
  EXPECT_EQ(Row(*r, "cards.collective_warning"),
            (Cells{"30", "22", "-26,7 %"}));
  EXPECT_EQ(Row(*r, "cards.ban"), (Cells{"8", "< 5", ""}));
  EXPECT_EQ(Row(*r, "objections.upheld"), (Cells{"< 5", "0", ""}));
  EXPECT_EQ(Row(*r, "objections.rejected"), (Cells{"6", "5", "-16,7 %"}));
  EXPECT_EQ(Row(*r, "repeat_offenders"), (Cells{"7", "5", "-28,6 %"}));
  // 22/40 = 55 %, 26/38 = 68.42 %: +13.42 percentage points.
  EXPECT_EQ(Row(*r, "survey.feel_safe"),
            (Cells{"55,0 %", "68,4 %", "+13,4 pp"}));
  // 16/40 = 40 %, 10/38 = 26.32 %: -13.68 pp.
  EXPECT_EQ(Row(*r, "survey.victimisation"),
            (Cells{"40,0 %", "26,3 %", "-13,7 pp"}));
  // Of the victims: 8/16 = 50 %, 7/10 = 70 %.
  EXPECT_EQ(Row(*r, "survey.reporting_rate"),
            (Cells{"50,0 %", "70,0 %", "+20,0 pp"}));
  EXPECT_EQ(Row(*r, "donations.shop_share"),
            (Cells{"€ 700,00", "€ 1.400,00", "+100,0 %"}));
}

TEST(ReductionReportTest, ObjectivesAreJudgedOnTheirFigure) {
  auto r = BuildReductionReport(Seeded());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->objectives.size(), 4u);
  EXPECT_TRUE(r->objectives[0].met);  // -20 % against -10 %
  EXPECT_DOUBLE_EQ(*r->objectives[0].measured_change, -20.0);
  EXPECT_FALSE(r->objectives[1].met);  // +20 pp against +25 pp
  // Hidden in print, but judged: 3 -> 6 is +100 %, not -10 %.
  EXPECT_FALSE(r->objectives[2].met);
  EXPECT_DOUBLE_EQ(*r->objectives[2].measured_change, 100.0);
  // ... and never printed: +100 % and the 6 would give the 3 away.
  EXPECT_FALSE(r->objectives[2].shown_change.has_value());
  EXPECT_DOUBLE_EQ(*r->objectives[0].shown_change, -20.0);
  EXPECT_FALSE(r->objectives[3].measured_change.has_value());  // no figure
  EXPECT_FALSE(r->objectives[3].met);
}

TEST(ReductionReportTest, MonthsCoverBothPeriodsAndHideSmallOnes) {
  auto r = BuildReductionReport(Seeded());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->first_months.size(), 12u);
  ASSERT_EQ(r->second_months.size(), 12u);
  EXPECT_EQ(r->first_months[0].month, absl::CivilMonth(2024, 1));
  EXPECT_EQ(r->first_months[11].count, 22);
  EXPECT_TRUE(r->second_months[1].small);  // February 2025: 3
  EXPECT_FALSE(r->second_months[0].small);
}

TEST(ReductionReportTest, AMonthIsPartialWhenTheDaysCoverOnlySomeOfIt) {
  using D = absl::CivilDay;
  const absl::CivilMonth dec(2026, 12);
  const struct {
    D from, to;
    Coverage expected;
    const char* why;
  } cases[] = {
      {D(2026, 12, 1), D(2026, 12, 31), Coverage::kWhole, "the month"},
      {D(2020, 1, 1), D(2027, 1, 1), Coverage::kWhole, "more than it"},
      {D(2020, 1, 1), D(2026, 12, 7), Coverage::kPartial, "today the 7th"},
      {D(2026, 12, 2), D(2027, 3, 1), Coverage::kPartial, "begun the 2nd"},
      {D(2027, 1, 1), D(2027, 3, 1), Coverage::kNone, "before the registry"},
      {D(2026, 1, 1), D(2026, 11, 30), Coverage::kNone, "after today"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MonthCoverage(dec, c.from, c.to), c.expected) << c.why;
  }
}

TEST(ReductionReportTest, TheRegistrysFirstAndLastMonthsArePartial) {
  ReductionInputs in = Seeded();
  // The area's incidents can reach back to 15 March 2024; the report is
  // made on 10 December 2025 (the periods as seeded: 2024 and 2025).
  in.registry_from = absl::CivilDay(2024, 3, 15);
  in.made_on = absl::CivilDay(2025, 12, 10);
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_months[0].coverage, Coverage::kNone);  // January 2024
  EXPECT_EQ(r->first_months[1].coverage, Coverage::kNone);
  EXPECT_EQ(r->first_months[2].coverage, Coverage::kPartial);  // March
  EXPECT_EQ(r->first_months[3].coverage, Coverage::kWhole);
  EXPECT_EQ(r->second_months[10].coverage, Coverage::kWhole);
  EXPECT_EQ(r->second_months[11].coverage, Coverage::kPartial);  // December
  // Without the registry's days every month counts as whole.
  auto whole = BuildReductionReport(Seeded());
  ASSERT_TRUE(whole.ok());
  for (const MonthPoint& m : whole->first_months) {
    EXPECT_EQ(m.coverage, Coverage::kWhole);
  }
}

TEST(ReductionReportTest, PoliceAndFireFiguresAreMonthlyLinesToo) {
  ReductionInputs in = Seeded();
  in.first_facts.police_by_month = {{absl::CivilMonth(2024, 1), 30},
                                    {absl::CivilMonth(2024, 2), 2}};
  in.second_facts.police_by_month = {{absl::CivilMonth(2025, 1), 25}};
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->figure_months.size(), 1u) << "no fire figures: no fire line";
  const MonthSeries& police = r->figure_months[0];
  EXPECT_EQ(police.label, "Politie");
  ASSERT_EQ(police.first.size(), 12u);
  ASSERT_EQ(police.second.size(), 12u);
  EXPECT_EQ(police.first[0].count, 30);
  EXPECT_EQ(police.first[0].coverage, Coverage::kWhole);
  // A small month is hidden like the registry's, with company.
  EXPECT_TRUE(police.first[1].small);
  EXPECT_TRUE(police.first[0].withheld);
  // Between the first and the last month imported a month without
  // figures is 0; after the last there are none.
  EXPECT_EQ(police.first[2].coverage, Coverage::kWhole);
  EXPECT_EQ(police.first[2].count, 0);
  EXPECT_EQ(police.second[0].count, 25);
  EXPECT_EQ(police.second[0].coverage, Coverage::kWhole);
  EXPECT_EQ(police.second[1].coverage, Coverage::kNone);

  in.second_facts.fire_by_month = {{absl::CivilMonth(2025, 3), 7}};
  auto both = BuildReductionReport(in);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->figure_months.size(), 2u);
  EXPECT_EQ(both->figure_months[1].label, "Brandweer");
  EXPECT_EQ(both->figure_months[1].second[2].count, 7);
}

TEST(ReductionReportTest, AHiddenMonthGetsCompanySoTheTotalCannotShowIt) {
  ReductionInputs in = Seeded();
  // No type hidden any more: 7 violent incidents and 9 vandalism in both.
  for (PeriodFacts* f : {&in.first_facts, &in.second_facts}) {
    f->incidents_by_type["violence"] = 7;
    f->incidents_by_type["vandalism"] = 9;
  }
  in.second_facts.incidents_by_month[absl::CivilMonth(2025, 7)] = 10;
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  // Both totals are shown: 120 + 7 + 40 + 9 and 96 + 7 + 30 + 9.
  EXPECT_EQ(Row(*r, "incidents.total"), (Cells{"176", "142", "-19,3 %"}));
  // Period 1's months are all 5 or more: every one shown.
  for (const MonthPoint& m : r->first_months) {
    EXPECT_FALSE(m.small || m.withheld) << absl::FormatCivilTime(m.month);
  }
  // Period 2's February (3) is hidden, and with it the smallest month
  // shown (July, 10): the total minus the others gives 13, not the 3.
  int withheld = 0;
  for (const MonthPoint& m : r->second_months) withheld += m.withheld;
  EXPECT_EQ(withheld, 1);
  EXPECT_TRUE(r->second_months[1].small);
  EXPECT_TRUE(r->second_months[6].withheld);
}

TEST(ReductionReportTest, AMissingMeasurementIsSaidNotFailed) {
  ReductionInputs in = Seeded();
  in.first_facts.survey.reset();
  in.first_facts.donations.reset();
  in.second_facts.donations.reset();
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string text = ReductionText(*r);
  EXPECT_THAT(text, HasSubstr("Geen enquête voor de 0-meting"));
  EXPECT_THAT(text, HasSubstr("module is niet in gebruik"));
  EXPECT_FALSE(r->objectives[1].measured_change.has_value());
}

TEST(ReductionReportTest, FireBrigadeFiguresHaveTheirOwnSection) {
  ReductionInputs in = Seeded();
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string text = ReductionText(*r);
  EXPECT_THAT(text, HasSubstr("Brandweercijfers"));
  EXPECT_THAT(text, HasSubstr("Brandweercijfers totaal"));
  EXPECT_THAT(ReductionCsv(*r), HasSubstr("Brandweercijfers"));
  in.first_facts.fire_by_category.clear();
  in.second_facts.fire_by_category.clear();
  r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  text = ReductionText(*r);
  EXPECT_THAT(text, HasSubstr("Geen brandweercijfers ingelezen"));
  EXPECT_THAT(text, HasSubstr("Politiecijfers totaal"));
  in.second_facts.fire_by_category["fire"] = -1;
  EXPECT_EQ(BuildReductionReport(in).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReductionReportTest, BadInputNamesTheProblem) {
  ReductionInputs in = Seeded();
  in.second = {absl::CivilDay(2025, 12, 31), absl::CivilDay(2025, 1, 1)};
  auto r = BuildReductionReport(in);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("ends before it starts"));

  in = Seeded();
  in.second = {absl::CivilDay(2024, 6, 1), absl::CivilDay(2025, 5, 31)};
  r = BuildReductionReport(in);
  EXPECT_THAT(r.status().message(), HasSubstr("overlap"));

  in = Seeded();
  in.second_facts.incidents_by_type["theft"] = -1;
  r = BuildReductionReport(in);
  EXPECT_THAT(r.status().message(), HasSubstr("theft must not be negative"));

  in = Seeded();
  in.first_facts.survey->reported = 17;  // more reporters than victims
  r = BuildReductionReport(in);
  EXPECT_THAT(r.status().message(), HasSubstr("do not add up"));
}

TEST(ReductionReportTest, CsvKeepsHiddenValuesHidden) {
  auto r = BuildReductionReport(Seeded());
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string csv = ReductionCsv(*r);
  EXPECT_THAT(csv, HasSubstr("Incidenten (registratie),Winkeldiefstal,"
                             "incidents.theft,120,96,\"-20,0 %\"\n"));
  EXPECT_THAT(csv, HasSubstr("Geweld,incidents.violence,< 5,6,\n"));
  EXPECT_THAT(csv, Not(HasSubstr(",3,")));
}

// The report's PDF read back with pdftotext ("" when it cannot be made);
// kept as `name` in $KVO_ARTIFACTS for a person to look at (pdftoppm).
std::string PdfText(const ReductionReport& r, absl::CivilDay made_on,
                    const std::string& name) {
  auto pdf = RenderReductionPdf(r, made_on);
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  if (!pdf.ok()) return "";
  kvo::testing::TempDir dir;
  const auto file = dir.path() / name;
  std::ofstream(file, std::ios::binary) << *pdf;
  if (const char* out = std::getenv("KVO_ARTIFACTS")) {
    std::filesystem::create_directories(out);
    std::filesystem::copy_file(
        file, std::filesystem::path(out) / name,
        std::filesystem::copy_options::overwrite_existing);
  }
  return kvo::testing::RunCommand({"/usr/bin/pdftotext", file.string(), "-"})
      .out;
}

TEST(ReductionReportTest, ThePdfReadsBackWithItsHeadlineFigures) {
  auto r = BuildReductionReport(Seeded());
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string text =
      PdfText(*r, absl::CivilDay(2026, 11, 30), "reduction_report.pdf");
  EXPECT_THAT(text, HasSubstr("Rapport criminaliteitsreductie"));
  EXPECT_THAT(text, HasSubstr("Binnenstad Deventer"));
  EXPECT_THAT(text, HasSubstr("1 januari 2024 t/m 31 december 2024"));
  EXPECT_THAT(text, HasSubstr("Opgemaakt op 30 november 2026"));
  EXPECT_THAT(text, HasSubstr("-20,0 %"));
  EXPECT_THAT(text, HasSubstr("€ 12.345,67"));
  EXPECT_THAT(text, HasSubstr("+20,0 pp"));
  EXPECT_THAT(text, HasSubstr("niet gehaald"));
  EXPECT_THAT(text, HasSubstr("< 5"));
  EXPECT_THAT(text, HasSubstr("Incidenten per maand"));
  EXPECT_THAT(text, HasSubstr("gemeten +20,0 pp"));
  EXPECT_THAT(text, Not(HasSubstr("+100,0 %)")));
}

// The monthly chart: police and fire lines beside the registry's, round
// ticks, and the partial months left out and named under it.
TEST(ReductionReportTest, TheMonthlyChartNamesWhatItLeavesOut) {
  ReductionInputs in = Seeded();
  in.registry_from = absl::CivilDay(2024, 3, 15);
  in.made_on = absl::CivilDay(2025, 12, 10);
  for (int m = 1; m <= 12; ++m) {
    in.first_facts.police_by_month[absl::CivilMonth(2024, m)] = 40 + 2 * m;
    in.second_facts.police_by_month[absl::CivilMonth(2025, m)] = 30 + m;
    in.second_facts.fire_by_month[absl::CivilMonth(2025, m)] = 5 + m % 3;
  }
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string text =
      PdfText(*r, absl::CivilDay(2025, 12, 10), "reduction_months.pdf");
  std::replace(text.begin(), text.end(), '\n', ' ');
  EXPECT_THAT(text, HasSubstr("Politie"));
  EXPECT_THAT(text, HasSubstr("Brandweer"));
  EXPECT_THAT(text, HasSubstr("Register periode 1"));
  EXPECT_THAT(text, HasSubstr("Niet getekend: maart 2024, december 2025."));
  EXPECT_THAT(text, HasSubstr("Geen registercijfers voor januari t/m "
                              "februari 2024"));
}

// The metrics an objective may name (cycle's ObjectiveMetrics, checked when
// the objective is written) are exactly the figures this report emits for
// the default policy's offence types and police categories.
TEST(ReductionReportTest, ObjectiveMetricsAreTheReportsFigures) {
  auto policy = common::LoadPolicyFile(std::string(KVO_SOURCE_DIR) +
                                       "/policy/default.textproto");
  ASSERT_TRUE(policy.ok()) << policy.status();
  ReductionInputs in = Seeded();
  for (PeriodFacts* f : {&in.first_facts, &in.second_facts}) {
    f->incidents_by_type.clear();
    f->police_by_category.clear();
    for (const auto& t : policy->offence_types()) {
      f->incidents_by_type[t.code()] = 7;
    }
    for (const auto& c : cycle::FigureCategories(policy->cycle())) {
      f->police_by_category[c] = 7;
      f->fire_by_category[c] = 7;
    }
    for (const char* o : {"upheld", "rejected", "pending"}) {
      f->objections_by_outcome[o] = 1;
    }
    f->donations = DonationFacts{100, 50, 25, 1, 1, 1};
  }
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> emitted;
  for (const Section& s : r->sections) {
    for (const Figure& f : s.figures) emitted.insert(f.metric);
  }
  const auto metrics = cycle::ObjectiveMetrics(*policy);
  EXPECT_EQ(emitted, std::set<std::string>(metrics.begin(), metrics.end()));
}

// Every claim is EUR 181: a sum of fewer than 5 claims tells how many
// there were ("Gevorderd EUR 181,00": one), so it is hidden like the count.
TEST(ReductionReportTest, MoneyOfFewerThanFiveClaimsIsHidden) {
  ReductionInputs in;
  in.area_name = "Binnenstad Deventer";
  in.first = {absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 12, 31)};
  in.second = {absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)};
  in.first_facts.donations = DonationFacts{18100, 18100, 14000, 1, 1, 1};
  in.second_facts.donations = DonationFacts{90500, 36200, 28000, 5, 2, 2};
  auto r = BuildReductionReport(in);
  ASSERT_TRUE(r.ok()) << r.status();
  for (const Section& s : r->sections) {
    for (const Figure& f : s.figures) {
      if (f.metric == "donations.claimed") {
        EXPECT_EQ(FormatValue(f, false, 5), "verborgen");
        EXPECT_EQ(FormatValue(f, true, 5), "€ 905,00");
        EXPECT_FALSE(f.change.has_value());
      } else if (f.metric == "donations.paid" ||
                 f.metric == "donations.shop_share") {
        EXPECT_EQ(FormatValue(f, false, 5), "verborgen");
        EXPECT_EQ(FormatValue(f, true, 5), "verborgen");
      }
    }
  }
}

}  // namespace
}  // namespace kvo::reports
