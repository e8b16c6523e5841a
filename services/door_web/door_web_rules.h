#ifndef KVO_SERVICES_DOOR_WEB_DOOR_WEB_RULES_H_
#define KVO_SERVICES_DOOR_WEB_DOOR_WEB_RULES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kvo::door_web {

// The door page's rules without I/O: the headers every response carries,
// cookies, CSRF tokens, form parsing, dates in words, euro amounts. Pure;
// thread-safe.

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Every response, pages, photos, JSON and errors alike: nothing cached,
// nothing framed, no referrer, no script but the page's own, HSTS.
const HeaderList& SecurityHeaders();

// The session cookie carries the session token itself (only its hash is
// stored server-side); __Host- binds it to this origin, Secure and Path=/.
inline constexpr char kSessionCookie[] = "__Host-kvo_door";
// Before login: a random nonce the login form's CSRF token is bound to.
inline constexpr char kLoginCookie[] = "__Host-kvo_login";

// A Set-Cookie value: HttpOnly; Secure; SameSite=Strict; Path=/ and
// Max-Age. A value with characters a cookie cannot hold is refused.
absl::StatusOr<std::string> SetCookie(absl::string_view name,
                                      absl::string_view value,
                                      int64_t max_age_s);
// The Set-Cookie value that deletes `name`.
std::string ClearCookie(absl::string_view name);
// The value of cookie `name` in a Cookie header, if present once.
std::optional<std::string> CookieValue(absl::string_view header,
                                       absl::string_view name);

// CSRF tokens: HMAC-SHA-256 under a per-process key of what they are bound
// to (the session token, or before login the login nonce), hex.
class CsrfKey final {
 public:
  // Tokens are made with `key`; those of `also_accepted` (a former key,
  // empty: none) still match.
  explicit CsrfKey(std::string key, std::string also_accepted = "")
      : key_(std::move(key)), also_accepted_(std::move(also_accepted)) {}
  std::string TokenFor(absl::string_view bound_to) const;
  // Constant-time; false for an empty `bound_to` or `given`.
  bool Matches(absl::string_view bound_to, absl::string_view given) const;

 private:
  static std::string Token(absl::string_view key, absl::string_view bound_to);

  std::string key_;
  std::string also_accepted_;
};

// application/x-www-form-urlencoded into fields. INVALID_ARGUMENT for a
// bad %-escape, a field without '=', a repeated field or more than
// `max_fields` fields.
absl::StatusOr<std::map<std::string, std::string>> ParseForm(
    absl::string_view body, size_t max_fields = 16);

enum class Lang { kDutch, kEnglish };
// "en" is English; anything else (or nothing) Dutch.
Lang LangFrom(absl::string_view value);
absl::string_view LangCode(Lang lang);

// An amount in euros as a person types it ("12", "12,50", "12.5", "€ 7")
// in cents. INVALID_ARGUMENT for anything else, a negative amount or more
// than two decimals.
absl::StatusOr<int64_t> ParseEuroCents(absl::string_view text);

// A datetime-local field ("2026-11-30T14:05") read in Europe/Amsterdam.
absl::StatusOr<absl::Time> ParseLocalDateTime(absl::string_view text);

// Text for HTML element content and attribute values.
std::string HtmlEscape(absl::string_view text);
// A JSON string literal, quotes included (UTF-8 passed through).
std::string JsonString(absl::string_view text);

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_DOOR_WEB_RULES_H_
