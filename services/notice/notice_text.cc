#include "services/notice/notice_text.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/dutch_date.h"
#include "services/notice/letterhead.h"

namespace kvo::notice {
namespace {

using common::LongDate;
using Style = Paragraph::Style;

// One wording per language; {placeholders} are filled by Fill().
struct Wording {
  const char* dated;
  const char* title_individual;
  const char* title_warning;
  const char* title_ban;
  const char* subject;
  const char* what_happened;
  const char* meaning_individual;
  const char* meaning_warning;
  const char* meaning_ban;
  const char* where;
  const char* period;
  const char* objection_heading;
  const char* objection;
  const char* privacy_heading;
  const char* privacy;
  const char* guardian;
  const char* donation_heading;
  const char* no_donation;
  const char* closing;
  const char* footer;
};

constexpr Wording kDutch = {
    "{place}, {today}",
    "Winkelverbod (individueel)",
    "Collectieve waarschuwing",
    "Collectief winkelverbod",
    "Aan: {name}, geboren {dob}",
    "Op {date} is in {area} ({place}) het volgende voorgevallen: "
    "{offence}. {summary}",
    "U mag de winkel hieronder niet meer betreden zolang dit verbod geldt.",
    "Dit is een collectieve waarschuwing (gele kaart). U mag de deelnemende "
    "winkels nog bezoeken, maar bij een nieuw incident in het gebied binnen "
    "de geldigheid van deze waarschuwing krijgt u een collectief "
    "winkelverbod.",
    "U mag geen van de deelnemende winkels hieronder betreden zolang dit "
    "collectief winkelverbod (rode kaart) geldt.",
    "Geldt in {area}, {place}, voor de volgende deelnemende winkels:",
    "Geldig van {from} tot en met {until}.",
    "Bezwaar",
    "U kunt tot en met {deadline} schriftelijk bezwaar maken bij {signer}, "
    "{address}, of per e-mail aan {email}. Vermeld kenmerk {card}. "
    "Een bezwaar schort de maatregel niet op: die blijft gelden tot op het "
    "bezwaar is beslist.",
    "Privacy",
    "Uw gegevens worden verwerkt volgens het modelprotocol collectief "
    "winkelverbod en de vergunning van de Autoriteit Persoonsgegevens. Ze "
    "worden alleen gedeeld met de deelnemers van het gebied en bewaard tot "
    "de maatregel afloopt; daarna worden ze verwijderd. U heeft recht op "
    "inzage, correctie, verwijdering en bezwaar. Richt uw verzoek aan "
    "{signer}, {address} ({email}), "
    "ter attentie van de functionaris voor gegevensbescherming.",
    "Aan de ouder/voogd: deze maatregel betreft een minderjarige. U ontvangt "
    "een afschrift van deze brief.",
    "Overlastdonatie",
    "U hoeft voor dit incident geen overlastdonatie te betalen.",
    "Met vriendelijke groet,\n{signer}",
    "Kenmerk {card} - uitgegeven door {issuer}",
};

constexpr Wording kEnglish = {
    "{place}, {today}",
    "Individual shop ban",
    "Collective warning",
    "Collective shop ban",
    "To: {name}, born {dob}",
    "On {date} the following happened in {area} ({place}): "
    "{offence}. {summary}",
    "You may not enter the shop below while this ban is in force.",
    "This is a collective warning (yellow card). You may still visit the "
    "participating shops, but a new incident in the area while this warning "
    "is valid leads to a collective shop ban.",
    "You may not enter any of the participating shops below while this "
    "collective shop ban (red card) is in force.",
    "Applies in {area}, {place}, to these participating shops:",
    "Valid from {from} up to and including {until}.",
    "Objection",
    "You may object in writing until {deadline} to {signer}, {address}, or "
    "by e-mail to {email}. Quote reference {card}. An objection "
    "does not suspend the measure: it stays in force until the objection is "
    "decided.",
    "Privacy",
    "Your data is processed under the model protocol for the collective shop "
    "ban and the licence of the Dutch Data Protection Authority. It is shared "
    "only with the participants of the area and kept until the measure ends; "
    "then it is deleted. You have the right of access, rectification, "
    "erasure and objection. Address your request to {signer}, {address} "
    "({email}), for the attention of the data protection officer.",
    "To the parent/guardian: this measure concerns a minor. You receive a "
    "copy of this letter.",
    "Nuisance donation",
    "You do not have to pay a nuisance donation for this incident.",
    "Kind regards,\n{signer}",
    "Reference {card} - issued by {issuer}",
};

// One pass over the template: values are never scanned for placeholders,
// so a summary that contains "{area}" stays as typed.
std::string Fill(absl::string_view text, const NoticeData& d) {
  const std::string& lang = d.language;
  const std::pair<absl::string_view, std::string> values[] = {
      {"{name}", d.person_name},
      {"{dob}", LongDate(d.date_of_birth, lang)},
      {"{date}", LongDate(d.incident_date, lang)},
      {"{today}", LongDate(d.letter_date, lang)},
      {"{area}", d.sender.area_name},
      {"{place}", d.sender.place},
      {"{offence}", d.offence_label},
      {"{summary}", d.incident_summary},
      {"{from}", LongDate(d.valid_from, lang)},
      {"{until}", LongDate(d.last_day, lang)},
      {"{deadline}", LongDate(d.objection_deadline, lang)},
      {"{signer}", Signer(d.sender)},
      {"{address}", d.sender.postal_address},
      {"{email}", d.sender.email},
      {"{card}", absl::StrCat(d.card_id)},
      {"{issuer}", d.issued_by}};
  std::string out;
  while (!text.empty()) {
    const size_t open = text.find('{');
    absl::StrAppend(&out, text.substr(0, open));
    if (open == absl::string_view::npos) break;
    text.remove_prefix(open);
    bool replaced = false;
    for (const auto& [key, value] : values) {
      if (absl::StartsWith(text, key)) {
        out += value;
        text.remove_prefix(key.size());
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += '{';
      text.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Paragraph>> NoticeParagraphs(const NoticeData& d) {
  if (d.language != "nl" && d.language != "en") {
    return absl::InvalidArgumentError("language: nl or en");
  }
  const Wording& w = d.language == "en" ? kEnglish : kDutch;
  const char* title = nullptr;
  const char* meaning = nullptr;
  if (d.card_kind == "individual_ban") {
    title = w.title_individual;
    meaning = w.meaning_individual;
  } else if (d.card_kind == "collective_warning") {
    title = w.title_warning;
    meaning = w.meaning_warning;
  } else if (d.card_kind == "collective_ban") {
    title = w.title_ban;
    meaning = w.meaning_ban;
  } else {
    return absl::InvalidArgumentError(
        "card_kind: individual_ban, collective_warning or collective_ban");
  }
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"person_name",
                                                   &d.person_name},
        {"sender.area_name", &d.sender.area_name},
        {"sender.postal_address", &d.sender.postal_address},
        {"sender.email", &d.sender.email}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    }
  }
  if (d.last_day < d.valid_from) {
    return absl::InvalidArgumentError("last_day: before valid_from");
  }
  std::vector<Paragraph> out;
  for (const std::string& line : SenderLines(d.sender, d.language)) {
    out.push_back({Style::kSmall, line});
  }
  out.push_back({Style::kBody, Fill(w.dated, d)});
  std::vector<Paragraph> body = {
      {Style::kTitle, title},
      {Style::kBody, Fill(w.subject, d)},
      {Style::kBody, Fill(w.what_happened, d)},
      {Style::kBody, meaning},
      {Style::kBody, Fill(w.where, d)},
  };
  out.insert(out.end(), body.begin(), body.end());
  for (const std::string& shop : d.shops) {
    out.push_back({Style::kBody, absl::StrCat("- ", shop)});
  }
  out.push_back({Style::kBody, Fill(w.period, d)});
  if (d.minor) out.push_back({Style::kBody, w.guardian});
  if (d.donation_lines.empty()) {
    out.push_back({Style::kHeading, w.donation_heading});
    out.push_back({Style::kBody, w.no_donation});
  } else {
    out.push_back({Style::kHeading, d.donation_heading});
    for (const std::string& line : d.donation_lines) {
      out.push_back({Style::kBody, line});
    }
  }
  out.push_back({Style::kHeading, w.objection_heading});
  out.push_back({Style::kBody, Fill(w.objection, d)});
  out.push_back({Style::kHeading, w.privacy_heading});
  out.push_back({Style::kBody, Fill(w.privacy, d)});
  out.push_back({Style::kBody, Fill(w.closing, d)});
  out.push_back({Style::kSmall, Fill(w.footer, d)});
  return out;
}

}  // namespace kvo::notice
