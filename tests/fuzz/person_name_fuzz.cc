// Person names: UTF-8 decoding, folding and prefix stripping of the blind
// index's input, and the character checks every name passes.
// Input: given_names, surname_prefix, surname and date_of_birth separated
// by NUL bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/common/text.h"
#include "services/registry/person_normalize.h"

namespace {

bool IsFolded(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> f = absl::StrSplit(in, absl::ByChar('\0'));
  f.resize(4);
  for (absl::string_view field : f) {
    const auto length = kvo::common::Utf8Length(field);
    if (length.has_value() && *length > field.size()) __builtin_trap();
    (void)kvo::common::CheckNameCharacters("name", field);
    (void)kvo::common::CheckText("name", field, 1, 200);
  }
  auto key = kvo::registry::NormalizeForBlindIndex(f[0], f[1], f[2], f[3]);
  if (!key.ok()) {
    if (key.status().code() != absl::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    return 0;
  }
  // "given|family|YYYY-MM-DD", each name lowercase ASCII letters and
  // digits, and normalising the result again changes nothing.
  std::vector<std::string> parts = absl::StrSplit(*key, '|');
  if (parts.size() != 3 || !IsFolded(parts[0]) || !IsFolded(parts[1]) ||
      parts[2] != f[3]) {
    __builtin_trap();
  }
  auto again =
      kvo::registry::NormalizeForBlindIndex(parts[0], "", parts[1], parts[2]);
  if (!again.ok() || *again != *key) __builtin_trap();
  return 0;
}
