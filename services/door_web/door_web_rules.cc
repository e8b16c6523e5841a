#include "services/door_web/door_web_rules.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/crypto.h"
#include "services/common/local_time.h"
#include "services/common/log.h"
#include "services/notice/notice_pdf.h"

namespace kvo::door_web {
namespace {

// Cookie values and names: RFC 6265's cookie-octet, no separators.
bool CookieSafe(absl::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' ||
        c == '\\') {
      return false;
    }
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> FormDecode(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return absl::InvalidArgumentError("form: a %-escape is cut off");
      }
      const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError("form: a %-escape is not hex");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

const HeaderList& SecurityHeaders() {
  static const HeaderList* headers = new HeaderList{
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' blob:; connect-src 'self'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"},
      {"Strict-Transport-Security", "max-age=31536000"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-store"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
  };
  return *headers;
}

absl::StatusOr<std::string> SetCookie(absl::string_view name,
                                      absl::string_view value,
                                      int64_t max_age_s) {
  if (!CookieSafe(name) || !CookieSafe(value) || max_age_s < 0) {
    return absl::InvalidArgumentError("cookie: not a cookie-safe value");
  }
  return absl::StrCat(name, "=", value, "; Max-Age=", max_age_s,
                      "; Path=/; Secure; HttpOnly; SameSite=Strict");
}

std::string ClearCookie(absl::string_view name) {
  return absl::StrCat(
      name, "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict");
}

std::optional<std::string> CookieValue(absl::string_view header,
                                       absl::string_view name) {
  std::optional<std::string> found;
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos || part.substr(0, eq) != name) continue;
    // Twice is ambiguous (a cookie planted beside ours): neither counts.
    if (found) return std::nullopt;
    found = std::string(part.substr(eq + 1));
  }
  return found;
}

std::string CsrfKey::Token(absl::string_view key, absl::string_view bound_to) {
  return common::HexEncode(
      common::HmacSha256(key, absl::StrCat("kvo door csrf\n", bound_to)));
}

std::string CsrfKey::TokenFor(absl::string_view bound_to) const {
  return Token(key_, bound_to);
}

bool CsrfKey::Matches(absl::string_view bound_to,
                      absl::string_view given) const {
  if (bound_to.empty() || given.empty()) return false;
  auto matches = [&](absl::string_view key) {
    const std::string want = Token(key, bound_to);
    return want.size() == given.size() && common::SecretsEqual(want, given);
  };
  return matches(key_) || (!also_accepted_.empty() && matches(also_accepted_));
}

absl::StatusOr<std::map<std::string, std::string>> ParseForm(
    absl::string_view body, size_t max_fields) {
  std::map<std::string, std::string> fields;
  if (body.empty()) return fields;
  size_t count = 0;
  for (absl::string_view pair : absl::StrSplit(body, '&')) {
    if (pair.empty()) continue;
    if (++count > max_fields) {
      return absl::InvalidArgumentError("form: too many fields");
    }
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError("form: a field without '='");
    }
    auto name = FormDecode(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    auto value = FormDecode(pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    if (!fields.emplace(std::move(*name), std::move(*value)).second) {
      return absl::InvalidArgumentError("form: a field given twice");
    }
  }
  return fields;
}

Lang LangFrom(absl::string_view value) {
  return value == "en" ? Lang::kEnglish : Lang::kDutch;
}

absl::string_view LangCode(Lang lang) {
  return lang == Lang::kEnglish ? "en" : "nl";
}

absl::StatusOr<int64_t> ParseEuroCents(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&s, "\xe2\x82\xac")) {  // €
    s = absl::StripLeadingAsciiWhitespace(s);
  }
  const auto bad =
      absl::InvalidArgumentError("damage: an amount in euros, such as 12,50");
  if (s.empty() || s.size() > 12) return bad;
  const size_t sep = s.find_first_of(",.");
  absl::string_view whole = s.substr(0, sep);
  absl::string_view frac =
      sep == absl::string_view::npos ? "" : s.substr(sep + 1);
  if (whole.empty() || frac.size() > 2 ||
      (sep != absl::string_view::npos && frac.empty())) {
    return bad;
  }
  for (char c : whole) {
    if (!absl::ascii_isdigit(c)) return bad;
  }
  for (char c : frac) {
    if (!absl::ascii_isdigit(c)) return bad;
  }
  int64_t euros = 0;
  if (!absl::SimpleAtoi(whole, &euros)) return bad;
  int64_t cents = 0;
  if (!frac.empty()) {
    absl::SimpleAtoi(frac, &cents);
    if (frac.size() == 1) cents *= 10;
  }
  return euros * 100 + cents;
}

absl::StatusOr<absl::Time> ParseLocalDateTime(absl::string_view text) {
  absl::CivilMinute minute;
  // Chromium sends seconds when the field's step asks for them.
  absl::CivilSecond second;
  if (text.size() == 16 && absl::ParseCivilTime(text, &minute)) {
    return absl::FromCivil(minute, common::Amsterdam());
  }
  if (text.size() == 19 && absl::ParseCivilTime(text, &second)) {
    return absl::FromCivil(second, common::Amsterdam());
  }
  return absl::InvalidArgumentError(
      "time: a date and time such as 2026-11-30T14:05");
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  common::AppendJsonEscaped(out, text, /*html_safe=*/true);
  out += "\"";
  return out;
}

}  // namespace kvo::door_web
