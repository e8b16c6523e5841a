#include "services/common/log_writer.h"

#include <unistd.h>

#include <cerrno>

#include "services/common/log.h"

namespace kvo::common {
namespace {

// The writer wakes before its interval when this much of the queue is used,
// so a burst is written before it fills the queue.
constexpr size_t kEarlyWakeDivisor = 4;

}  // namespace

void StderrSink::Write(absl::string_view lines) {
  while (!lines.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    lines.remove_prefix(static_cast<size_t>(n));
  }
}

LogWriter::LogWriter(std::unique_ptr<LogSink> sink, Options options)
    : options_(options), sink_(std::move(sink)) {
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

LogWriter::~LogWriter() { Stop(); }

void LogWriter::Append(absl::string_view line, bool urgent) {
  std::unique_lock lock(mu_);
  if (!running_) {
    sink_->Write(line);
    return;
  }
  // An urgent line is never dropped: errors are few, and each waits for
  // its write.
  if (!urgent && queue_.size() + line.size() > options_.max_queued_bytes) {
    ++dropped_pending_;
    ++dropped_total_;
    return;
  }
  queue_.append(line.data(), line.size());
  const uint64_t mine = ++appended_;
  if (urgent) {
    flush_now_ = true;
    wake_.notify_one();
    written_.wait_for(lock, options_.urgent_wait,
                      [&] { return written_upto_ >= mine || !running_; });
  } else if (queue_.size() >= options_.max_queued_bytes / kEarlyWakeDivisor) {
    wake_.notify_one();
  }
}

void LogWriter::Flush() {
  std::unique_lock lock(mu_);
  if (!running_) return;
  const uint64_t upto = appended_;
  flush_now_ = true;
  wake_.notify_one();
  written_.wait(lock, [&] { return written_upto_ >= upto || !running_; });
}

void LogWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_ || stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int64_t LogWriter::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_total_;
}

void LogWriter::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, options_.flush_interval, [&] {
      return stopping_ || flush_now_ ||
             queue_.size() >= options_.max_queued_bytes / kEarlyWakeDivisor;
    });
    std::string batch;
    batch.swap(queue_);
    const uint64_t upto = appended_;
    const int64_t dropped = dropped_pending_;
    dropped_pending_ = 0;
    flush_now_ = false;
    const bool stop = stopping_;
    lock.unlock();
    if (!batch.empty()) sink_->Write(batch);
    if (dropped > 0) {
      sink_->Write(FormatLogLine(
          "warn", "log lines dropped",
          {{"dropped", std::to_string(dropped)},
           {"detail", "the log queue was full; these lines are lost"}}));
    }
    lock.lock();
    written_upto_ = upto;
    written_.notify_all();
    // Lines appended while the last batch was written go out before the
    // thread ends.
    if (stop && queue_.empty() && dropped_pending_ == 0) {
      // From here on Append writes itself: nothing is left queued unseen.
      running_ = false;
      written_.notify_all();
      return;
    }
  }
}

}  // namespace kvo::common
