#include "services/door_web/door_web_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "services/common/local_time.h"
#include "services/door_web/door_web_pages.h"
#include "services/door_web/door_web_requests.h"

namespace kvo::door_web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Header(absl::string_view name) {
  for (const auto& [n, v] : SecurityHeaders()) {
    if (n == name) return v;
  }
  return "";
}

TEST(DoorWebHeaders, EveryRuleTheDoorPageNeeds) {
  EXPECT_EQ(Header("Cache-Control"), "no-store");
  EXPECT_EQ(Header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(Header("X-Content-Type-Options"), "nosniff");
  EXPECT_THAT(Header("Strict-Transport-Security"), HasSubstr("max-age="));
  const std::string csp = Header("Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("default-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp, HasSubstr("img-src 'self' blob:"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline")));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-eval")));
}

TEST(DoorWebCookies, SessionCookieIsHttpOnlySecureStrict) {
  auto cookie = SetCookie(kSessionCookie, "abc123", 3600);
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(*cookie,
            "__Host-kvo_door=abc123; Max-Age=3600; Path=/; Secure; HttpOnly; "
            "SameSite=Strict");
  EXPECT_THAT(ClearCookie(kSessionCookie), HasSubstr("Max-Age=0"));
}

TEST(DoorWebCookies, RefusesValuesThatWouldInjectAttributes) {
  for (const char* bad : {"", "a;b", "a b", "a,b", "a\"b", "a\\b", "\x01"}) {
    EXPECT_FALSE(SetCookie(kSessionCookie, bad, 1).ok()) << bad;
  }
  EXPECT_FALSE(SetCookie(kSessionCookie, "ok", -1).ok());
}

TEST(DoorWebCookies, ReadsOneValueAndRefusesDuplicates) {
  struct Case {
    const char* header;
    std::optional<std::string> want;
  } cases[] = {
      {"__Host-kvo_door=t1", "t1"},
      {"a=1; __Host-kvo_door=t2; b=3", "t2"},
      {"a=1;__Host-kvo_door=t3", "t3"},
      {"__Host-kvo_door_x=t4", std::nullopt},
      {"x__Host-kvo_door=t5", std::nullopt},
      {"", std::nullopt},
      // A second cookie planted beside ours: neither counts.
      {"__Host-kvo_door=t6; __Host-kvo_door=t7", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CookieValue(c.header, kSessionCookie), c.want) << c.header;
  }
}

TEST(DoorWebCsrf, TokenIsBoundToTheSessionAndTheKey) {
  const CsrfKey key(std::string(32, 'k'));
  const CsrfKey other(std::string(32, 'o'));
  const std::string token = key.TokenFor("session-a");
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(key.Matches("session-a", token));
  EXPECT_FALSE(key.Matches("session-b", token));
  EXPECT_FALSE(other.Matches("session-a", token));
  EXPECT_FALSE(key.Matches("session-a", ""));
  EXPECT_FALSE(key.Matches("", key.TokenFor("")));
  EXPECT_FALSE(key.Matches("session-a", token.substr(1)));
}

// Upgrading kvod changes the key; a page open across the upgrade keeps its
// token, but new tokens are made with the new key only.
TEST(DoorWebCsrf, AFormerKeysTokensStillMatch) {
  const CsrfKey former(std::string(32, 'f'));
  const CsrfKey key(std::string(32, 'k'), std::string(32, 'f'));
  EXPECT_TRUE(key.Matches("session-a", former.TokenFor("session-a")));
  EXPECT_FALSE(key.Matches("session-b", former.TokenFor("session-a")));
  EXPECT_NE(key.TokenFor("session-a"), former.TokenFor("session-a"));
  EXPECT_FALSE(former.Matches("session-a", key.TokenFor("session-a")));
}

TEST(DoorWebForms, ParsesUrlEncodedFields) {
  auto form = ParseForm("login=jan+de+v%C3%A9r&password=a%26b%3Dc&empty=");
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ((*form)["login"], "jan de v\xc3\xa9r");
  EXPECT_EQ((*form)["password"], "a&b=c");
  EXPECT_EQ((*form)["empty"], "");
}

TEST(DoorWebForms, RefusesMalformedBodies) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "noequals", "a=1&a=2"}) {
    auto form = ParseForm(bad);
    EXPECT_EQ(form.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  std::string many;
  for (int i = 0; i < 17; ++i) many += "f" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseForm(many).ok());
  EXPECT_TRUE(ParseForm(many, 17).ok());
}

TEST(DoorWebAmounts, EurosToCents) {
  struct Case {
    const char* text;
    int64_t cents;
  } ok[] = {{"12", 1200},        {"12,50", 1250}, {"12.5", 1250},
            {"0,07", 7},         {" 3 ", 300},    {"\xe2\x82\xac 7,99", 799},
            {"100000", 10000000}};
  for (const Case& c : ok) {
    auto cents = ParseEuroCents(c.text);
    ASSERT_TRUE(cents.ok()) << c.text;
    EXPECT_EQ(*cents, c.cents) << c.text;
  }
  for (const char* bad : {"", "-1", "1,234", "1.", ",5", "1e3", "twaalf",
                          "1,2,3", "12 50", "9999999999999"}) {
    EXPECT_FALSE(ParseEuroCents(bad).ok()) << bad;
  }
}

TEST(DoorWebTimes, DatetimeLocalIsAmsterdamTime) {
  auto t = ParseLocalDateTime("2026-07-01T14:05");
  ASSERT_TRUE(t.ok());
  // Summer time: UTC+2.
  EXPECT_EQ(*t, absl::FromCivil(absl::CivilMinute(2026, 7, 1, 12, 5),
                                absl::UTCTimeZone()));
  EXPECT_TRUE(ParseLocalDateTime("2026-07-01T14:05:30").ok());
  for (const char* bad : {"", "2026-07-01", "14:05", "2026-13-01T10:00",
                          "2026-07-01T14:05Z", "yesterday"}) {
    EXPECT_FALSE(ParseLocalDateTime(bad).ok()) << bad;
  }
}

TEST(DoorWebEscaping, HtmlAndJson) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(JsonString("a\"b\\c\n</script>"),
            "\"a\\\"b\\\\c\\n\\u003c/script\\u003e\"");
  EXPECT_EQ(JsonString("Jos\xc3\xa9"), "\"Jos\xc3\xa9\"");
}

TEST(DoorWebRequests, IncidentFormBecomesARequest) {
  Form form = {{"person", "42"},
               {"type", "theft"},
               {"time", "2026-11-30T10:15"},
               {"description", "pakte wijn"},
               {"damage", "25,99"}};
  auto request = ParseIncidentForm(form, 7);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->person_id(), 42);
  EXPECT_EQ(request->shop_id(), 7);
  EXPECT_EQ(request->damage_cents(), 2599);
  EXPECT_EQ(request->offence_type(), "theft");
  form["shop"] = "9";
  EXPECT_EQ(ParseIncidentForm(form, 7)->shop_id(), 9);
}

TEST(DoorWebRequests, IncidentFormRefusalsNameTheField) {
  const Form good = {{"person", "42"},
                     {"shop", "3"},
                     {"type", "theft"},
                     {"time", "2026-11-30T10:15"},
                     {"description", "pakte wijn"}};
  struct Case {
    const char* field;
    const char* value;
    const char* prefix;
  } cases[] = {
      {"person", "", "person:"},      {"person", "x", "person:"},
      {"shop", "-3", "shop:"},        {"type", "", "type:"},
      {"time", "gisteren", "time:"},  {"description", "", "description:"},
      {"damage", "12,345", "damage:"}};
  for (const Case& c : cases) {
    Form form = good;
    form[c.field] = c.value;
    auto request = ParseIncidentForm(form, 0);
    ASSERT_FALSE(request.ok()) << c.field;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(c.prefix));
    // The page says it in Dutch, not as the field's code.
    EXPECT_THAT(FieldErrorText(Lang::kDutch, request.status().message()),
                Not(HasSubstr(c.prefix)));
  }
  Form no_shop = good;
  no_shop.erase("shop");
  EXPECT_FALSE(ParseIncidentForm(no_shop, 0).ok());
}

TEST(DoorWebRequests, LengthLimits) {
  EXPECT_FALSE(
      ParseLoginForm({{"login", std::string(201, 'a')}, {"password", "x"}})
          .ok());
  EXPECT_FALSE(
      ParseLoginForm({{"login", "a"}, {"password", std::string(1025, 'x')}})
          .ok());
  Form incident = {{"person", "1"},
                   {"shop", "1"},
                   {"type", "theft"},
                   {"time", "2026-11-30T10:15"},
                   {"description", std::string(5000, 'x')}};
  EXPECT_TRUE(ParseIncidentForm(incident, 0).ok());
  incident["description"] += "x";
  EXPECT_FALSE(ParseIncidentForm(incident, 0).ok());
  incident["description"] = "x";
  incident["damage"] = "1234567890123";  // longer than any amount
  EXPECT_FALSE(ParseIncidentForm(incident, 0).ok());
}

TEST(DoorWebRequests, LoginAndPhotoForms) {
  EXPECT_TRUE(ParseLoginForm({{"login", "bakker"}, {"password", "x"}}).ok());
  EXPECT_FALSE(ParseLoginForm({{"login", "bakker"}}).ok());
  EXPECT_FALSE(ParseLoginForm({{"password", "x"}}).ok());
  EXPECT_EQ(ParsePhotoForm({{"entry", "5"}})->entry_id(), 5);
  EXPECT_FALSE(ParsePhotoForm({{"entry", "0"}}).ok());
  EXPECT_FALSE(ParsePhotoForm({}).ok());
  EXPECT_EQ(*ParseSince(""), 0);
  EXPECT_EQ(*ParseSince("17"), 17);
  EXPECT_FALSE(ParseSince("-1").ok());
  EXPECT_FALSE(ParseSince("abc").ok());
}

TEST(DoorWebPages, SyncJsonHasOneTilePerEntryInWordsAndColourClass) {
  kvo::v1::GalleryEntry ban;
  ban.set_entry_id(7);
  ban.set_name("Jan <b>");
  ban.set_kind(kvo::v1::CARD_KIND_COLLECTIVE_BAN);
  ban.mutable_valid_until()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2027, 11, 30), common::Amsterdam()) +
      absl::Hours(12)));
  kvo::v1::GalleryEntry warning = ban;
  warning.set_entry_id(8);
  warning.set_kind(kvo::v1::CARD_KIND_COLLECTIVE_WARNING);
  const std::string json =
      SyncJson(Lang::kDutch, {ban, warning}, {3, 4}, 99, false);
  EXPECT_THAT(json, HasSubstr("\"version\":99"));
  EXPECT_THAT(json, HasSubstr("\"card\":\"Collectief winkelverbod\""));
  EXPECT_THAT(json, HasSubstr("\"card\":\"Collectieve waarschuwing\""));
  // The last whole day: the card ends at noon on 30 November.
  EXPECT_THAT(json,
              HasSubstr("\"until\":\"geldig tot en met 29 november 2027\""));
  EXPECT_THAT(json, HasSubstr("\"own\":false"));
  EXPECT_THAT(json, HasSubstr("\"removed\":[3,4]"));
  EXPECT_THAT(json, Not(HasSubstr("<b>")));
  EXPECT_THAT(SyncJson(Lang::kEnglish, {ban}, {}, 1, true),
              HasSubstr("valid through 29 November 2027"));
  // The shop's own ban: a ban, in its own words and colour class.
  kvo::v1::GalleryEntry own = ban;
  own.set_kind(kvo::v1::CARD_KIND_INDIVIDUAL_BAN);
  own.set_shop_id(4);
  const std::string own_json = SyncJson(Lang::kDutch, {own}, {}, 2, false);
  EXPECT_THAT(own_json,
              HasSubstr("\"card\":\"Eigen winkelverbod van deze winkel\""));
  EXPECT_THAT(own_json, HasSubstr("\"ban\":true,\"own\":true"));
}

TEST(DoorWebPages, ErrorPagesAreDutchAndShort) {
  EXPECT_THAT(ErrorPage(Lang::kDutch, 404), HasSubstr("Niet gevonden."));
  EXPECT_THAT(ErrorPage(Lang::kDutch, 403), HasSubstr("Geweigerd"));
  EXPECT_THAT(ErrorPage(Lang::kDutch, 413), HasSubstr("te groot"));
  EXPECT_THAT(ErrorPage(Lang::kEnglish, 404), HasSubstr("Not found."));
  EXPECT_THAT(ErrorPage(Lang::kDutch, 500), Not(HasSubstr("<script>")));
  EXPECT_THAT(LoginPage(Lang::kDutch, "tok", "<x>"), HasSubstr("&lt;x&gt;"));
}

}  // namespace
}  // namespace kvo::door_web
