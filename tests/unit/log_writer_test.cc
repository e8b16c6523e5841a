#include "services/common/log_writer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvo::common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// What a sink was handed, shared with the test (the writer owns the sink).
struct Captured {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> writes;
  std::vector<std::thread::id> threads;
  // While true, Write waits (the disk is slow); `entered` once it waits.
  bool hold = false;
  bool entered = false;

  std::string All() {
    std::lock_guard lock(mu);
    std::string all;
    for (const auto& w : writes) all += w;
    return all;
  }
  size_t Writes() {
    std::lock_guard lock(mu);
    return writes.size();
  }
};

class CapturingSink final : public LogSink {
 public:
  explicit CapturingSink(std::shared_ptr<Captured> out)
      : out_(std::move(out)) {}
  void Write(absl::string_view lines) override {
    std::unique_lock lock(out_->mu);
    out_->entered = true;
    out_->changed.notify_all();
    out_->changed.wait(lock, [&] { return !out_->hold; });
    out_->writes.emplace_back(lines);
    out_->threads.push_back(std::this_thread::get_id());
    out_->changed.notify_all();
  }

 private:
  std::shared_ptr<Captured> out_;
};

std::string Line(int n) { return absl::StrCat("{\"n\":", n, "}\n"); }

TEST(LogWriterTest, LinesAreWrittenInBatchesByTheWriterThread) {
  auto out = std::make_shared<Captured>();
  LogWriter writer(std::make_unique<CapturingSink>(out), {});
  std::string expected;
  for (int i = 0; i < 500; ++i) {
    writer.Append(Line(i));
    expected += Line(i);
  }
  writer.Flush();
  EXPECT_EQ(out->All(), expected);
  EXPECT_LT(out->Writes(), 50u) << "one write(2) per line, or nearly";
  for (auto id : out->threads) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(LogWriterTest, AQueuedLineIsWrittenWithinTheInterval) {
  auto out = std::make_shared<Captured>();
  LogWriter::Options options;
  options.flush_interval = 50ms;
  LogWriter writer(std::make_unique<CapturingSink>(out), options);
  writer.Append(Line(1));
  std::unique_lock lock(out->mu);
  EXPECT_TRUE(out->changed.wait_for(lock, 5s, [&] {
    return !out->writes.empty();
  })) << "never written without a Flush";
}

TEST(LogWriterTest, AnUrgentLineIsWrittenBeforeAppendReturnsAndInOrder) {
  auto out = std::make_shared<Captured>();
  LogWriter::Options options;
  options.flush_interval = std::chrono::hours(1);
  LogWriter writer(std::make_unique<CapturingSink>(out), options);
  writer.Append(Line(1));
  writer.Append(Line(2), /*urgent=*/true);
  EXPECT_EQ(out->All(), Line(1) + Line(2));
}

TEST(LogWriterTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  auto out = std::make_shared<Captured>();
  out->hold = true;
  LogWriter::Options options;
  options.flush_interval = std::chrono::hours(1);
  options.max_queued_bytes = 40;  // four lines of 10 bytes
  LogWriter writer(std::make_unique<CapturingSink>(out), options);
  writer.Append("{\"n\":100}\n");  // a quarter full: wakes the writer
  {
    std::unique_lock lock(out->mu);
    ASSERT_TRUE(out->changed.wait_for(lock, 5s, [&] { return out->entered; }));
  }
  // The writer is stuck in its sink with the first line: four more fit.
  for (int i = 101; i < 111; ++i)
    writer.Append(absl::StrCat("{\"n\":", i, "}\n"));
  EXPECT_EQ(writer.dropped(), 6);
  {
    std::lock_guard lock(out->mu);
    out->hold = false;
  }
  out->changed.notify_all();
  writer.Flush();
  const std::string all = out->All();
  EXPECT_THAT(all, HasSubstr("{\"n\":100}\n{\"n\":101}\n{\"n\":102}\n"
                             "{\"n\":103}\n{\"n\":104}\n"));
  EXPECT_THAT(all, Not(HasSubstr("{\"n\":105}")));
  EXPECT_THAT(all,
              HasSubstr("\"msg\":\"log lines dropped\",\"dropped\":\"6\""));
}

TEST(LogWriterTest, StopWritesWhatIsQueuedThenLinesGoOutAtOnce) {
  auto out = std::make_shared<Captured>();
  LogWriter::Options options;
  options.flush_interval = std::chrono::hours(1);
  LogWriter writer(std::make_unique<CapturingSink>(out), options);
  writer.Append(Line(1));
  writer.Stop();
  EXPECT_EQ(out->All(), Line(1));
  writer.Append(Line(2));
  EXPECT_EQ(out->All(), Line(1) + Line(2));
  writer.Stop();  // twice is fine
}

TEST(LogWriterTest, LinesFromManyThreadsStayWholeAndInTheirOrder) {
  auto out = std::make_shared<Captured>();
  LogWriter::Options options;
  options.flush_interval = 5ms;
  LogWriter writer(std::make_unique<CapturingSink>(out), options);
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < kLines; ++i) {
        writer.Append(absl::StrCat("{\"t\":", t, ",\"i\":", i, "}\n"));
      }
    });
  }
  for (auto& t : threads) t.join();
  writer.Stop();
  ASSERT_EQ(writer.dropped(), 0);
  std::vector<int> next(kThreads, 0);
  for (absl::string_view line : absl::StrSplit(out->All(), '\n')) {
    if (line.empty()) continue;
    int t = -1, i = -1;
    ASSERT_EQ(
        std::sscanf(std::string(line).c_str(), "{\"t\":%d,\"i\":%d}", &t, &i),
        2)
        << line;
    ASSERT_TRUE(t >= 0 && t < kThreads) << line;
    EXPECT_EQ(i, next[t]++) << line;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kLines);
}

}  // namespace
}  // namespace kvo::common
