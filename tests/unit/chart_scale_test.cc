// Round ticks on the reports' count axes.

#include "services/reports/chart_scale.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvo::reports {
namespace {

using Ticks = std::vector<int64_t>;

TEST(ChartScaleTest, TicksAreRoundAndReachTheMaximum) {
  // The chart: 0, 70, 139, 209, 278 before.
  EXPECT_EQ(NiceTicks(278), (Ticks{0, 50, 100, 150, 200, 250, 300}));
  EXPECT_EQ(NiceTicks(100), (Ticks{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(101), (Ticks{0, 20, 40, 60, 80, 100, 120}));
  EXPECT_EQ(NiceTicks(31), (Ticks{0, 5, 10, 15, 20, 25, 30, 35}));
  EXPECT_EQ(NiceTicks(12), (Ticks{0, 2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(NiceTicks(1840), (Ticks{0, 500, 1000, 1500, 2000}));
}

TEST(ChartScaleTest, CountsNeverGetAStepBelowOne) {
  EXPECT_EQ(NiceTicks(5), (Ticks{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(NiceTicks(2), (Ticks{0, 1, 2}));
  EXPECT_EQ(NiceTicks(0.5), (Ticks{0, 1}));
  EXPECT_EQ(NiceTicks(0), (Ticks{0, 1}));
  EXPECT_EQ(NiceTicks(-3), (Ticks{0, 1}));
}

TEST(ChartScaleTest, EveryStepIsOneTwoOrFiveTimesAPowerOfTen) {
  for (int max = 1; max <= 5000; max += 7) {
    const Ticks t = NiceTicks(max);
    ASSERT_GE(t.size(), 2u) << max;
    EXPECT_EQ(t.front(), 0);
    EXPECT_GE(t.back(), max);
    int64_t step = t[1] - t[0];
    EXPECT_LT(t.back() - step, max) << "no tick wasted above " << max;
    EXPECT_LE(t.size(), 12u) << max;
    if (max >= 2) {
      EXPECT_GE(t.size(), 3u) << max;
    }
    while (step % 10 == 0) step /= 10;
    EXPECT_TRUE(step == 1 || step == 2 || step == 5) << max;
  }
}

}  // namespace
}  // namespace kvo::reports
