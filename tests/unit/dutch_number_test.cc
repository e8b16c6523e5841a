#include "services/common/dutch_number.h"

#include <gtest/gtest.h>

namespace kvo::common {
namespace {

TEST(DutchNumber, DecimalComma) {
  struct Case {
    double v;
    int decimals;
    const char* fixed;
    const char* short_form;
  };
  const Case cases[] = {
      {-7.5, 2, "-7,50", "-7,5"},      {-10, 2, "-10,00", "-10"},
      {12.25, 2, "12,25", "12,25"},    {-12.5, 1, "-12,5", "-12,5"},
      {10, 1, "10,0", "10"},           {-0.01, 1, "0,0", "0"},
      {1234.5, 1, "1234,5", "1234,5"}, {0.333, 2, "0,33", "0,33"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DutchDecimal(c.v, c.decimals), c.fixed) << c.v;
    EXPECT_EQ(DutchShortDecimal(c.v, c.decimals), c.short_form) << c.v;
  }
}

}  // namespace
}  // namespace kvo::common
