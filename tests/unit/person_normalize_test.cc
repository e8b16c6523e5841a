// Spelling variants of one person meet in the blind index; different
// people and bad input do not.
#include "services/registry/person_normalize.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvo::registry {
namespace {

using ::testing::HasSubstr;

std::string N(absl::string_view given, absl::string_view prefix,
              absl::string_view surname, absl::string_view dob = "1990-04-01") {
  auto n = NormalizeForBlindIndex(given, prefix, surname, dob);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or("");
}

TEST(PersonNormalizeTest, VariantsMeet) {
  const std::string base = N("Jan", "van der", "Berg");
  EXPECT_EQ(base, "jan|berg|1990-04-01");
  EXPECT_EQ(N("JAN", "", "Van der Berg"), base);
  EXPECT_EQ(N(" jan ", "Van Der", "berg"), base);
  EXPECT_EQ(N("Jan", "", "van den Berg"), N("Jan", "", "Berg"));
  EXPECT_EQ(N("Zoë", "", "Müller"), "zoe|muller|1990-04-01");
  EXPECT_EQ(N("Zoe", "", "MÜLLER"), N("Zoë", "", "Muller"));
  EXPECT_EQ(N("Jan-Willem", "", "Berg"), N("Jan Willem", "", "Berg"));
  EXPECT_EQ(N("Piet", "", "Straße"), N("Piet", "", "Strasse"));
  EXPECT_EQ(N("Piet", "", "IJzerman"), N("Piet", "", "Ĳzerman"));
  EXPECT_EQ(N("Anne", "'t", "Hart"), N("Anne", "", "'t Hart"));
  EXPECT_EQ(N("Anne", "", "’t Hart"), N("Anne", "", "Hart"));
  EXPECT_EQ(N("Sophie", "d'", "Ancona"), N("Sophie", "", "D'Ancona"));
  EXPECT_EQ(N("François", "", "Ćelić"), "francois|celic|1990-04-01");
}

TEST(PersonNormalizeTest, DifferentPeopleDoNotMeet) {
  EXPECT_NE(N("Jan", "", "Berg"), N("Jan", "", "Bergen"));
  EXPECT_NE(N("Jan", "", "Berg"), N("Jans", "", "Berg"));
  EXPECT_NE(N("Jan", "", "Berg"), N("Jan", "", "Berg", "1990-04-02"));
  // A surname that is only a prefix word stays itself.
  EXPECT_EQ(N("Jan", "", "Van"), "jan|van|1990-04-01");
}

TEST(PersonNormalizeTest, BadInputNamesTheField) {
  struct Case {
    const char *given, *prefix, *surname, *dob, *field;
  };
  for (const Case& c : {Case{"Jan", "", "Berg", "2023-02-29", "date_of_birth"},
                        Case{"Jan", "", "Berg", "1990-13-01", "date_of_birth"},
                        Case{"Jan", "", "Berg", "01-04-1990", "date_of_birth"},
                        Case{"Jan", "", "Berg", "", "date_of_birth"},
                        Case{"Jan", "", "", "1990-04-01", "surname"},
                        Case{"Jan", "van der", "", "1990-04-01", "surname"},
                        Case{"", "", "Berg", "1990-04-01", "given_names"},
                        Case{"J\xff", "", "Berg", "1990-04-01", "given_names"},
                        Case{"Jan", "", "B\xc3", "1990-04-01", "surname"}}) {
    auto n = NormalizeForBlindIndex(c.given, c.prefix, c.surname, c.dob);
    ASSERT_FALSE(n.ok()) << c.surname << " " << c.dob;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(n.status().message(), HasSubstr(c.field));
  }
}

}  // namespace
}  // namespace kvo::registry
