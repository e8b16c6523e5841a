// The README's example of sending every signed tree head to a second place
// (--audit-head-command), run as written there with a local file standing
// in for the auditor's: the heads arrive, and `kvo audit verify` holds the
// log to the last one with the key that signed it, and fails on a head the
// log does not extend.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;

// The README's line, up to where it hands the line to ssh.
constexpr char kHeadLine[] =
    "printf \"%s %s %s %s %s\\n\" \"$KVO_HEAD_SIZE\" \"$KVO_HEAD_ROOT\" "
    "\"$KVO_HEAD_TIMESTAMP_MS\" \"$KVO_HEAD_SIGNATURE\" "
    "\"$KVO_HEAD_PUBLIC_KEY\"";

class HeadCommandE2E : public KvodFixture {
 protected:
  void SetUp() override {
    heads_ = tmp_.path() / "elsewhere" / "heads.log";
    std::filesystem::create_directories(heads_.parent_path());
    extra_kvod_args_.push_back(std::string("--audit-head-command=") +
                               kHeadLine + " >> '" + heads_.string() + "'");
    KvodFixture::SetUp();
  }

  // The last line of the heads file whose size is at least `size`.
  std::vector<std::string> LineFor(uint64_t size) {
    for (int i = 0; i < 100; ++i) {
      std::ifstream in(heads_);
      std::string line, last;
      while (std::getline(in, line)) {
        if (!line.empty()) last = line;
      }
      std::vector<std::string> f = absl::StrSplit(last, ' ');
      if (f.size() == 5 && std::stoull(f[0]) >= size) return f;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no head of size " << size << " arrived in " << heads_;
    return {};
  }

  std::filesystem::path heads_;
};

TEST_F(HeadCommandE2E, HeadsSentToASecondPlaceBindTheLog) {
  MakeUser("fg.kopie", kvo::v1::ROLE_PRIVACY_OFFICER, {});
  const kvo::v1::SignedTreeHead head = WaitForSignedHead(admin_);
  const std::vector<std::string> f = LineFor(head.tree_size());
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[1].size(), 64u) << "the root, hex";
  EXPECT_EQ(f[3].size(), 128u) << "the Ed25519 signature, hex";

  ASSERT_EQ(
      kvod_->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword)
          .exit_code,
      0);
  // The auditor's check, as in the README.
  CommandResult verify = kvod_->Kvo({"audit", "verify", "--public-key", f[4],
                                     "--pin-head", f[0] + ":" + f[1]});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_EQ(Field(verify.out, "ok"), "ja");

  // A log that does not extend the head kept elsewhere fails the check.
  std::string other = f[1];
  other[0] = other[0] == '0' ? '1' : '0';
  CommandResult forged = kvod_->Kvo({"audit", "verify", "--public-key", f[4],
                                     "--pin-head", f[0] + ":" + other});
  EXPECT_NE(forged.exit_code, 0) << Describe(forged);
  EXPECT_THAT(forged.out + forged.err, HasSubstr("pin")) << Describe(forged);
}

}  // namespace
}  // namespace kvo::testing
