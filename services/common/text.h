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

// A name of a person or principal: OK, or INVALID_ARGUMENT naming `field`
// and the character (as U+XXXX) when `value` is not valid UTF-8 or holds a
// character that changes how the text around it shows or compares while
// itself unseen: bidirectional embeddings, overrides and isolates
// (U+202A-U+202E, U+2066-U+2069), directional marks (U+200E, U+200F,
// U+061C), zero-width characters (U+200B-U+200D, U+2060, U+FEFF), line and
// paragraph separators (U+2028, U+2029) and control characters (C0, DEL,
// C1). Length is the caller's (CheckText). Pure.
absl::Status CheckNameCharacters(absl::string_view field,
                                 absl::string_view value);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_TEXT_H_
