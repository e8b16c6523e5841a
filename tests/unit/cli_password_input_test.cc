#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "clients/cli/password_input.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvo::cli {
namespace {

using ::testing::HasSubstr;

std::optional<std::string> FromText(const std::string& text,
                                    std::string* error) {
  std::istringstream in(text);
  return ReadPasswordLine(in, error);
}

TEST(CliPasswordInputTest, ReadsOneLineWithoutItsEnding) {
  std::string error;
  EXPECT_EQ(FromText("correct horse\nsecond line\n", &error), "correct horse");
  EXPECT_EQ(FromText("windows\r\n", &error), "windows");
  EXPECT_EQ(FromText("no newline", &error), "no newline");
  EXPECT_EQ(FromText(" spaces kept \n", &error), " spaces kept ");
}

TEST(CliPasswordInputTest, EmptyOrMissingIsAnError) {
  std::string error;
  EXPECT_EQ(FromText("\n", &error), std::nullopt);
  EXPECT_THAT(error, HasSubstr("empty password"));
  error.clear();
  EXPECT_EQ(FromText("", &error), std::nullopt);
  EXPECT_THAT(error, HasSubstr("no password on stdin"));
}

// Without --password-stdin kvo only prompts on a terminal; anything else
// (a pipe, /dev/null) is a usage error rather than a hang or a silent read.
TEST(CliPasswordInputTest, RefusesToPromptWithoutATerminal) {
  const int saved = ::dup(STDIN_FILENO);
  ASSERT_GE(saved, 0);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(null_fd, 0);
  ASSERT_EQ(::dup2(null_fd, STDIN_FILENO), STDIN_FILENO);
  ::close(null_fd);
  std::string error;
  auto password = ReadPassword({.from_stdin = false, .confirm = true}, &error);
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  EXPECT_EQ(password, std::nullopt);
  EXPECT_THAT(error, HasSubstr("--password-stdin"));
}

TEST(CliPasswordInputTest, WipeSecretEmptiesTheString) {
  std::string secret = "hunter2-hunter2-hunter2-long-enough";
  WipeSecret(&secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace kvo::cli
