#include <gtest/gtest.h>

#include "clients/cli/donation_commands.h"

namespace kvo::cli {
namespace {

TEST(ParseEurosTest, WholeCentsOnly) {
  EXPECT_EQ(ParseEuros("181"), 18100);
  EXPECT_EQ(ParseEuros("181.00"), 18100);
  EXPECT_EQ(ParseEuros("60,50"), 6050);
  EXPECT_EQ(ParseEuros("0.5"), 50);
  EXPECT_EQ(ParseEuros(" 12.34 "), 1234);
  EXPECT_EQ(ParseEuros("-5"), -500) << "the server refuses it, naming --amount";
  EXPECT_EQ(ParseEuros("0"), 0);
  for (const char* bad : {"12.345", "", "abc", "12.", ".5", "1e3", "12.3.4",
                          "€12", "9999999999999"}) {
    EXPECT_FALSE(ParseEuros(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kvo::cli
