#include "services/donations/claim_letters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/dutch_date.h"
#include "services/common/dutch_number.h"
#include "services/common/iban.h"
#include "services/donations/payment_reference.h"
#include "services/notice/notice_pdf.h"

namespace kvo::donations {
namespace {

using notice::Paragraph;
using Style = notice::Paragraph::Style;

Paragraph P(Style style, std::string text) { return {style, std::move(text)}; }

}  // namespace

std::string Euros(int64_t cents) { return common::DutchEuros(cents); }

std::string DutchDay(absl::CivilDay day) { return common::DutchDay(day); }

std::string NoticeClaimHeading(const std::string& language) {
  return language == "en" ? "Nuisance donation" : "Overlastdonatie";
}

std::vector<std::string> NoticeClaimLines(const PaymentDue& due,
                                          const std::string& language) {
  const std::string reference = FormatPaymentReference(due.reference);
  const std::string iban = common::FormatIban(due.iban);
  if (language == "en") {
    return {absl::StrCat("A nuisance donation of ", Euros(due.amount_cents),
                         " is claimed from you for this incident. Pay it by ",
                         common::LongDate(due.due_on, "en"), " to account ",
                         iban, " in the name of ", due.payee,
                         ", quoting payment reference ", reference, "."),
            "If you do not pay in time, you receive a reminder with a new "
            "term. If you still do not pay, the claim is handed to a bailiff "
            "at your expense. Paying in instalments is possible: contact "
            "the coordinator."};
  }
  return {
      absl::StrCat("Voor dit incident wordt een overlastdonatie van ",
                   Euros(due.amount_cents),
                   " van u gevraagd. Maak dit bedrag uiterlijk op ",
                   DutchDay(due.due_on), " over naar rekening ", iban,
                   " ten name van ", due.payee,
                   ", onder vermelding van betalingskenmerk ", reference, "."),
      "Betaalt u niet op tijd, dan krijgt u een herinnering met een nieuwe "
      "termijn. Betaalt u dan nog niet, dan wordt de vordering uit handen "
      "gegeven aan een deurwaarder; de kosten daarvan komen voor uw "
      "rekening. Betalen in termijnen is mogelijk: neem contact op met de "
      "coördinator."};
}

std::vector<Paragraph> LetterParagraphs(const LetterData& d) {
  std::vector<Paragraph> out;
  const std::string reference = FormatPaymentReference(d.payment_reference);
  const std::string account =
      absl::StrCat("rekening ", common::FormatIban(d.sender.iban),
                   " ten name van ", d.sender.payee);
  for (const std::string& line : notice::SenderLines(d.sender)) {
    out.push_back(P(Style::kSmall, line));
  }
  out.push_back(
      P(Style::kBody, absl::StrCat(d.sender.place, ", ", DutchDay(d.date))));
  switch (d.kind) {
    case LetterKind::kReminder:
      out.push_back(P(Style::kTitle, "Herinnering overlastdonatie"));
      break;
    case LetterKind::kCollection:
      out.push_back(P(Style::kTitle, "Overlastdonatie uit handen gegeven"));
      break;
    case LetterKind::kRefund:
      out.push_back(P(Style::kTitle, "Terugbetaling overlastdonatie"));
      break;
  }
  out.push_back(
      P(Style::kSmall, absl::StrCat("Vordering ", d.claim_id,
                                    "    Betalingskenmerk ", reference)));
  out.push_back(P(Style::kBody, "Geachte heer, mevrouw,"));
  switch (d.kind) {
    case LetterKind::kReminder:
      out.push_back(
          P(Style::kBody,
            absl::StrCat("Wij hebben uw overlastdonatie nog niet (volledig) "
                         "ontvangen. Dit is herinnering ",
                         d.reminder_number, " van ",
                         d.reminders_before_collection, ".")));
      out.push_back(P(Style::kHeading, "Wat u moet doen"));
      out.push_back(
          P(Style::kBody,
            absl::StrCat("Maak ", Euros(d.amount_cents), " over naar ", account,
                         ", uiterlijk op ", DutchDay(d.due_on),
                         ", onder vermelding van betalingskenmerk ", reference,
                         ". Gebruik precies dit kenmerk: dan wordt uw betaling "
                         "vanzelf verwerkt.")));
      out.push_back(P(Style::kHeading, "Als u niet betaalt"));
      out.push_back(
          P(Style::kBody,
            d.reminder_number >= d.reminders_before_collection
                ? "Dit is de laatste herinnering. Betaalt u niet op tijd, dan "
                  "geven wij de vordering uit handen aan een deurwaarder; de "
                  "kosten daarvan komen voor uw rekening."
                : "Betaalt u niet op tijd, dan ontvangt u nog een herinnering. "
                  "Daarna geven wij de vordering uit handen aan een "
                  "deurwaarder; de kosten daarvan komen voor uw rekening."));
      out.push_back(P(Style::kBody,
                      "Kunt u niet in één keer betalen? Neem dan contact op "
                      "met de coördinator: betalen in termijnen is "
                      "mogelijk."));
      break;
    case LetterKind::kCollection:
      out.push_back(
          P(Style::kBody,
            absl::StrCat("Ondanks onze herinneringen hebben wij ",
                         Euros(d.amount_cents),
                         " niet ontvangen. Wij hebben de vordering uit handen "
                         "gegeven aan een deurwaarder. U hoort van hem hoe u "
                         "alsnog betaalt; betalen naar ",
                         account, " onder betalingskenmerk ", reference,
                         " blijft mogelijk.")));
      break;
    case LetterKind::kRefund:
      out.push_back(
          P(Style::kBody,
            absl::StrCat("De zaak waarvoor u een overlastdonatie betaalde, is ",
                         d.reason.empty()
                             ? "geseponeerd of u bent vrijgesproken"
                             : absl::StrCat("afgedaan (", d.reason, ")"),
                         ". U krijgt daarom ", Euros(d.amount_cents),
                         " terug, uiterlijk op ", DutchDay(d.due_on), ".")));
      out.push_back(
          P(Style::kBody,
            absl::StrCat("Wij maken het bedrag over van ", account,
                         " naar de rekening waarvan u betaalde, "
                         "onder vermelding van betalingskenmerk ",
                         reference, ". U hoeft hiervoor niets te doen.")));
      break;
  }
  std::vector<std::string> contact = {d.sender.postal_address, d.sender.email};
  if (!d.sender.phone.empty()) {
    contact.push_back(absl::StrCat("telefoon ", d.sender.phone));
  }
  out.push_back(P(Style::kHeading, "Vragen"));
  out.push_back(P(Style::kBody,
                  absl::StrCat("Neem contact op met ", notice::Signer(d.sender),
                               ": ", absl::StrJoin(contact, ", "),
                               ". Vermeld vordering ", d.claim_id, ".")));
  out.push_back(P(Style::kBody, absl::StrCat("Met vriendelijke groet,\n",
                                             notice::Signer(d.sender))));
  out.push_back(P(Style::kSmall,
                  "Uw persoonsgegevens bij deze vordering worden drie "
                  "maanden na betaling verwijderd, en bij niet-betalen "
                  "uiterlijk na zeven jaar."));
  return out;
}

absl::StatusOr<std::string> RenderLetterPdf(const LetterData& data) {
  return notice::RenderParagraphsPdf(LetterParagraphs(data));
}

}  // namespace kvo::donations
