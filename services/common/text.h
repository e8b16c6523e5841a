#ifndef KVO_SERVICES_COMMON_TEXT_H_
#define KVO_SERVICES_COMMON_TEXT_H_

#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

// Text checks every module applies to what people type. Thread-safe.

// The number of code points in `s`, or nullopt unless `s` is valid UTF-8:
// shortest encodings only, no surrogates, nothing above U+10FFFF.
std::optional<size_t> Utf8Length(absl::string_view s);

inline bool IsValidUtf8(absl::string_view s) {
  return Utf8Length(s).has_value();
}

// True for C0 controls and DEL (tab and newline included: callers that
// allow free text with line breaks check those themselves).
bool HasControlCharacters(absl::string_view s);

// A field people type: OK, or INVALID_ARGUMENT naming `field` unless
// `value` is valid UTF-8 of `min_chars`..`max_chars` code points without
// control characters (line breaks and tabs allowed when `multiline`).
absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t min_chars, size_t max_chars,
                       bool multiline = false);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_TEXT_H_
