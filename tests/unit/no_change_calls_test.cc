#include "services/common/no_change_calls.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/log.h"
#include "services/common/log_writer.h"

namespace kvo::common {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(NoChangeCounterTest, SumsUpAnIntervalAndStartsAgain) {
  const auto t0 = NoChangeCounter::Clock::time_point{} + 1h;
  NoChangeCounter counter(t0);
  counter.Note(1.0);
  counter.Note(4.0);
  counter.Note(1.0);
  const NoChangeCounter::Summary first = counter.Take(t0 + 60s);
  EXPECT_EQ(first.calls, 3);
  EXPECT_DOUBLE_EQ(first.total_ms, 6.0);
  EXPECT_DOUBLE_EQ(first.max_ms, 4.0);
  EXPECT_DOUBLE_EQ(first.seconds, 60.0);

  counter.Note(2.0);
  const NoChangeCounter::Summary second = counter.Take(t0 + 90s);
  EXPECT_EQ(second.calls, 1);
  EXPECT_DOUBLE_EQ(second.max_ms, 2.0);
  EXPECT_DOUBLE_EQ(second.seconds, 30.0);
  EXPECT_EQ(counter.Take(t0 + 100s).calls, 0);
}

TEST(NoChangeCounterTest, TheMarkIsTakenOffTheTrailingMetadata) {
  std::multimap<std::string, std::string> trailing = {
      {"retry-after-seconds", "5"}};
  EXPECT_FALSE(TakeNoChangeMark(trailing));
  trailing.emplace("kvo-log-no-change", "1");
  EXPECT_TRUE(TakeNoChangeMark(trailing));
  EXPECT_EQ(trailing.size(), 1u) << "the client must not see the mark";
  EXPECT_FALSE(TakeNoChangeMark(trailing));
}

class StringSink final : public LogSink {
 public:
  explicit StringSink(std::shared_ptr<std::string> out)
      : out_(std::move(out)) {}
  void Write(absl::string_view lines) override {
    out_->append(lines.data(), lines.size());
  }

 private:
  std::shared_ptr<std::string> out_;
};

TEST(NoChangeCounterTest, TheSummaryIsOneLineAndNoneForAnEmptyInterval) {
  auto out = std::make_shared<std::string>();
  StartLogWriter(std::make_unique<StringSink>(out));
  NoChangeCounter::Summary summary;
  summary.calls = 4;
  summary.total_ms = 2.0;
  summary.max_ms = 1.25;
  summary.seconds = 60;
  LogNoChangeSummary(summary);
  LogNoChangeSummary(NoChangeCounter::Summary{});
  StopLogWriter();
  EXPECT_THAT(*out, HasSubstr("\"level\":\"info\",\"msg\":\"door syncs\","
                              "\"no_change\":\"4\",\"ms_avg\":\"0.500\","
                              "\"ms_max\":\"1.250\",\"seconds\":\"60\"}\n"));
  EXPECT_EQ(std::count(out->begin(), out->end(), '\n'), 1);
}

}  // namespace
}  // namespace kvo::common
