#include "services/door_web/door_web_pages.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/card_words.h"

namespace kvo::door_web {
namespace {

bool En(Lang lang) { return lang == Lang::kEnglish; }

std::string Head(Lang lang, absl::string_view title) {
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"", LangCode(lang),
      "\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><title>",
      HtmlEscape(title),
      "</title><link rel=\"stylesheet\" href=\"/assets/style.css\">"
      "<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">"
      "</head>");
}

// The other language's link; a page's URL never holds more than this.
std::string LangSwitch(Lang lang, absl::string_view path) {
  return En(lang) ? absl::StrCat("<a class=\"lang\" href=\"", path,
                                 "\" hreflang=\"nl\">Nederlands</a>")
                  : absl::StrCat("<a class=\"lang\" href=\"", path,
                                 "?lang=en\" hreflang=\"en\">English</a>");
}

std::string Brand(Lang lang) {
  return absl::StrCat(
      "<span class=\"brand\"><img src=\"/assets/icon.svg\" alt=\"\" "
      "width=\"36\" height=\"36\"> ",
      En(lang) ? "KVO door check" : "KVO deurcontrole", "</span>");
}

std::string OffenceLabel(Lang lang, const kvo::v1::OffenceType& type) {
  const std::string& label = En(lang) ? type.label_en() : type.label_nl();
  return label.empty() ? type.code() : label;
}

}  // namespace

std::string LoginPage(Lang lang, absl::string_view csrf,
                      absl::string_view message) {
  const bool en = En(lang);
  std::string html =
      Head(lang, en ? "KVO door check: log in" : "KVO deurcontrole: inloggen");
  absl::StrAppend(&html, "<body class=\"login\"><main class=\"panel\"><header>",
                  Brand(lang), LangSwitch(lang, "/login"), "</header><h1>",
                  en ? "Log in" : "Inloggen", "</h1>");
  if (!message.empty()) {
    absl::StrAppend(&html, "<p class=\"error\" role=\"alert\" id=\"error\">",
                    HtmlEscape(message), "</p>");
  }
  absl::StrAppend(
      &html,
      "<form method=\"post\" action=\"/login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"",
      HtmlEscape(csrf), "\"><input type=\"hidden\" name=\"lang\" value=\"",
      LangCode(lang), "\"><label for=\"login\">",
      en ? "User name" : "Gebruikersnaam",
      "</label><input id=\"login\" name=\"login\" autocomplete=\"username\" "
      "autocapitalize=\"none\" required maxlength=\"200\">"
      "<label for=\"password\">",
      en ? "Password" : "Wachtwoord",
      "</label><input id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required maxlength=\"1024\">"
      "<button type=\"submit\" id=\"submit\">",
      en ? "Log in" : "Inloggen", "</button></form></main></body></html>\n");
  return html;
}

std::string ErrorText(Lang lang, int status) {
  const bool en = En(lang);
  switch (status) {
    case 400:
      return en ? "This request is not valid. Go back and try again."
                : "Dit verzoek klopt niet. Ga terug en probeer het opnieuw.";
    case 401:
      return en ? "Your session has ended. Please log in again."
                : "Uw sessie is verlopen. Log opnieuw in.";
    case 403:
      return en ? "Refused: this form has expired or did not come from this "
                  "page. Reload the page and try again."
                : "Geweigerd: dit formulier is verlopen of komt niet van deze "
                  "pagina. Laad de pagina opnieuw en probeer het nog eens.";
    case 404:
      return en ? "Not found." : "Niet gevonden.";
    case 405:
      return en ? "This action is not possible here."
                : "Deze handeling kan hier niet.";
    case 413:
      return en ? "The request is too large." : "Het verzoek is te groot.";
    case 429:
      return en ? "Too many requests. Wait a moment and try again."
                : "Te veel verzoeken. Wacht even en probeer het opnieuw.";
    case 503:
      return en ? "The service is not available right now. Try again later."
                : "De dienst is nu niet beschikbaar. Probeer het later "
                  "opnieuw.";
    default:
      return en ? "Something went wrong. Try again later."
                : "Er ging iets mis. Probeer het later opnieuw.";
  }
}

std::string ErrorPage(Lang lang, int status) {
  const bool en = En(lang);
  std::string html = Head(lang, en ? "KVO door check" : "KVO deurcontrole");
  absl::StrAppend(&html, "<body class=\"login\"><main class=\"panel\"><header>",
                  Brand(lang), "</header><h1>", ErrorText(lang, status),
                  "</h1><p><a class=\"button\" href=\"/", en ? "?lang=en" : "",
                  "\">", en ? "To the door check" : "Naar de deurcontrole",
                  "</a></p></main></body></html>\n");
  return html;
}

std::string FieldErrorText(Lang lang, absl::string_view message) {
  const bool en = En(lang);
  struct Hint {
    const char* field;
    const char* nl;
    const char* en;
  };
  static constexpr Hint kHints[] = {
      {"damage", "Vul bij Schade een bedrag in euro in, zoals 12,50.",
       "Enter the damage as an amount in euros, such as 12.50."},
      {"time", "Vul een geldige datum en tijd in, niet in de toekomst.",
       "Enter a valid date and time, not in the future."},
      {"occurred_at", "Vul een geldige datum en tijd in, niet in de toekomst.",
       "Enter a valid date and time, not in the future."},
      {"description", "Beschrijf wat er gebeurde (verplicht).",
       "Describe what happened (required)."},
      {"type", "Kies het soort incident.", "Choose the kind of incident."},
      {"offence_type", "Kies het soort incident.",
       "Choose the kind of incident."},
      {"shop", "Kies uw winkel.", "Choose your shop."},
      {"shop_id", "U kunt alleen incidenten van uw eigen winkel melden.",
       "You can only report incidents of your own shop."},
      {"person", "Kies eerst een persoon in de galerij.",
       "Choose a person in the gallery first."},
      {"person_id", "Deze persoon is niet gevonden.",
       "This person was not found."},
      {"login", "Vul uw gebruikersnaam in.", "Enter your user name."},
      {"password", "Vul uw wachtwoord in.", "Enter your password."},
  };
  for (const Hint& hint : kHints) {
    if (absl::StartsWith(message, absl::StrCat(hint.field, ":")) ||
        absl::StartsWith(message, absl::StrCat(hint.field, " ("))) {
      return en ? hint.en : hint.nl;
    }
  }
  return ErrorText(lang, 400);
}

std::string JsonError(absl::string_view text) {
  return absl::StrCat("{\"error\":", JsonString(text), "}");
}

std::string GalleryPage(Lang lang, absl::string_view csrf, int poll_seconds,
                        absl::string_view login,
                        const std::vector<ShopChoice>& shops,
                        const kvo::v1::Policy& policy) {
  const bool en = En(lang);
  std::string html = Head(lang, en ? "KVO door check" : "KVO deurcontrole");
  absl::StrAppend(
      &html, "<body class=\"gallery\" data-csrf=\"", HtmlEscape(csrf),
      "\" data-poll=\"", poll_seconds, "\" data-lang=\"", LangCode(lang),
      "\"><header class=\"bar\">", Brand(lang), "<span class=\"who\">",
      HtmlEscape(login), "</span>", LangSwitch(lang, "/"),
      "<form method=\"post\" action=\"/logout\" class=\"logout\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"",
      HtmlEscape(csrf), "\"><input type=\"hidden\" name=\"lang\" value=\"",
      LangCode(lang), "\"><button type=\"submit\" id=\"logout\">",
      en ? "Log out" : "Uitloggen", "</button></form></header><main>");
  absl::StrAppend(
      &html, "<div class=\"search\"><label for=\"search\">",
      en ? "Search by name" : "Zoek op naam",
      "</label><input id=\"search\" type=\"search\" autocomplete=\"off\" "
      "spellcheck=\"false\"></div>"
      "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>"
      "<ul id=\"tiles\" class=\"tiles\"></ul>"
      "<p id=\"empty\" class=\"empty\" hidden>",
      en ? "No one with a collective warning or ban in your area."
         : "Niemand met een collectieve waarschuwing of een collectief "
           "winkelverbod in uw gebied.",
      "</p></main>");
  // The full photo, opened from a tile.
  absl::StrAppend(
      &html,
      "<dialog id=\"viewer\" aria-labelledby=\"viewer-name\">"
      "<img id=\"viewer-photo\" alt=\"\"><h2 id=\"viewer-name\"></h2>"
      "<p id=\"viewer-card\" class=\"card-label\"></p>"
      "<p id=\"viewer-until\"></p><p id=\"viewer-description\"></p>"
      "<div class=\"actions\"><button type=\"button\" id=\"viewer-report\">",
      en ? "Report an incident" : "Incident melden",
      "</button><button type=\"button\" id=\"viewer-close\" "
      "class=\"secondary\">",
      en ? "Close" : "Sluiten", "</button></div></dialog>");
  // The incident form, for the person of the open tile.
  absl::StrAppend(
      &html,
      "<dialog id=\"incident\" aria-labelledby=\"incident-title\">"
      "<h2 id=\"incident-title\">",
      en ? "Report an incident" : "Incident melden",
      "</h2><p id=\"incident-person\"></p>"
      "<form id=\"incident-form\" method=\"post\" action=\"/api/incident\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"",
      HtmlEscape(csrf),
      "\"><input type=\"hidden\" name=\"person\" id=\"incident-person-id\">");
  if (shops.size() == 1) {
    absl::StrAppend(&html, "<input type=\"hidden\" name=\"shop\" value=\"",
                    shops[0].id, "\"><p>",
                    en ? "Shop: " : "Winkel: ", HtmlEscape(shops[0].name),
                    "</p>");
  } else {
    absl::StrAppend(&html, "<label for=\"incident-shop\">",
                    en ? "Shop" : "Winkel",
                    "</label><select id=\"incident-shop\" name=\"shop\" "
                    "required><option value=\"\"></option>");
    for (const ShopChoice& shop : shops) {
      absl::StrAppend(&html, "<option value=\"", shop.id, "\">",
                      HtmlEscape(shop.name), "</option>");
    }
    absl::StrAppend(&html, "</select>");
  }
  absl::StrAppend(&html, "<label for=\"incident-type\">",
                  en ? "Kind of incident" : "Soort incident",
                  "</label><select id=\"incident-type\" name=\"type\" "
                  "required><option value=\"\"></option>");
  for (const auto& type : policy.offence_types()) {
    absl::StrAppend(&html, "<option value=\"", HtmlEscape(type.code()), "\">",
                    HtmlEscape(OffenceLabel(lang, type)), "</option>");
  }
  absl::StrAppend(
      &html, "</select><label for=\"incident-time\">",
      en ? "Date and time" : "Datum en tijd",
      "</label><input id=\"incident-time\" name=\"time\" "
      "type=\"datetime-local\" required>"
      "<label for=\"incident-description\">",
      en ? "What happened" : "Wat er gebeurde",
      "</label><textarea id=\"incident-description\" name=\"description\" "
      "rows=\"4\" maxlength=\"5000\" required></textarea>"
      "<label for=\"incident-damage\">",
      en ? "Damage in euros (optional)" : "Schade in euro (niet verplicht)",
      "</label><input id=\"incident-damage\" name=\"damage\" "
      "inputmode=\"decimal\" placeholder=\"",
      en ? "12.50" : "12,50",
      "\" maxlength=\"12\">"
      "<p id=\"incident-result\" role=\"status\" aria-live=\"polite\"></p>"
      "<div class=\"actions\"><button type=\"submit\" id=\"incident-submit\">",
      en ? "Report" : "Melden",
      "</button><button type=\"button\" id=\"incident-close\" "
      "class=\"secondary\">",
      en ? "Close" : "Sluiten",
      "</button></div></form></dialog>"
      "<script src=\"/assets/app.js\"></script></body></html>\n");
  return html;
}

std::string SyncJson(Lang lang,
                     const std::vector<kvo::v1::GalleryEntry>& entries,
                     const std::vector<int64_t>& removed, int64_t version,
                     bool reset) {
  std::vector<const kvo::v1::GalleryEntry*> of;
  of.reserve(entries.size());
  for (const auto& e : entries) of.push_back(&e);
  return SyncJson(lang, of, removed, version, reset);
}

std::string SyncJson(Lang lang,
                     const std::vector<const kvo::v1::GalleryEntry*>& entries,
                     const std::vector<int64_t>& removed, int64_t version,
                     bool reset) {
  std::string json =
      absl::StrCat("{\"version\":", version,
                   ",\"reset\":", reset ? "true" : "false", ",\"entries\":[");
  bool first = true;
  for (const kvo::v1::GalleryEntry* entry : entries) {
    const kvo::v1::GalleryEntry& e = *entry;
    // A shop's own ban is a ban with words and a colour of its own.
    const bool own = e.kind() == kvo::v1::CARD_KIND_INDIVIDUAL_BAN;
    const bool ban = own || e.kind() == kvo::v1::CARD_KIND_COLLECTIVE_BAN;
    const std::string card = common::DoorCardLabel(e.kind(), LangCode(lang));
    const std::string until = common::DoorCardLastDay(
        absl::FromUnixSeconds(e.valid_until().seconds()), LangCode(lang));
    absl::StrAppend(&json, first ? "" : ",", "{\"id\":", e.entry_id(),
                    ",\"name\":", JsonString(e.name()),
                    ",\"description\":", JsonString(e.description()),
                    ",\"ban\":", ban ? "true" : "false",
                    ",\"own\":", own ? "true" : "false",
                    ",\"card\":", JsonString(card),
                    ",\"until\":", JsonString(until), ",\"thumb\":\"",
                    absl::Base64Escape(e.thumbnail()), "\"}");
    first = false;
  }
  absl::StrAppend(&json, "],\"removed\":[");
  first = true;
  for (int64_t id : removed) {
    absl::StrAppend(&json, first ? "" : ",", id);
    first = false;
  }
  absl::StrAppend(&json, "]}");
  return json;
}

}  // namespace kvo::door_web
