#include "services/identity/identity_rules.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/crypto.h"
#include "services/identity/hashing_slots.h"
#include "services/identity/refusal_throttle.h"

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

TEST(LockoutTest, FailuresCountUntilTheLockEnds) {
  constexpr int64_t kNow = 1'000'000;
  EXPECT_FALSE(LockedAt(std::nullopt, kNow));
  EXPECT_TRUE(LockedAt(kNow + 1, kNow));
  EXPECT_FALSE(LockedAt(kNow, kNow));
  EXPECT_EQ(FailuresThatCount(3, std::nullopt, kNow), 3);
  EXPECT_EQ(FailuresThatCount(5, kNow + 60'000, kNow), 5);
  EXPECT_EQ(FailuresThatCount(5, kNow - 1, kNow), 0)
      << "an ended lock starts the count again";
  EXPECT_FALSE(FailureLocks(0, 5));
  EXPECT_FALSE(FailureLocks(3, 5));
  EXPECT_TRUE(FailureLocks(4, 5));
  EXPECT_FALSE(FailureLocks(FailuresThatCount(5, kNow - 1, kNow), 5));
}

TEST(RefusalThrottleTest, AuditsTheFirstThenCountsPerAddressAndMinute) {
  RefusalThrottle throttle(3);
  std::vector<RefusalThrottle::Summary> due;
  int alone = 0;
  for (int i = 0; i < 100; ++i)
    alone += throttle.Note("ipv4:10.0.0.1", 1000 + i, &due);
  EXPECT_EQ(alone, 3);
  EXPECT_TRUE(due.empty());
  // Another address has its own allowance.
  EXPECT_TRUE(throttle.Note("ipv4:10.0.0.2", 2000, &due));
  EXPECT_TRUE(throttle.TakeDue(1000 + RefusalThrottle::kWindowMs - 1).empty());
  // The next minute's first refusal hands over the summary of the last.
  EXPECT_TRUE(
      throttle.Note("ipv4:10.0.0.1", 1000 + RefusalThrottle::kWindowMs, &due));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].address, "ipv4:10.0.0.1");
  EXPECT_EQ(due[0].count, 97);
  EXPECT_EQ(due[0].window_start_ms, 1000);
  EXPECT_THAT(RefusalSummaryPurpose(due[0]),
              HasSubstr("97 refusals of unauthenticated calls from "
                        "ipv4:10.0.0.1"));
}

TEST(RefusalThrottleTest, FlushesEndedWindowsAndEverythingAtShutdown) {
  RefusalThrottle throttle(1);
  std::vector<RefusalThrottle::Summary> due;
  for (int i = 0; i < 10; ++i) throttle.Note("a", 0, &due);
  for (int i = 0; i < 4; ++i) throttle.Note("b", 30'000, &due);
  auto ended = throttle.TakeDue(RefusalThrottle::kWindowMs);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].address, "a");
  EXPECT_EQ(ended[0].count, 9);
  EXPECT_TRUE(throttle.TakeDue(RefusalThrottle::kWindowMs).empty())
      << "a summary is handed over once";
  auto rest = throttle.TakeAll();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].address, "b");
  EXPECT_EQ(rest[0].count, 3);
  EXPECT_TRUE(throttle.TakeAll().empty());
}

TEST(RefusalThrottleTest, CountsEveryRefusalUnderContention) {
  RefusalThrottle throttle(5);
  std::atomic<int64_t> alone{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<RefusalThrottle::Summary> due;
      for (int i = 0; i < 1000; ++i) alone += throttle.Note("x", 0, &due);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(alone.load(), 5);
  auto rest = throttle.TakeAll();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].count, 3995);
}

TEST(HashingSlotsTest, AtMostCapacityAtOnceAndBoundedWait) {
  HashingSlots slots(2);
  EXPECT_EQ(slots.capacity(), 2);
  EXPECT_GE(HashingSlots(0).capacity(), 1);
  auto a = slots.Acquire(std::chrono::milliseconds(10));
  auto b = slots.Acquire(std::chrono::milliseconds(10));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(slots.Acquire(std::chrono::milliseconds(20)))
      << "a third caller gets no slot after the wait";
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    a = HashingSlots::Slot();
  });
  EXPECT_TRUE(slots.Acquire(std::chrono::seconds(30)))
      << "a freed slot goes to the one waiting";
  release.join();
}

}  // namespace
}  // namespace kvo::identity
