#include "services/common/text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace kvo::common {

std::optional<size_t> Utf8Length(absl::string_view s) {
  size_t count = 0;
  // Shortest encodings only, no surrogates, nothing above U+10FFFF.
  constexpr uint32_t kMinCodePoint[] = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    uint32_t code_point;
    ++count;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      code_point = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (s.size() - i <= extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < kMinCodePoint[extra] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    i += extra + 1;
  }
  return count;
}

bool HasControlCharacters(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t min_chars, size_t max_chars, bool multiline) {
  const std::optional<size_t> length = Utf8Length(value);
  bool control = false;
  for (char c : value) {
    const bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
    control |= !allowed && HasControlCharacters(absl::string_view(&c, 1));
  }
  if (!length.has_value() || control) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": must be valid UTF-8 without control characters"));
  }
  if (*length < min_chars || *length > max_chars) {
    return absl::InvalidArgumentError(
        min_chars == 0
            ? absl::StrCat(field, ": at most ", max_chars, " characters")
            : absl::StrCat(field, ": ", min_chars, " to ", max_chars,
                           " characters required"));
  }
  return absl::OkStatus();
}

}  // namespace kvo::common
