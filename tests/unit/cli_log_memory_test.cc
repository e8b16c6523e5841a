// What kvo remembers of an audit log between runs: the key it pinned and
// every head it checked, per server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "clients/cli/log_memory.h"

namespace kvo::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LogMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kvo-log-memory-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = LogMemoryPath(dir_ / "config");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static LogMemory Head(uint64_t size, char root) {
    return {std::string(32, 'k'), size, std::string(32, root)};
  }
  int Lines() {
    std::ifstream in(path_);
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line[0] != '#';
    return n;
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(LogMemoryTest, EveryHeadStaysOnRecordAndTheLastOneCounts) {
  std::string error;
  auto empty = LoadLogMemory(path_, "a:1", &error);
  ASSERT_TRUE(empty.has_value()) << error;
  EXPECT_TRUE(empty->public_key.empty());
  ASSERT_TRUE(SaveLogMemory(path_, "a:1", Head(5, 'x'), &error)) << error;
  ASSERT_TRUE(SaveLogMemory(path_, "b:2", Head(9, 'y'), &error)) << error;
  ASSERT_TRUE(SaveLogMemory(path_, "a:1", Head(7, 'z'), &error)) << error;
  ASSERT_TRUE(SaveLogMemory(path_, "a:1", Head(7, 'z'), &error)) << error;
  EXPECT_EQ(Lines(), 3) << "the same head twice is one line";
  auto a = LoadLogMemory(path_, "a:1", &error);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->tree_size, 7u);
  EXPECT_EQ(a->root_hash, std::string(32, 'z'));
  EXPECT_EQ(LoadLogMemory(path_, "b:2", &error)->tree_size, 9u);
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LogMemoryTest, ADamagedFileIsAnErrorNotAFreshStart) {
  fs::create_directories(dir_);
  std::ofstream(path_) << "a:1 zz 5 yy\n";
  std::string error;
  EXPECT_FALSE(LoadLogMemory(path_, "a:1", &error).has_value());
  EXPECT_THAT(error, HasSubstr("audit-trust:1: damaged"));
  EXPECT_FALSE(SaveLogMemory(path_, "a:1", Head(5, 'x'), &error));
}

TEST(PinnedHeadTest, ParsesSizeAndRoot) {
  auto pinned = ParsePinnedHead("12:" + std::string(64, 'a'));
  ASSERT_TRUE(pinned.has_value());
  EXPECT_EQ(pinned->tree_size, 12u);
  EXPECT_FALSE(ParsePinnedHead("0:" + std::string(64, 'a')).has_value());
  EXPECT_FALSE(ParsePinnedHead("12:abcd").has_value());
  EXPECT_FALSE(ParsePinnedHead("12").has_value());
}

}  // namespace
}  // namespace kvo::cli
