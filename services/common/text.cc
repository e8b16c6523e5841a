#include "services/common/text.h"

#include <cstdint>
#include <string>

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

namespace {

// Why a code point has no place in a name, or nullptr when it has.
const char* RefusedInName(uint32_t c) {
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
    return "a control character";
  }
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
    return "a bidirectional override or isolate";
  }
  if (c == 0x200e || c == 0x200f || c == 0x061c) {
    return "a bidirectional mark";
  }
  if ((c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff) {
    return "a zero-width character";
  }
  if (c == 0x2028 || c == 0x2029) return "a line or paragraph separator";
  return nullptr;
}

// "202E" for U+202E.
std::string CodePointHex(uint32_t c) {
  std::string out;
  for (int shift = c > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) {
    out += "0123456789ABCDEF"[(c >> shift) & 0xF];
  }
  return out;
}

}  // namespace

absl::Status CheckNameCharacters(absl::string_view field,
                                 absl::string_view value) {
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be valid UTF-8"));
  }
  // Valid UTF-8 from here on: decoding needs no checks.
  size_t i = 0;
  while (i < value.size()) {
    const auto lead = static_cast<unsigned char>(value[i]);
    const size_t extra = lead < 0x80   ? 0
                         : lead < 0xE0 ? 1
                         : lead < 0xF0 ? 2
                                       : 3;
    uint32_t c = extra == 0   ? lead
                 : extra == 1 ? lead & 0x1F
                 : extra == 2 ? lead & 0x0F
                              : lead & 0x07;
    for (size_t k = 1; k <= extra; ++k) {
      c = (c << 6) | (static_cast<unsigned char>(value[i + k]) & 0x3F);
    }
    if (const char* why = RefusedInName(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": ", why, " (U+", CodePointHex(c),
          ") is not allowed in a name; bidirectional controls, zero-width "
          "and control characters are refused"));
    }
    i += extra + 1;
  }
  return absl::OkStatus();
}

}  // namespace kvo::common
