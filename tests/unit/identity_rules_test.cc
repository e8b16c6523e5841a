#include "services/identity/identity_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/crypto.h"

namespace kvo::identity {
namespace {

using ::testing::HasSubstr;

TEST(ValidateLoginTest, AcceptsAndRejects) {
  EXPECT_TRUE(ValidateLogin("jan.de-vries_2").ok());
  for (const char* bad :
       {"", "ab", "Jan", "-jan", "jan de vries", "jan@shop", "ja\xc3\xa9n"}) {
    absl::Status s = ValidateLogin(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("login:"));
  }
  EXPECT_FALSE(ValidateLogin(std::string(65, 'a')).ok());
}

TEST(ValidateDisplayNameTest, NeedsPlainUtf8) {
  EXPECT_TRUE(ValidateDisplayName("Jan de Vries (Bakkerij 't Stoepje)").ok());
  EXPECT_TRUE(ValidateDisplayName("Zoë Çelik").ok());
  EXPECT_FALSE(ValidateDisplayName("").ok());
  EXPECT_FALSE(ValidateDisplayName("bad\xff").ok());
  EXPECT_FALSE(ValidateDisplayName("line\nbreak").ok());
  EXPECT_FALSE(ValidateDisplayName(std::string(201, 'x')).ok());
}

struct PasswordCase {
  std::string password;
  std::string why;  // empty: accepted
};

class CheckPasswordTest : public ::testing::TestWithParam<PasswordCase> {};

TEST_P(CheckPasswordTest, Decides) {
  absl::Status s =
      CheckPassword(GetParam().password, "jdevries", "Jan de Vries", 12);
  if (GetParam().why.empty()) {
    EXPECT_TRUE(s.ok()) << s;
  } else {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr(GetParam().why));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CheckPasswordTest,
    ::testing::Values(PasswordCase{"correct horse battery", ""},
                      PasswordCase{"Zw4rte-Piet-Kade-17", ""},
                      PasswordCase{"short1!", "at least 12"},
                      PasswordCase{"aaaaaaaaaaaaaaaa", "simple sequence"},
                      PasswordCase{"12345678901", "at least 12"},
                      PasswordCase{"098765432109", "simple sequence"},
                      PasswordCase{"1234567890123", "simple sequence"},
                      PasswordCase{"abcdefghijklmn", "simple sequence"},
                      PasswordCase{"jdevries-2026!", "login"},
                      PasswordCase{"Jan de Vries", "name"},
                      PasswordCase{"wachtwoord123", "well-known"},
                      PasswordCase{"Password1234", "well-known"},
                      PasswordCase{"tab\there-is-bad", "control"},
                      PasswordCase{std::string(257, 'x') + "y", "256 bytes"}));

TEST(RoleNamesTest, RoundTrip) {
  for (int r = kvo::v1::Role_MIN + 1; r <= kvo::v1::Role_MAX; ++r) {
    const auto role = static_cast<kvo::v1::Role>(r);
    EXPECT_EQ(RoleFromName(RoleName(role)), role);
  }
  EXPECT_EQ(RoleName(kvo::v1::ROLE_PRIVACY_OFFICER), "privacy_officer");
  EXPECT_FALSE(RoleFromName("superuser").has_value());
  EXPECT_FALSE(RoleFromName("").has_value());
}

TEST(OneTimeCodeTest, FormatAndNormalisation) {
  ASSERT_TRUE(common::InitCrypto());
  const std::string code = NewOneTimeCode();
  ASSERT_EQ(code.size(), 23u);  // 4 groups of 5 with dashes
  EXPECT_EQ(code[5], '-');
  auto normal = NormalizeOneTimeCode(code);
  ASSERT_TRUE(normal.has_value());
  EXPECT_EQ(normal->size(), 20u);
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(NormalizeOneTimeCode(lower), normal);
  EXPECT_FALSE(NormalizeOneTimeCode("ABCDE").has_value());
  EXPECT_FALSE(NormalizeOneTimeCode("ABCDE-FGHIJ-KLMNO-PQRSU").has_value())
      << "I, L, O and U are not in the alphabet";
  EXPECT_NE(NewOneTimeCode(), NewOneTimeCode());
}

TEST(SessionTokenTest, Is256BitHex) {
  ASSERT_TRUE(common::InitCrypto());
  const std::string token = NewSessionToken();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(common::HexDecode(token).has_value());
  EXPECT_NE(token, NewSessionToken());
}

TEST(PasswordHashTest, Argon2idRoundTrip) {
  ASSERT_TRUE(common::InitCrypto());
  auto hash = common::HashPassword("correct horse battery");
  ASSERT_TRUE(hash.has_value());
  EXPECT_THAT(*hash, ::testing::StartsWith("$argon2id$"));
  EXPECT_TRUE(common::VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(common::VerifyPassword(*hash, "correct horse batterY"));
}

}  // namespace
}  // namespace kvo::identity
