#include "services/donations/claim_letters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_join.h"

namespace kvo::donations {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Text(const std::vector<notice::Paragraph>& ps) {
  std::vector<std::string> lines;
  for (const auto& p : ps) lines.push_back(p.text);
  return absl::StrJoin(lines, "\n");
}

LetterData Reminder() {
  LetterData d;
  d.kind = LetterKind::kReminder;
  d.claim_id = 17;
  d.payment_reference = "5000056789012345";
  d.amount_cents = 13100;
  d.date = absl::CivilDay(2026, 11, 30);
  d.due_on = absl::CivilDay(2026, 12, 14);
  d.reminder_number = 1;
  d.reminders_before_collection = 2;
  d.sender.area_id = 3;
  d.sender.area_name = "Brinkkwartier";
  d.sender.place = "Zutphen";
  d.sender.coordinator = "P. Jansen, centrummanager";
  d.sender.postal_address = "Postbus 12, 7200 AA Zutphen";
  d.sender.email = "kvo@brinkkwartier.example";
  d.sender.phone = "0575 123456";
  d.sender.payee = "Stichting KVO Brinkkwartier";
  d.sender.iban = "NL91ABNA0417164300";
  return d;
}

// Every letter of a claim: dated in the area's place, the payee and IBAN,
// the reference, the sender and how to reach them.
void ExpectSenderAndAccount(const std::string& text) {
  for (const char* part :
       {"Zutphen, 30 november 2026", "NL91 ABNA 0417 1643 00",
        "ten name van Stichting KVO Brinkkwartier", "5000 0567 8901 2345",
        "P. Jansen, centrummanager", "Postbus 12, 7200 AA Zutphen",
        "kvo@brinkkwartier.example", "0575 123456"}) {
    EXPECT_THAT(text, HasSubstr(part));
  }
}

TEST(ClaimLettersTest, ReminderSaysWhatWhenHowAndWhatFollows) {
  const std::string text = Text(LetterParagraphs(Reminder()));
  EXPECT_THAT(text, HasSubstr("Herinnering overlastdonatie"));
  EXPECT_THAT(text, HasSubstr("€ 131,00"));
  EXPECT_THAT(text, HasSubstr("14 december 2026"));
  EXPECT_THAT(text, HasSubstr("30 november 2026"));
  EXPECT_THAT(text, HasSubstr("5000 0567 8901 2345"));
  EXPECT_THAT(text, HasSubstr("deurwaarder"));
  EXPECT_THAT(text, HasSubstr("herinnering 1 van 2"));
  EXPECT_THAT(text, Not(HasSubstr("laatste herinnering")));
  ExpectSenderAndAccount(text);
  LetterData last = Reminder();
  last.reminder_number = 2;
  EXPECT_THAT(Text(LetterParagraphs(last)), HasSubstr("laatste herinnering"));
}

TEST(ClaimLettersTest, RefundAndCollectionLetters) {
  LetterData refund = Reminder();
  refund.kind = LetterKind::kRefund;
  refund.amount_cents = 18100;
  refund.reason = "sepot";
  const std::string text = Text(LetterParagraphs(refund));
  EXPECT_THAT(text, HasSubstr("Terugbetaling"));
  EXPECT_THAT(text, HasSubstr("€ 181,00 terug"));
  EXPECT_THAT(text, HasSubstr("(sepot)"));
  ExpectSenderAndAccount(text);
  LetterData collection = Reminder();
  collection.kind = LetterKind::kCollection;
  EXPECT_THAT(Text(LetterParagraphs(collection)),
              HasSubstr("uit handen gegeven"));
  ExpectSenderAndAccount(Text(LetterParagraphs(collection)));
  EXPECT_EQ(Euros(5), "€ 0,05");
  EXPECT_EQ(Euros(-18100), "-€ 181,00");
}

TEST(ClaimLettersTest, RendersAsPdf) {
  auto pdf = RenderLetterPdf(Reminder());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  // To look at it: KVO_LETTER_PDF=/tmp/letter.pdf, then pdftoppm.
  if (const char* out = std::getenv("KVO_LETTER_PDF")) {
    std::ofstream(out, std::ios::binary) << *pdf;
  }
}

TEST(ClaimLettersTest, NoticeLinesNameAmountAccountDateAndReference) {
  const auto lines =
      NoticeClaimLines({18100, absl::CivilDay(2026, 12, 14), "5000056789012345",
                        "Stichting KVO Brinkkwartier", "NL91ABNA0417164300"});
  const std::string text = absl::StrJoin(lines, "\n");
  EXPECT_THAT(text, HasSubstr("€ 181,00"));
  EXPECT_THAT(text, HasSubstr("NL91 ABNA 0417 1643 00"));
  EXPECT_THAT(text, HasSubstr("ten name van Stichting KVO Brinkkwartier"));
  EXPECT_THAT(text, HasSubstr("14 december 2026"));
  EXPECT_THAT(text, HasSubstr("5000 0567 8901 2345"));
  EXPECT_THAT(text, HasSubstr("deurwaarder"));
}

}  // namespace
}  // namespace kvo::donations
