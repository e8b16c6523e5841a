#include "services/common/proc_stat.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kvo::common {
namespace {

TEST(ProcStatTest, ReadsThisProcess) {
  const auto fields = ProcStatFields(getpid());
  ASSERT_GT(fields.size(), 20u);
  EXPECT_EQ(fields[1], std::to_string(getppid()));
  EXPECT_TRUE(ProcessAlive(getpid()));
}

TEST(ProcStatTest, AZombieIsNotAliveAndAReapedProcessHasNoFields) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  // Until it is reaped the child is a zombie: still in /proc, not alive.
  for (int i = 0; i < 500 && ProcStatFields(child).at(0) != "Z"; ++i) {
    usleep(10000);
  }
  EXPECT_EQ(ProcStatFields(child).at(0), "Z");
  EXPECT_FALSE(ProcessAlive(child));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  // Gone: empty, no exception (a stream's failed read would throw).
  EXPECT_TRUE(ProcStatFields(child).empty());
  EXPECT_FALSE(ProcessAlive(child));
  EXPECT_TRUE(ProcStatFields(0).empty());
}

}  // namespace
}  // namespace kvo::common
