#include "services/donations/payment_reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace kvo::donations {
namespace {

using ::testing::HasSubstr;

// The Betaalvereniging's worked example: (5)000 0567 8901 2345.
TEST(PaymentReferenceTest, CheckDigitOfThePublishedExample) {
  EXPECT_EQ(CheckDigit("000056789012345"), 5);
  EXPECT_TRUE(CheckPaymentReference("5000056789012345", "ref").ok());
  EXPECT_TRUE(CheckPaymentReference("5000 0567 8901 2345", "ref").ok());
}

TEST(PaymentReferenceTest, TenAndElevenMapToOneAndZero) {
  // Sum 0 -> 11 - 0 = 11 -> 0.
  EXPECT_EQ(CheckDigit("000000000000000"), 0);
  // Weight of the rightmost digit is 2: "...01" sums to 2 -> 9; find 10:
  // sum % 11 == 1 -> C = 10 -> 1. Digit 6 with weight 2 = 12 -> 12 % 11 = 1.
  EXPECT_EQ(CheckDigit("000000000000006"), 1);
}

TEST(PaymentReferenceTest, EveryDigitMistypedOnceIsCaught) {
  const std::string good = MakePaymentReference(123456789, 424242);
  ASSERT_TRUE(CheckPaymentReference(good, "ref").ok());
  for (size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      // Modulus 11 with these weights catches every single wrong digit.
      EXPECT_FALSE(CheckPaymentReference(bad, "ref").ok()) << bad;
    }
  }
}

TEST(PaymentReferenceTest, UniquePerSerialAndRightLength) {
  std::set<std::string> seen;
  for (int64_t serial = 1; serial <= 2000; ++serial) {
    const std::string r = MakePaymentReference(serial, 7);
    EXPECT_EQ(r.size(), 16u);
    EXPECT_TRUE(CheckPaymentReference(r, "ref").ok()) << r;
    EXPECT_TRUE(seen.insert(r).second) << r;
  }
}

TEST(PaymentReferenceTest, MalformedIsRefusedNamingTheField) {
  for (const char* bad : {"", "123", "50000567890123456", "500005678901234x"}) {
    auto s = CheckPaymentReference(bad, "payment_reference (--reference)");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("--reference"));
  }
  EXPECT_EQ(FormatPaymentReference("5000056789012345"), "5000 0567 8901 2345");
}

}  // namespace
}  // namespace kvo::donations
