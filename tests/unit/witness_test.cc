// The witness file: what kvod remembers of the audit log outside the
// database, and how it reads back after a crash or an edit.
#include "services/audit/witness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "services/common/crypto.h"
#include "tests/support/pg_environment.h"

namespace kvo::audit {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

StoredTreeHead Head(uint64_t size, char root) {
  return {size, std::string(32, root), 1000 + static_cast<int64_t>(size),
          std::string(64, 's'), std::string(32, 'k')};
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = tmp_.path() / "audit" / "witness.log"; }
  std::unique_ptr<Witness> Open() {
    auto w = Witness::Open(path_);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }
  void AppendRaw(const std::string& text) {
    std::ofstream(path_, std::ios::app) << text;
  }

  kvo::testing::TempDir tmp_;
  fs::path path_;
};

TEST_F(WitnessTest, HeadsSurviveAReopenWithTheirCommitState) {
  {
    auto w = Open();
    ASSERT_TRUE(w->Record(Head(0, 'a'), true).ok());
    ASSERT_TRUE(w->Record(Head(5, 'b'), false).ok());
    ASSERT_TRUE(w->Confirm(5).ok());
    ASSERT_TRUE(w->Record(Head(9, 'c'), false).ok());
  }
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto w = Open();
  auto heads = w->Heads();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_TRUE(heads[1].committed);
  EXPECT_EQ(heads[1].head.root_hash, std::string(32, 'b'));
  EXPECT_FALSE(heads[2].committed);
  ASSERT_TRUE(w->Void(9).ok());
  EXPECT_EQ(Open()->Latest()->head.tree_size, 5u);
}

TEST_F(WitnessTest, AContradictingHeadIsRefusedAndNotWritten) {
  auto w = Open();
  ASSERT_TRUE(w->Record(Head(5, 'b'), true).ok());
  EXPECT_EQ(w->Record(Head(4, 'x'), true).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Record(Head(5, 'x'), true).code(),
            absl::StatusCode::kFailedPrecondition);
  // A fresher signature of the same tree is fine.
  EXPECT_TRUE(w->Record(Head(5, 'b'), true).ok());
  EXPECT_EQ(Open()->Heads().size(), 2u);
}

TEST_F(WitnessTest, ATornLastLineIsIgnoredAnEditedOneIsDataLoss) {
  {
    auto w = Open();
    ASSERT_TRUE(w->Record(Head(3, 'a'), true).ok());
  }
  AppendRaw("head 7 6162");  // a crash mid-write: no newline
  auto w = Open();
  EXPECT_EQ(w->Latest()->head.tree_size, 3u);
  w.reset();
  AppendRaw("\nhead 7 not-hex\n");
  auto broken = Witness::Open(path_);
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(broken.status().message(), HasSubstr("witness.log:3"));
}

TEST_F(WitnessTest, AFileOthersCanReadIsRefused) {
  Open();
  fs::permissions(path_, fs::perms::others_read, fs::perm_options::add);
  EXPECT_EQ(Witness::Open(path_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace kvo::audit
