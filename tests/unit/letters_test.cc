// The pure parts of the letters a person receives (issue 26): the IBAN
// they pay to is checked (ISO 13616), days are written out in Dutch, a
// card's "tot en met" is its last whole day, and the area's letterhead is
// validated before it is recorded.
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/cycle.pb.h"
#include "services/common/dutch_date.h"
#include "services/common/iban.h"
#include "services/common/local_time.h"
#include "services/cycle/cycle_requests.h"
#include "services/notice/letterhead.h"
#include "services/notice/police_report.h"
#include "services/registry/card_rules.h"

namespace kvo {
namespace {

using ::testing::HasSubstr;

TEST(IbanTest, ValidIbansAreKeptWithoutSpacesInUpperCase) {
  for (const char* iban :
       {"NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300",
        "NL20INGB0001234567", "GB82WEST12345698765432",
        "DE89 3704 0044 0532 0130 00"}) {
    auto normal = common::NormalizeIban(iban, "iban (kvo --iban)");
    ASSERT_TRUE(normal.ok()) << iban << ": " << normal.status();
    EXPECT_EQ(normal->find(' '), std::string::npos);
  }
  EXPECT_EQ(*common::NormalizeIban("nl91 abna 0417 1643 00", "iban"),
            "NL91ABNA0417164300");
  EXPECT_EQ(common::FormatIban("NL91ABNA0417164300"), "NL91 ABNA 0417 1643 00");
}

TEST(IbanTest, AWrongCheckDigitOrLengthIsRefusedNamingTheFlag) {
  const std::pair<const char*, const char*> cases[] = {
      {"NL92ABNA0417164300", "check digits"},  // one digit off
      {"NL91ABNA0417164301", "check digits"},  // a typo in the account
      {"NL91ABNA041716430", "18 characters"},  // a Dutch IBAN is 18
      {"NL91ABNA04171643000", "18 characters"},
      {"1234ABNA0417164300", "country code"},
      {"NL91-ABNA-0417", "letters, digits"},
      {"NL91", "characters"},
      {"", "required"}};
  for (const auto& [iban, why] : cases) {
    auto normal = common::NormalizeIban(iban, "iban (kvo --iban)");
    EXPECT_EQ(normal.status().code(), absl::StatusCode::kInvalidArgument)
        << iban;
    EXPECT_THAT(normal.status().message(), HasSubstr("--iban")) << iban;
    EXPECT_THAT(normal.status().message(), HasSubstr(why)) << iban;
  }
}

TEST(DutchDateTest, DaysAreWrittenOutWithTheMonthsName) {
  EXPECT_EQ(common::DutchDay(absl::CivilDay(2026, 12, 7)), "7 december 2026");
  EXPECT_EQ(common::DutchDay(absl::CivilDay(2027, 1, 1)), "1 januari 2027");
  EXPECT_EQ(common::DutchDate(2028, 2, 29), "29 februari 2028");
  EXPECT_EQ(common::DutchDate(2028, 13, 1), "");
  EXPECT_EQ(common::LongDate(absl::CivilDay(2026, 12, 7), "en"),
            "7 December 2026");
  EXPECT_EQ(common::LongDate(absl::CivilDay(2026, 12, 7), "nl"),
            "7 december 2026");
  // A date of birth as recorded.
  EXPECT_EQ(common::LongDate("1988-02-03", "nl"), "3 februari 1988");
  EXPECT_EQ(common::LongDate("onbekend", "nl"), "onbekend");
}

absl::Time Amsterdam(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm),
                         common::Amsterdam());
}

// The rule: a card is in force from valid_from up to, not including,
// valid_until, so the day valid_until falls on is never whole: the notice's
// "tot en met" is the day before it.
TEST(LastWholeDayTest, TotEnMetIsTheDayBeforeTheCardEnds) {
  // Issued 7 December 2026 00:16, 365 days: valid until 7 December 2027
  // 00:16; that day is not whole.
  const absl::Time issued = Amsterdam(2026, 12, 7, 0, 16);
  const absl::Time until = issued + absl::Hours(24 * 365);
  EXPECT_EQ(registry::LastWholeDay(until), absl::CivilDay(2027, 12, 6));
  // Ending at midnight: the day before midnight is the last whole one.
  EXPECT_EQ(registry::LastWholeDay(Amsterdam(2027, 12, 8, 0, 0)),
            absl::CivilDay(2027, 12, 7));
  // Late in the evening: still not a whole day.
  EXPECT_EQ(registry::LastWholeDay(Amsterdam(2027, 12, 7, 23, 59)),
            absl::CivilDay(2027, 12, 6));
  // Amsterdam's day, not UTC's: 00:30 in summer is 22:30 UTC the day
  // before.
  EXPECT_EQ(registry::LastWholeDay(Amsterdam(2027, 7, 1, 0, 30)),
            absl::CivilDay(2027, 6, 30));
}

TEST(AreaContactRequestTest, TheIbanIsCheckedAndKeptCompact) {
  kvo::v1::SetAreaContactRequest r;
  r.set_area_id(3);
  r.set_iban("nl91 abna 0417 1643 00");
  r.set_payee("Stichting KVO Brinkkwartier");
  auto valid = cycle::ValidateSetAreaContactRequest(r);
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_EQ(valid->iban(), "NL91ABNA0417164300");

  r.set_iban("NL92ABNA0417164300");
  auto bad = cycle::ValidateSetAreaContactRequest(r);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("kvo --iban"));

  kvo::v1::SetAreaContactRequest mail;
  mail.set_area_id(3);
  mail.set_objection_email("kvo.zutphen.nl");
  EXPECT_THAT(cycle::ValidateSetAreaContactRequest(mail).status().message(),
              HasSubstr("--objection-email"));
  kvo::v1::SetAreaContactRequest empty;
  empty.set_area_id(3);
  EXPECT_THAT(cycle::ValidateSetAreaContactRequest(empty).status().message(),
              HasSubstr("nothing to record"));
}

TEST(LetterheadTest, MissingObjectionAddressOrAccountNamesTheCommand) {
  notice::Letterhead l;
  l.area_id = 3;
  l.area_name = "Brinkkwartier";
  const absl::Status no_address = notice::CheckObjectionAddress(l);
  EXPECT_EQ(no_address.code(), absl::StatusCode::kFailedPrecondition);
  for (const char* part :
       {"Brinkkwartier", "objection address", "kvo area contact --area 3",
        "--objection-address", "--objection-email"}) {
    EXPECT_THAT(no_address.message(), HasSubstr(part));
  }
  l.postal_address = "Postbus 12, 7200 AA Zutphen";
  l.email = "kvo@zutphen.example";
  EXPECT_TRUE(notice::CheckObjectionAddress(l).ok());
  const absl::Status no_account = notice::CheckPaymentDetails(l);
  EXPECT_EQ(no_account.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_account.message(), HasSubstr("--payee ... --iban ..."));
  l.payee = "Stichting KVO Brinkkwartier";
  l.iban = "NL91ABNA0417164300";
  EXPECT_TRUE(notice::CheckPaymentDetails(l).ok());
  EXPECT_EQ(notice::Signer(l), "KVO-coördinator Brinkkwartier");
  l.coordinator = "A. de Vries, centrummanager";
  EXPECT_EQ(notice::Signer(l), "A. de Vries, centrummanager");
}

// The police report (aangifte) a shop hands to the police: Dutch, dated,
// the time written out, money as letters write it; no shop, no report.
TEST(PoliceReportTest, SaysWhenWhereAndWhatInDutch) {
  notice::PoliceReportData d;
  d.area.area_name = "Binnenstad";
  d.area.place = "Deventer";
  d.letter_date = absl::CivilDay(2026, 12, 8);
  d.incident_id = 7;
  d.shop_name = "Bakkerij de Korenaar";
  d.occurred_at = absl::CivilMinute(2026, 12, 7, 14, 5);
  d.offence_label = "Diefstal";
  d.stolen_goods = "twee flessen wijn";
  d.stolen_value_cents = 2599;
  d.damage_cents = 0;
  d.witnesses = {"A. de Vries"};
  auto paragraphs = notice::PoliceReportParagraphs(d);
  ASSERT_TRUE(paragraphs.ok()) << paragraphs.status();
  std::string text;
  for (const auto& p : *paragraphs) text += p.text + "\n";
  EXPECT_THAT(text, HasSubstr("Deventer, 8 december 2026"));
  EXPECT_THAT(text, HasSubstr("7 december 2026, 14:05"));
  EXPECT_THAT(text, HasSubstr("waarde € 25,99"));
  EXPECT_THAT(text, HasSubstr("Schade: € 0,00"));
  EXPECT_THAT(text, HasSubstr("- A. de Vries"));
  EXPECT_THAT(text, HasSubstr("Geen camerabeelden opgegeven."));
  d.shop_name.clear();
  EXPECT_EQ(notice::PoliceReportParagraphs(d).status().message(),
            "shop_name: required");
}

}  // namespace
}  // namespace kvo
