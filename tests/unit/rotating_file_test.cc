#include "services/common/rotating_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/pg_environment.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;
using ::kvo::testing::TempDir;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Mode(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 0777;
}

// A 30-byte line: "line 0007 xxxxxxxxxxxxxxxxxxx\n".
std::string Line(int n) {
  std::string line = absl::StrCat("line ", absl::Dec(n, absl::kZeroPad4), " ");
  line.append(29 - line.size(), 'x');
  return line + "\n";
}

fs::path Numbered(const fs::path& path, int n) {
  return absl::StrCat(path.string(), ".", n);
}

// The lines of PATH.keep ... PATH.1, PATH, oldest first.
std::vector<std::string> AllLines(const fs::path& path, int keep) {
  std::string all;
  for (int n = keep; n >= 1; --n) all += Read(Numbered(path, n));
  all += Read(path);
  std::vector<std::string> lines = absl::StrSplit(all, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(RotatingFileTest, RotatesBeforeALineWouldPassTheLimit) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  auto file = RotatingFile::Open(path, 100, 3);
  ASSERT_TRUE(file.ok()) << file.status();
  for (int i = 0; i < 3; ++i) (*file)->Write(Line(i));
  EXPECT_EQ(fs::file_size(path), 90u);
  EXPECT_FALSE(fs::exists(Numbered(path, 1)));
  (*file)->Write(Line(3));  // 120 bytes would pass 100
  EXPECT_EQ(Read(Numbered(path, 1)), Line(0) + Line(1) + Line(2));
  EXPECT_EQ(Read(path), Line(3));
}

TEST(RotatingFileTest, KeepsTheNewestFilesOnly) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  auto file = RotatingFile::Open(path, 100, 3);
  ASSERT_TRUE(file.ok()) << file.status();
  // 40 lines, 3 a file: 14 files' worth, of which PATH and 3 are kept.
  for (int i = 0; i < 40; ++i) (*file)->Write(Line(i));
  EXPECT_TRUE(fs::exists(Numbered(path, 3)));
  EXPECT_FALSE(fs::exists(Numbered(path, 4)));
  const std::vector<std::string> lines = AllLines(path, 3);
  ASSERT_EQ(lines.size(), 10u);  // 3 + 3 + 3 + the 1 of PATH
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i] + "\n", Line(30 + static_cast<int>(i)));
  }
}

TEST(RotatingFileTest, KeepZeroDropsTheOldLines) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  auto file = RotatingFile::Open(path, 100, 0);
  ASSERT_TRUE(file.ok()) << file.status();
  for (int i = 0; i < 5; ++i) (*file)->Write(Line(i));
  EXPECT_FALSE(fs::exists(Numbered(path, 1)));
  EXPECT_EQ(Read(path), Line(3) + Line(4));
}

TEST(RotatingFileTest, FilesAreOnlyTheOwnersToRead) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  const mode_t old_umask = ::umask(022);
  // An existing file someone made readable to all is tightened.
  std::ofstream(path) << Line(0);
  ::chmod(path.c_str(), 0644);
  auto file = RotatingFile::Open(path, 100, 2);
  ::umask(old_umask);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(Mode(path), 0600);
  for (int i = 1; i < 8; ++i) (*file)->Write(Line(i));
  EXPECT_EQ(Mode(path), 0600);
  EXPECT_EQ(Mode(Numbered(path, 1)), 0600);
  EXPECT_EQ(Mode(Numbered(path, 2)), 0600);
}

TEST(RotatingFileTest, ABatchIsSplitBetweenLinesNeverInsideOne) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  auto file = RotatingFile::Open(path, 400, 50);
  ASSERT_TRUE(file.ok()) << file.status();
  // Lines of 7 to 60 bytes in batches, as the writer thread hands them.
  std::vector<std::string> written;
  std::string batch;
  for (int i = 0; i < 200; ++i) {
    std::string line = absl::StrCat("{", i, ":");
    line.append(static_cast<size_t>(i * 7 % 55), 'y');
    line += "}";
    written.push_back(line);
    batch += line + "\n";
    if (i % 9 == 8) {
      (*file)->Write(batch);
      batch.clear();
    }
  }
  (*file)->Write(batch);
  int files = 0;
  for (int n = 1; n <= 50; ++n) {
    if (!fs::exists(Numbered(path, n))) break;
    ++files;
    const std::string content = Read(Numbered(path, n));
    EXPECT_LE(content.size(), 400u) << n;
    EXPECT_EQ(content.back(), '\n') << n;
  }
  EXPECT_GT(files, 10);
  EXPECT_LT(files, 50);  // nothing was dropped: every line is still here
  EXPECT_EQ(AllLines(path, 50), written);
}

TEST(RotatingFileTest, ALineLongerThanTheLimitGetsAFileOfItsOwn) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  auto file = RotatingFile::Open(path, 100, 3);
  ASSERT_TRUE(file.ok()) << file.status();
  const std::string long_line = std::string(250, 'z') + "\n";
  (*file)->Write(Line(0) + long_line + Line(1));
  EXPECT_EQ(Read(Numbered(path, 2)), Line(0));
  EXPECT_EQ(Read(Numbered(path, 1)), long_line);
  EXPECT_EQ(Read(path), Line(1));
}

TEST(RotatingFileTest, AppendsToAnExistingFileAndCountsItsSize) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kvod.log";
  std::ofstream(path) << Line(0) << Line(1) << Line(2);
  auto file = RotatingFile::Open(path, 100, 3);
  ASSERT_TRUE(file.ok()) << file.status();
  (*file)->Write(Line(3));
  EXPECT_EQ(Read(Numbered(path, 1)), Line(0) + Line(1) + Line(2));
  EXPECT_EQ(Read(path), Line(3));
}

TEST(RotatingFileTest, AnUnwritablePathIsRefusedAtOpen) {
  TempDir tmp;
  auto missing = RotatingFile::Open(tmp.path() / "no" / "kvod.log", 100, 3);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("cannot open log file"));
  EXPECT_EQ(RotatingFile::Open(tmp.path(), 100, 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RotatingFile::Open(tmp.path() / "x.log", 0, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kvo::common
