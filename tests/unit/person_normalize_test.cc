// Spelling variants of one person meet in the blind index; different
// people and bad input do not.
#include "services/registry/person_normalize.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/text.h"

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

// Names of persons and principals (common::CheckNameCharacters): what
// reorders or hides text is refused, naming the field and the character.
TEST(NameCharactersTest, BidiZeroWidthAndControlsAreRefused) {
  struct Case {
    const char* value;
    const char* code_point;
    const char* why;
  };
  for (const Case& c : {
           Case{"Jan\u202eneB", "U+202E", "bidirectional override"},
           Case{"\u202aJan", "U+202A", "bidirectional override"},
           Case{"Jan\u2066x\u2069", "U+2066", "isolate"},
           Case{"Jan\u2069", "U+2069", "isolate"},
           Case{"Jan\u200e", "U+200E", "bidirectional mark"},
           Case{"Jan\u200f", "U+200F", "bidirectional mark"},
           Case{"Jan\u061c", "U+061C", "bidirectional mark"},
           Case{"Ja\u200bn", "U+200B", "zero-width"},
           Case{"Ja\u200cn", "U+200C", "zero-width"},
           Case{"Ja\u200dn", "U+200D", "zero-width"},
           Case{"Ja\u2060n", "U+2060", "zero-width"},
           Case{"\ufeffJan", "U+FEFF", "zero-width"},
           Case{"Ja\u2028n", "U+2028", "separator"},
           Case{"Ja\x07n", "U+0007", "control"},
           Case{"Ja\tn", "U+0009", "control"},
           Case{"Ja\x7fn", "U+007F", "control"},
           Case{"Ja\u0085n", "U+0085", "control"},
       }) {
    const absl::Status s = common::CheckNameCharacters("surname", c.value);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.code_point;
    EXPECT_THAT(s.message(), HasSubstr("surname: ")) << c.code_point;
    EXPECT_THAT(s.message(), HasSubstr(c.code_point));
    EXPECT_THAT(s.message(), HasSubstr(c.why)) << s.message();
    EXPECT_THAT(s.message(), HasSubstr("not allowed"));
  }
  EXPECT_THAT(common::CheckNameCharacters("display_name", "J\xff").message(),
              HasSubstr("display_name: must be valid UTF-8"));
}

TEST(NameCharactersTest, RealNamesInAnyScriptPass) {
  for (const char* name :
       {"Jan Willem", "van der", "O'Neil-de Vries", "Ren\u00e9e",
        "\u00d6zt\u00fcrk", "\u0645\u062d\u0645\u062f",  // Arabic
        "\u05d3\u05d5\u05d3",                            // Hebrew
        "\u674e\u5c0f\u9f99", "\u0141ukasz", "", "\U0001f600"}) {
    EXPECT_TRUE(common::CheckNameCharacters("given_names", name).ok()) << name;
  }
}

}  // namespace
}  // namespace kvo::registry
