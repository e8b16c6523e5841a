#ifndef KVO_SERVICES_COMMON_LOG_WRITER_H_
#define KVO_SERVICES_COMMON_LOG_WRITER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/string_view.h"
#include "services/common/log.h"

namespace kvo::common {

// Where log lines end up. Write is handed one or more whole lines (each
// ending in '\n') and is called from one thread at a time.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(absl::string_view lines) = 0;
};

// stderr, for a service manager to collect.
class StderrSink final : public LogSink {
 public:
  void Write(absl::string_view lines) override;
};

// Takes log lines from any thread and writes them to its sink from one
// thread of its own, in batches: a line waits at most `flush_interval`
// (sooner when much is queued), so an RPC thread never makes a write(2) for
// its line. The queue is bounded by `max_queued_bytes`; a line that does not
// fit is dropped and counted, and the count is written as a line of its own
// ("log lines dropped") as soon as there is room. An urgent line (an error)
// is written at once: Append waits for it up to `urgent_wait`, never longer.
// Lines are kept whole and in the order they were appended. After Stop, lines
// are written at once, on the caller's thread. Thread-safe.
class LogWriter final {
 public:
  struct Options {
    size_t max_queued_bytes = 8 << 20;
    std::chrono::milliseconds flush_interval{200};
    std::chrono::milliseconds urgent_wait{1000};
  };

  LogWriter(std::unique_ptr<LogSink> sink, Options options);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // `line` ends in '\n'.
  void Append(absl::string_view line, bool urgent = false);
  // Returns when every line appended before the call is written.
  void Flush();
  // Writes what is queued and ends the writer thread.
  void Stop();
  // Lines dropped because the queue was full, since the start.
  int64_t dropped() const;

 private:
  void Run();

  const Options options_;
  std::unique_ptr<LogSink> sink_;  // written by the writer thread only,
                                   // or under mu_ once stopped
  mutable std::mutex mu_;
  std::condition_variable wake_;     // the writer: work to do
  std::condition_variable written_;  // appenders: a batch went out
  std::string queue_;                // guarded by mu_
  uint64_t appended_ = 0;            // lines queued so far; guarded by mu_
  uint64_t written_upto_ = 0;        // of those, written; guarded by mu_
  int64_t dropped_pending_ = 0;      // not yet reported; guarded by mu_
  int64_t dropped_total_ = 0;        // guarded by mu_
  bool flush_now_ = false;           // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  bool running_ = false;             // guarded by mu_
  std::thread thread_;
};

// The line common::Log writes, with the time now and its '\n'.
std::string FormatLogLine(absl::string_view level, absl::string_view msg,
                          std::initializer_list<LogField> fields);

// From now on common::Log hands its lines to a LogWriter (default options)
// writing to `sink`; "error" lines are urgent. Call before the threads that
// log start (kvod does, first thing). StopLogWriter writes what is queued
// and returns Log to writing stderr itself.
void StartLogWriter(std::unique_ptr<LogSink> sink);
// Returns when every line logged so far is written (before the process
// says it is ready, or prints a fatal error of its own).
void FlushLog();
void StopLogWriter();

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_LOG_WRITER_H_
