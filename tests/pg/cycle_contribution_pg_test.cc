// The KVO cycle's part of the reduction report against a real database:
// the police's and the fire brigade's figures, each apart, of the months
// that begin within a period (not another area's), the measurement that
// lies within it, and
// only the objectives that name a metric.

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/local_time.h"
#include "services/reports/cycle_contribution.h"
#include "tests/support/pg_environment.h"

namespace kvo::reports {
namespace {

class CycleContributionPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    conn_ = std::make_unique<pqxx::connection>(conninfo());
    area_ = Area("A");
    other_ = Area("B");
    for (const auto& [area, source, period, category, count] :
         {std::tuple{area_, "police", "2024-12", "shoplifting", 100},
          {area_, "police", "2025-01", "shoplifting", 4},
          {area_, "police", "2025-06", "shoplifting", 7},
          {area_, "police", "2025-06", "vandalism", 2},
          {area_, "fire_brigade", "2025-06", "fire", 3},
          {area_, "fire_brigade", "2025-01", "false_alarm", 9},
          {other_, "fire_brigade", "2025-06", "fire", 40},
          {other_, "police", "2025-06", "shoplifting", 50},
          {area_, "police", "2026-01", "shoplifting", 1000}}) {
      Exec(
          absl::StrCat("INSERT INTO area_figures (area_id, source, period, "
                       "category, count) VALUES (",
                       area, ", '", source, "', '", period, "', '", category,
                       "', ", count, ")"));
    }
    const int64_t m = Id(absl::StrCat(
        "INSERT INTO survey_measurements (area_id, label, period_from, "
        "period_to, questionnaire_version) VALUES (",
        area_, ", '1-meting', '2025-01-01', '2025-12-31', 'v') RETURNING id"));
    for (const auto& [safe, victim, reported] : {std::tuple{true, true, true},
                                                 {true, true, false},
                                                 {false, false, false}}) {
      const int64_t shop =
          Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_,
                          ", md5(random()::text)) RETURNING id"));
      Exec(
          absl::StrCat("INSERT INTO survey_responses (measurement_id, "
                       "shop_id, feel_safe, victimised, reported) VALUES (",
                       m, ", ", shop, ", ", Bool(safe), ", ", Bool(victim),
                       ", ", Bool(reported), ")"));
    }
    Exec(absl::StrCat(
        "INSERT INTO plan_objectives (area_id, description, target, measure) "
        "VALUES (",
        area_, ", 'Meer samenwerking', '-', 'lighting')"));
    Exec(absl::StrCat(
        "INSERT INTO plan_objectives (area_id, description, target, measure, "
        "metric, target_change_pct) VALUES (",
        area_,
        ", 'Winkeldiefstal -10 %', '-10 %', 'lighting', 'police.shoplifting', "
        "-10)"));
  }

  static const char* Bool(bool b) { return b ? "true" : "false"; }
  int64_t Area(const std::string& name) {
    return Id(
        absl::StrCat("INSERT INTO areas (name, kind, municipality) VALUES ('",
                     name, "', 'shopping_area', 'Deventer') RETURNING id"));
  }
  void Exec(const std::string& sql) {
    pqxx::work tx(*conn_);
    tx.exec0(sql);
    tx.commit();
  }
  int64_t Id(const std::string& sql) {
    pqxx::work tx(*conn_);
    const int64_t id = tx.exec1(sql)[0].as<int64_t>();
    tx.commit();
    return id;
  }
  // [from, to] as the report passes it: the start of the first day to the
  // start of the day after the last.
  PeriodFacts Period(absl::CivilDay from, absl::CivilDay to) {
    pqxx::work tx(*conn_);
    PeriodFacts facts;
    EXPECT_TRUE(
        contribution_
            .AddPeriod(tx, area_, absl::FromCivil(from, common::Amsterdam()),
                       absl::FromCivil(to + 1, common::Amsterdam()), facts)
            .ok());
    return facts;
  }

  std::unique_ptr<pqxx::connection> conn_;
  CycleContribution contribution_;
  int64_t area_ = 0, other_ = 0;
};

TEST_F(CycleContributionPgTest, PoliceFiguresOfTheMonthsThatBeginInThePeriod) {
  PeriodFacts year =
      Period(absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(
      year.police_by_category,
      (std::map<std::string, int64_t>{{"shoplifting", 11}, {"vandalism", 2}}));
  // January begins before the period: left out.
  PeriodFacts late =
      Period(absl::CivilDay(2025, 1, 15), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(late.police_by_category["shoplifting"], 7);
}

TEST_F(CycleContributionPgTest, FiguresByMonthForTheChart) {
  PeriodFacts year =
      Period(absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
  // Every category of the month together; months without figures absent;
  // not another area's, not another period's.
  EXPECT_EQ(year.police_by_month, (std::map<absl::CivilMonth, int64_t>{
                                      {absl::CivilMonth(2025, 1), 4},
                                      {absl::CivilMonth(2025, 6), 9}}));
  EXPECT_EQ(year.fire_by_month, (std::map<absl::CivilMonth, int64_t>{
                                    {absl::CivilMonth(2025, 1), 9},
                                    {absl::CivilMonth(2025, 6), 3}}));
  PeriodFacts late =
      Period(absl::CivilDay(2025, 1, 15), absl::CivilDay(2025, 12, 31));
  EXPECT_FALSE(late.police_by_month.contains(absl::CivilMonth(2025, 1)));
}

TEST_F(CycleContributionPgTest, FireBrigadeFiguresApartFromThePolices) {
  PeriodFacts year =
      Period(absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(year.fire_by_category,
            (std::map<std::string, int64_t>{{"false_alarm", 9}, {"fire", 3}}));
  EXPECT_FALSE(year.police_by_category.contains("fire"));
  PeriodFacts late =
      Period(absl::CivilDay(2025, 1, 15), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(late.fire_by_category,
            (std::map<std::string, int64_t>{{"fire", 3}}));
}

TEST_F(CycleContributionPgTest, TheMeasurementWithinThePeriod) {
  PeriodFacts year =
      Period(absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31));
  ASSERT_TRUE(year.survey.has_value());
  EXPECT_EQ(year.survey->respondents, 3);
  EXPECT_EQ(year.survey->feel_safe, 2);
  EXPECT_EQ(year.survey->victimised, 2);
  EXPECT_EQ(year.survey->reported, 1);
  // A measurement that does not lie within the period is none of its.
  EXPECT_FALSE(Period(absl::CivilDay(2025, 2, 1), absl::CivilDay(2025, 12, 31))
                   .survey.has_value());
}

TEST_F(CycleContributionPgTest, OnlyObjectivesWithAMetric) {
  pqxx::work tx(*conn_);
  ReductionInputs in;
  ASSERT_TRUE(contribution_.AddObjectives(tx, area_, in).ok());
  ASSERT_EQ(in.objectives.size(), 1u);
  EXPECT_EQ(in.objectives[0].text, "Winkeldiefstal -10 %");
  EXPECT_EQ(in.objectives[0].metric, "police.shoplifting");
  EXPECT_DOUBLE_EQ(in.objectives[0].target_change_pct, -10);
  // Labels are the report's skeleton's (reduction_reports.cc), for one area
  // and across areas alike, not an objective's business.
  EXPECT_TRUE(in.labels.empty());
}

}  // namespace
}  // namespace kvo::reports
