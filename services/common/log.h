#ifndef KVO_SERVICES_COMMON_LOG_H_
#define KVO_SERVICES_COMMON_LOG_H_

#include <initializer_list>
#include <utility>

#include "absl/strings/string_view.h"

namespace kvo::common {

// One structured log line (JSON object). Fields are key/value pairs of plain
// strings; callers must never pass personal data (names, addresses, dates of
// birth, photos): log principal ids and pseudonymous ids only.
// The line goes to the process's LogWriter once StartLogWriter ran (queued
// and written by its thread; see log_writer.h), else to stderr with one
// write(2). Thread-safe; lines are never interleaved.
using LogField = std::pair<absl::string_view, absl::string_view>;
void Log(absl::string_view level, absl::string_view msg,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(absl::string_view msg,
                    std::initializer_list<LogField> fields = {}) {
  Log("info", msg, fields);
}
inline void LogWarn(absl::string_view msg,
                    std::initializer_list<LogField> fields = {}) {
  Log("warn", msg, fields);
}
inline void LogError(absl::string_view msg,
                     std::initializer_list<LogField> fields = {}) {
  Log("error", msg, fields);
}

// Escapes a string for a JSON string literal (without the quotes). With
// `html_safe`, also '<', '>' and '&' (as \u003c ...), so the literal can
// stand inside a page's script and never close it.
void AppendJsonEscaped(std::string& out, absl::string_view s,
                       bool html_safe = false);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_LOG_H_
