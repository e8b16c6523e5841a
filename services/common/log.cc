#include "services/common/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/log_writer.h"

namespace kvo::common {
namespace {

std::atomic<LogWriter*> g_writer{nullptr};

// Writers are never deleted: a thread may still hold one after
// StopLogWriter, and a stopped writer writes at once. Kept here, they stay
// reachable (no leak to report).
void Retire(LogWriter* writer) {
  static std::mutex mu;
  static auto* const retired = new std::vector<LogWriter*>();
  std::lock_guard lock(mu);
  retired->push_back(writer);
}

}  // namespace

void AppendJsonEscaped(std::string& out, absl::string_view s, bool html_safe) {
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || (html_safe && (c == '<' || c == '>' || c == '&'))) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string FormatLogLine(absl::string_view level, absl::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string line = "{\"ts\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                           absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line.append(level.data(), level.size());
  line += "\",\"msg\":\"";
  AppendJsonEscaped(line, msg);
  line += '"';
  for (const auto& [key, value] : fields) {
    line += ",\"";
    AppendJsonEscaped(line, key);
    line += "\":\"";
    AppendJsonEscaped(line, value);
    line += '"';
  }
  line += "}\n";
  return line;
}

void Log(absl::string_view level, absl::string_view msg,
         std::initializer_list<LogField> fields) {
  const std::string line = FormatLogLine(level, msg, fields);
  if (LogWriter* writer = g_writer.load(std::memory_order_acquire)) {
    writer->Append(line, level == "error");
    return;
  }
  // One write keeps lines from concurrent threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

void StartLogWriter(std::unique_ptr<LogSink> sink) {
  auto* writer = new LogWriter(std::move(sink), LogWriter::Options{});
  Retire(writer);
  LogWriter* old = g_writer.exchange(writer, std::memory_order_acq_rel);
  if (old != nullptr) old->Stop();
}

void FlushLog() {
  if (LogWriter* writer = g_writer.load(std::memory_order_acquire)) {
    writer->Flush();
  }
}

void StopLogWriter() {
  LogWriter* writer = g_writer.exchange(nullptr, std::memory_order_acq_rel);
  if (writer != nullptr) writer->Stop();
}

}  // namespace kvo::common
