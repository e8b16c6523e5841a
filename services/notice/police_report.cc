#include "services/notice/police_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/dutch_date.h"
#include "services/common/dutch_number.h"
#include "services/notice/notice_pdf.h"

namespace kvo::notice {
namespace {

using Style = Paragraph::Style;

// "7 december 2026, 14:05".
std::string DutchDateTime(absl::CivilMinute t) {
  return absl::StrFormat("%s, %02d:%02d", common::DutchDay(absl::CivilDay(t)),
                         t.hour(), t.minute());
}

// "diefstal" -> "Diefstal": the policy's labels run mid-sentence.
std::string Capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
  return s;
}

void List(std::vector<Paragraph>& out, const char* heading,
          const std::vector<std::string>& items, const char* none) {
  out.push_back({Style::kHeading, heading});
  if (items.empty()) out.push_back({Style::kBody, none});
  for (const std::string& item : items) {
    out.push_back({Style::kBody, absl::StrCat("- ", item)});
  }
}

}  // namespace

absl::StatusOr<std::vector<Paragraph>> PoliceReportParagraphs(
    const PoliceReportData& d) {
  if (d.shop_name.empty()) {
    return absl::InvalidArgumentError("shop_name: required");
  }
  if (d.area.area_name.empty()) {
    return absl::InvalidArgumentError("area.area_name: required");
  }
  std::vector<Paragraph> out;
  for (const std::string& line : SenderLines(d.area)) {
    out.push_back({Style::kSmall, line});
  }
  out.push_back({Style::kBody,
                 absl::StrCat(d.area.place, d.area.place.empty() ? "" : ", ",
                              common::DutchDay(d.letter_date))});
  out.push_back({Style::kTitle, "Aangifte winkeldiefstal of overlast"});
  out.push_back(
      {Style::kSmall,
       absl::StrCat(
           "Voorbereid voor de politie uit het KVO-register, incident ",
           d.incident_id,
           d.report_number.empty()
               ? ""
               : absl::StrCat("    Aangiftenummer ", d.report_number))});

  out.push_back({Style::kHeading, "Benadeelde winkel"});
  out.push_back({Style::kBody,
                 absl::StrCat(d.shop_name, ", deelnemer KVO ", d.area.area_name,
                              d.area.place.empty() ? "" : ", ", d.area.place)});
  out.push_back(
      {Style::kBody,
       d.shop_contact.empty()
           ? absl::StrCat("Contact: via ", Signer(d.area),
                          d.area.email.empty() ? "" : ", ", d.area.email,
                          d.area.phone.empty() ? "" : ", telefoon ",
                          d.area.phone)
           : absl::StrCat("Contact: ", d.shop_contact)});

  out.push_back({Style::kHeading, "Feit, tijd en plaats"});
  out.push_back({Style::kBody, Capitalised(d.offence_label)});
  out.push_back(
      {Style::kBody,
       absl::StrCat(DutchDateTime(d.occurred_at), ", in de winkel ",
                    d.shop_name, " (", d.area.area_name,
                    d.area.place.empty() ? "" : ", ", d.area.place, ")")});

  out.push_back({Style::kHeading, "Wat er gebeurde"});
  out.push_back({Style::kBody, d.what_happened.empty()
                                   ? "Geen omschrijving vastgelegd."
                                   : d.what_happened});

  out.push_back({Style::kHeading, "Weggenomen goederen en schade"});
  out.push_back(
      {Style::kBody,
       d.stolen_goods.empty()
           ? "Weggenomen: niets opgegeven."
           : absl::StrCat("Weggenomen: ", d.stolen_goods, ", waarde ",
                          common::DutchEuros(d.stolen_value_cents), ".")});
  out.push_back(
      {Style::kBody,
       absl::StrCat("Schade: ", common::DutchEuros(d.damage_cents), ".")});

  out.push_back({Style::kHeading, "Signalement"});
  out.push_back({Style::kBody, absl::StrCat("Naam: ", d.person_name.empty()
                                                          ? "onbekend"
                                                          : d.person_name)});
  if (!d.person_description.empty()) {
    out.push_back(
        {Style::kBody, absl::StrCat("Beschrijving: ", d.person_description)});
  }

  List(out, "Getuigen", d.witnesses, "Geen getuigen opgegeven.");
  List(out, "Camerabeelden", d.camera_footage, "Geen camerabeelden opgegeven.");

  out.push_back({Style::kBody,
                 "Naar waarheid opgemaakt door de winkel. De politie neemt de "
                 "aangifte op en geeft een aangiftenummer; de winkel legt dat "
                 "nummer vast in het KVO-register (kvo incident aangifte)."});
  out.push_back({Style::kBody,
                 "Datum: ................    Handtekening: "
                 "................................"});
  out.push_back(
      {Style::kSmall,
       "Dit document bevat persoonsgegevens. Geef het alleen aan de politie "
       "en bewaar geen kopie langer dan nodig."});
  return out;
}

absl::StatusOr<std::string> RenderPoliceReportPdf(const PoliceReportData& d) {
  auto paragraphs = PoliceReportParagraphs(d);
  if (!paragraphs.ok()) return paragraphs.status();
  return RenderParagraphsPdf(*paragraphs);
}

}  // namespace kvo::notice
