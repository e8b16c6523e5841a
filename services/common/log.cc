#include "services/common/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kvo::common {

void AppendJsonEscaped(std::string& out, absl::string_view s) {
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
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void Log(absl::string_view level, absl::string_view msg,
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
  // One write keeps lines from concurrent RPCs whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace kvo::common
