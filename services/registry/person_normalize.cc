#include "services/registry/person_normalize.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/common/text.h"

namespace kvo::registry {
namespace {

// Latin-1 Supplement and Latin Extended-A letters, folded to ASCII.
struct AsciiFold {
  char32_t code_point;
  const char* ascii;
};
constexpr AsciiFold kFolds[] = {
    {U'à', "a"}, {U'á', "a"},  {U'â', "a"},  {U'ã', "a"}, {U'ä', "a"},
    {U'å', "a"}, {U'æ', "ae"}, {U'ç', "c"},  {U'è', "e"}, {U'é', "e"},
    {U'ê', "e"}, {U'ë', "e"},  {U'ì', "i"},  {U'í', "i"}, {U'î', "i"},
    {U'ï', "i"}, {U'ð', "d"},  {U'ñ', "n"},  {U'ò', "o"}, {U'ó', "o"},
    {U'ô', "o"}, {U'õ', "o"},  {U'ö', "o"},  {U'ø', "o"}, {U'ù', "u"},
    {U'ú', "u"}, {U'û', "u"},  {U'ü', "u"},  {U'ý', "y"}, {U'þ', "th"},
    {U'ÿ', "y"}, {U'ß', "ss"}, {U'ā', "a"},  {U'ă', "a"}, {U'ą', "a"},
    {U'ć', "c"}, {U'ĉ', "c"},  {U'ċ', "c"},  {U'č', "c"}, {U'ď', "d"},
    {U'đ', "d"}, {U'ē', "e"},  {U'ĕ', "e"},  {U'ė', "e"}, {U'ę', "e"},
    {U'ě', "e"}, {U'ĝ', "g"},  {U'ğ', "g"},  {U'ġ', "g"}, {U'ģ', "g"},
    {U'ĥ', "h"}, {U'ħ', "h"},  {U'ĩ', "i"},  {U'ī', "i"}, {U'ĭ', "i"},
    {U'į', "i"}, {U'ı', "i"},  {U'ĳ', "ij"}, {U'ĵ', "j"}, {U'ķ', "k"},
    {U'ĺ', "l"}, {U'ļ', "l"},  {U'ľ', "l"},  {U'ŀ', "l"}, {U'ł', "l"},
    {U'ń', "n"}, {U'ņ', "n"},  {U'ň', "n"},  {U'ŋ', "n"}, {U'ō', "o"},
    {U'ŏ', "o"}, {U'ő', "o"},  {U'œ', "oe"}, {U'ŕ', "r"}, {U'ŗ', "r"},
    {U'ř', "r"}, {U'ś', "s"},  {U'ŝ', "s"},  {U'ş', "s"}, {U'š', "s"},
    {U'ţ', "t"}, {U'ť', "t"},  {U'ŧ', "t"},  {U'ũ', "u"}, {U'ū', "u"},
    {U'ŭ', "u"}, {U'ů', "u"},  {U'ű', "u"},  {U'ų', "u"}, {U'ŵ', "w"},
    {U'ŷ', "y"}, {U'ź', "z"},  {U'ż', "z"},  {U'ž', "z"}, {U'ſ', "s"},
};

// Dutch (and a few neighbouring) surname prefixes, longest first so that
// "van der" wins over "van".
constexpr absl::string_view kPrefixes[] = {
    "van der", "van den", "van de",   "van het", "van 't", "uit den",
    "uit de",  "op den",  "op de",    "in den",  "in de",  "in 't",
    "aan den", "aan de",  "onder de", "over de", "ten",    "ter",
    "van",     "von",     "den",      "der",     "des",    "de",
    "het",     "'t",      "te",       "la",      "le",     "d'",
    "l'",      "di",      "da",       "du",      "del",    "della"};

// Decodes `s` (already checked to be valid UTF-8) into code points.
std::u32string Decode(absl::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const int extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

char32_t Lower(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  // Latin-1 capitals (but ×) sit 32 below their small letters.
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  // Latin Extended-A pairs capital (even) and small (odd), but for a few
  // that pair the other way round.
  if (c >= 0x100 && c <= 0x137 && c % 2 == 0) return c + 1;
  if (c >= 0x139 && c <= 0x148 && c % 2 == 1) return c + 1;
  if (c >= 0x14A && c <= 0x177 && c % 2 == 0) return c + 1;
  if (c == 0x178) return U'ÿ';
  if (c >= 0x179 && c <= 0x17E && c % 2 == 1) return c + 1;
  return c;
}

// Lowercase ASCII letters and digits, one space between words; everything
// else dropped or folded.
std::string Fold(absl::string_view s) {
  std::string out;
  bool space = false;
  for (char32_t c : Decode(s)) {
    c = Lower(c);
    if (c == U' ' || c == U'-' || c == U'.' || c == U'\t') {
      space = !out.empty();
      continue;
    }
    std::string piece;
    if ((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9') || c == U'\'') {
      piece = static_cast<char>(c);
    } else if (c == U'’' || c == U'`' || c == U'‘') {
      piece = "'";
    } else {
      auto it =
          std::find_if(std::begin(kFolds), std::end(kFolds),
                       [c](const AsciiFold& f) { return f.code_point == c; });
      if (it == std::end(kFolds)) continue;  // not a Latin letter: dropped
      piece = it->ascii;
    }
    if (space) out += ' ';
    space = false;
    out += piece;
  }
  return out;
}

// Removes leading prefixes ("van der berg" -> "berg"), keeping the last word.
std::string StripPrefixes(std::string name) {
  for (bool again = true; again;) {
    again = false;
    for (absl::string_view prefix : kPrefixes) {
      const bool apostrophe = prefix.back() == '\'';
      const std::string head =
          apostrophe ? std::string(prefix) : absl::StrCat(prefix, " ");
      if (name.size() > head.size() &&
          name.compare(0, head.size(), head) == 0) {
        name.erase(0, head.size());
        if (!name.empty() && name[0] == ' ') name.erase(0, 1);
        again = true;
        break;
      }
    }
  }
  return name;
}

std::string Squeeze(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\'') out += c;
  }
  return out;
}

absl::Status CheckUtf8(absl::string_view field, absl::string_view value) {
  if (!common::IsValidUtf8(value) || value.size() > 800) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be valid UTF-8 of at most 200 characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NormalizeForBlindIndex(
    absl::string_view given_names, absl::string_view surname_prefix,
    absl::string_view surname, absl::string_view date_of_birth) {
  for (auto s : {CheckUtf8("given_names", given_names),
                 CheckUtf8("surname_prefix", surname_prefix),
                 CheckUtf8("surname", surname)}) {
    if (!s.ok()) return s;
  }
  const std::string given = Squeeze(Fold(given_names));
  if (Squeeze(Fold(surname)).empty()) {
    return absl::InvalidArgumentError("surname: required");
  }
  // A prefix given apart and one written into the surname end the same.
  const std::string family =
      Squeeze(StripPrefixes(Fold(absl::StrCat(surname_prefix, " ", surname))));
  if (given.empty()) {
    return absl::InvalidArgumentError("given_names: required");
  }
  if (family.empty()) return absl::InvalidArgumentError("surname: required");
  absl::CivilDay day;
  if (date_of_birth.size() != 10 ||
      !absl::ParseCivilTime(date_of_birth, &day) ||
      absl::FormatCivilTime(day) != date_of_birth) {
    return absl::InvalidArgumentError(
        "date_of_birth: a real date as YYYY-MM-DD");
  }
  return absl::StrCat(given, "|", family, "|", date_of_birth);
}

}  // namespace kvo::registry
