// kvo demo seed's plan: the same seed gives the same data, the area looks
// like a city centre (40 shops in 3 streets), the incidents drop visibly
// after the plan started, and the placeholder photo is a real PNG.

#include <map>
#include <set>

#include "clients/cli/demo_photo.h"
#include "clients/cli/demo_plan.h"
#include "gtest/gtest.h"

namespace kvo::cli {
namespace {

const absl::CivilDay kToday(2026, 12, 1);

TEST(DemoPlanTest, TheSameSeedGivesTheSameData) {
  const DemoPlan a = MakeDemoPlan(17, kToday, "Binnenstad (demo)", "Demostad");
  const DemoPlan b = MakeDemoPlan(17, kToday, "Binnenstad (demo)", "Demostad");
  const DemoPlan c = MakeDemoPlan(18, kToday, "Binnenstad (demo)", "Demostad");
  ASSERT_EQ(a.incidents.size(), b.incidents.size());
  for (size_t i = 0; i < a.incidents.size(); ++i) {
    EXPECT_EQ(a.incidents[i].at, b.incidents[i].at);
    EXPECT_EQ(a.incidents[i].offence_type, b.incidents[i].offence_type);
    EXPECT_EQ(a.incidents[i].damage_cents, b.incidents[i].damage_cents);
  }
  EXPECT_EQ(a.persons[3].surname, b.persons[3].surname);
  EXPECT_EQ(a.police_csv, b.police_csv);
  EXPECT_NE(a.police_csv + std::to_string(a.incidents.size()),
            c.police_csv + std::to_string(c.incidents.size()));
}

TEST(DemoPlanTest, ACityCentreWithAVisibleDropAfterThePlan) {
  const DemoPlan p = MakeDemoPlan(17, kToday, "Binnenstad (demo)", "Demostad");
  EXPECT_EQ(p.streets.size(), 3u);
  EXPECT_EQ(p.shops.size(), 40u);
  std::set<std::string> names;
  std::map<int, int> per_street;
  for (const DemoShop& s : p.shops) {
    names.insert(s.name);
    ++per_street[s.street];
  }
  EXPECT_EQ(names.size(), 40u) << "shop names are distinct";
  EXPECT_EQ(per_street.size(), 3u);
  // Whole calendar months, back to back, the second up to today: twelve
  // months, then eleven and today's month.
  EXPECT_EQ(p.second_to, kToday);
  EXPECT_EQ(p.second_from.day(), 1);
  EXPECT_EQ(p.first_from.day(), 1);
  EXPECT_EQ(absl::CivilMonth(p.second_from), absl::CivilMonth(kToday) - 11);
  EXPECT_EQ(p.first_to + 1, p.second_from);
  EXPECT_EQ(absl::CivilMonth(p.first_from),
            absl::CivilMonth(p.second_from) - 12);
  EXPECT_EQ((p.report_second_to() + 1).day(), 1);
  EXPECT_EQ(absl::CivilMonth(p.report_second_to()), absl::CivilMonth(kToday));
  int before = 0, after = 0;
  for (const DemoIncident& in : p.incidents) {
    const absl::CivilDay day(in.at);
    ASSERT_GE(day, p.first_from);
    ASSERT_LE(day, p.second_to);
    (day < p.second_from ? before : after) += 1;
    EXPECT_LT(in.shop, 40);
    EXPECT_LT(in.person, int(p.persons.size()));
  }
  EXPECT_GT(before, 300);
  EXPECT_LT(after, before * 8 / 10) << before << " -> " << after;
  EXPECT_GT(after, before * 4 / 10);
  EXPECT_EQ(p.carded.size(), 6u);
  // Demo persons carry a marked surname: never mistaken for a real one.
  for (const DemoPerson& person : p.persons) {
    EXPECT_NE(person.surname.find("demo"), std::string::npos);
  }
  EXPECT_EQ(p.police_csv.rfind("period,category,count\n", 0), 0u);
}

TEST(DemoPlanTest, ThePlaceholderPhotoIsAPng) {
  const std::string png = DemoPhotoPng(2);
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_NE(DemoPhotoPng(1), png) << "the background differs";
}

}  // namespace
}  // namespace kvo::cli
