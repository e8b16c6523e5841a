// The written notice, read back with pdftotext as the person would read it.
#include "services/notice/notice_pdf.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/donations/claim_letters.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::notice {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

NoticeData Sample() {
  NoticeData d;
  d.card_id = 42;
  d.card_kind = "collective_ban";
  d.sender.area_id = 3;
  d.sender.area_name = "Binnenstad";
  d.sender.place = "Deventer";
  d.sender.coordinator = "A. de Vries, centrummanager";
  d.sender.postal_address = "Postbus 100, 7400 AC Deventer";
  d.sender.email = "kvo@binnenstad.example";
  d.sender.phone = "0570 123456";
  d.letter_date = absl::CivilDay(2026, 11, 21);
  d.person_name = "Jan Willem van der Berg";
  d.date_of_birth = "1990-04-01";
  d.offence_label = "diefstal";
  d.incident_date = absl::CivilDay(2026, 11, 20);
  d.incident_summary = "Nam twee flessen wijn mee zonder te betalen.";
  d.shops = {"Bakkerij de Korenaar", "Slagerij Vos"};
  d.valid_from = absl::CivilDay(2026, 11, 21);
  d.last_day = absl::CivilDay(2027, 11, 20);
  d.objection_deadline = absl::CivilDay(2026, 12, 19);
  d.issued_by = "KVO Binnenstad, Deventer";
  return d;
}

// pdftotext's lines joined by spaces: a sentence wrapped over two lines
// reads as one.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

struct Rendered {
  std::string text;
  int pages = 0;
};

Rendered Read(const NoticeData& d) {
  auto pdf = RenderNoticePdf(d);
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf.value_or("").rfind("%PDF-", 0), 0u);
  kvo::testing::TempDir dir;
  const auto file = dir.path() / "notice.pdf";
  std::ofstream(file, std::ios::binary) << pdf.value_or("");
  Rendered r;
  r.text = OneLine(
      kvo::testing::RunCommand({"/usr/bin/pdftotext", file.string(), "-"}).out);
  // To look at it: KVO_NOTICE_PDF=/tmp/notice.pdf, then pdftoppm -png.
  if (const char* out = std::getenv("KVO_NOTICE_PDF")) {
    std::ofstream(out, std::ios::binary) << pdf.value_or("");
  }
  const std::string info =
      kvo::testing::RunCommand({"/usr/bin/pdfinfo", file.string()}).out;
  const size_t at = info.find("Pages:");
  if (at != std::string::npos) r.pages = std::atoi(info.c_str() + at + 6);
  return r;
}

TEST(NoticePdfTest, DutchNoticeNamesWhoWhatWhereAndUntilWhen) {
  const Rendered r = Read(Sample());
  EXPECT_EQ(r.pages, 1);
  for (const char* part :
       {"Deventer, 21 november 2026", "Collectief winkelverbod",
        "Jan Willem van der Berg", "geboren 1 april 1990", "diefstal",
        "Op 20 november 2026", "Binnenstad", "Bakkerij de Korenaar",
        "Slagerij Vos",
        "Geldig van 21 november 2026 tot en met 20 november "
        "2027.",
        "tot en met 19 december 2026 schriftelijk bezwaar maken bij A. de "
        "Vries, centrummanager, Postbus 100, 7400 AC Deventer, of per e-mail "
        "aan kvo@binnenstad.example",
        "Bezwaar", "Privacy", "Telefoon 0570 123456",
        "Met vriendelijke groet, A. de Vries, centrummanager"}) {
    EXPECT_THAT(r.text, HasSubstr(part));
  }
  // No ISO dates left for the person to decode.
  for (const char* iso : {"2026-11-21", "2027-11-20", "1990-04-01"}) {
    EXPECT_THAT(r.text, Not(HasSubstr(iso)));
  }
  EXPECT_THAT(r.text, Not(HasSubstr("ouder/voogd")));
  // Without a claim the person reads that there is nothing to pay.
  EXPECT_THAT(r.text, HasSubstr("U hoeft voor dit incident geen "
                                "overlastdonatie te betalen."));
}

TEST(NoticePdfTest, AClaimedDonationSaysHowMuchToWhomAndByWhen) {
  NoticeData d = Sample();
  d.donation_heading = donations::NoticeClaimHeading("nl");
  d.donation_lines = donations::NoticeClaimLines(
      {18100, absl::CivilDay(2026, 12, 5), "5000056789012345",
       "Stichting KVO Binnenstad", "NL91ABNA0417164300"});
  const Rendered r = Read(d);
  for (const char* part :
       {"Overlastdonatie", "overlastdonatie van € 181,00",
        "uiterlijk op 5 december 2026", "NL91 ABNA 0417 1643 00",
        "ten name van Stichting KVO Binnenstad", "5000 0567 8901 2345"}) {
    EXPECT_THAT(r.text, HasSubstr(part));
  }
  EXPECT_THAT(r.text, Not(HasSubstr("geen overlastdonatie")));
}

TEST(NoticePdfTest, MinorsAddressTheGuardianAndEnglishIsAnOption) {
  NoticeData d = Sample();
  d.minor = true;
  d.language = "en";
  d.card_kind = "collective_warning";
  const Rendered r = Read(d);
  EXPECT_THAT(r.text, HasSubstr("Collective warning"));
  EXPECT_THAT(r.text, HasSubstr("parent/guardian"));
  EXPECT_THAT(r.text, HasSubstr("Objection"));
  EXPECT_THAT(r.text, HasSubstr("up to and including 20 November 2027"));
  EXPECT_THAT(r.text, HasSubstr("born 1 April 1990"));
  EXPECT_THAT(r.text, HasSubstr("Phone 0570 123456"));
  d.language = "nl";
  EXPECT_THAT(Read(d).text, HasSubstr("Aan de ouder/voogd"));
}

TEST(NoticePdfTest, LongTextFlowsOntoMorePagesAndNothingIsLost) {
  NoticeData d = Sample();
  d.shops.clear();
  for (int i = 0; i < 40; ++i) d.shops.push_back(absl::StrCat("Winkel ", i));
  d.incident_summary.clear();
  for (int i = 0; i < 2000; ++i) absl::StrAppend(&d.incident_summary, "woord ");
  absl::StrAppend(&d.incident_summary, "slotwoord {area}");
  const Rendered r = Read(d);
  EXPECT_GT(r.pages, 1);
  EXPECT_THAT(r.text, HasSubstr("Winkel 39"));
  EXPECT_THAT(r.text, HasSubstr("slotwoord {area}")) << "typed text stays";
}

TEST(NoticePdfTest, BadInputNamesTheField) {
  const std::pair<void (*)(NoticeData&), const char*> cases[] = {
      {[](NoticeData& d) { d.language = "de"; }, "language"},
      {[](NoticeData& d) { d.card_kind = "orange"; }, "card_kind"},
      {[](NoticeData& d) { d.person_name.clear(); }, "person_name"},
      {[](NoticeData& d) { d.sender.area_name.clear(); }, "area_name"},
      {[](NoticeData& d) { d.sender.postal_address.clear(); },
       "postal_address"},
      {[](NoticeData& d) { d.sender.email.clear(); }, "email"},
      {[](NoticeData& d) { d.last_day = d.valid_from - 1; }, "last_day"}};
  for (const auto& [mutate, field] : cases) {
    NoticeData d = Sample();
    mutate(d);
    auto pdf = RenderNoticePdf(d);
    EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(pdf.status().message(), HasSubstr(field));
  }
}

}  // namespace
}  // namespace kvo::notice
