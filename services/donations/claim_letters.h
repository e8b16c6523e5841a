#ifndef KVO_SERVICES_DONATIONS_CLAIM_LETTERS_H_
#define KVO_SERVICES_DONATIONS_CLAIM_LETTERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/notice/letterhead.h"
#include "services/notice/notice_text.h"

namespace kvo::donations {

// The Dutch letters of a claim, with the notice's renderer: a reminder
// (what is owed, the new date, the payment reference, what follows when it
// is not paid), the notice of collection, and the refund letter. Dates in
// Dutch words ("30 november 2026"), money as "€ 181,00". Each letter is
// dated in the area's place and names its sender (the area's coordinator,
// with postal address, e-mail and phone), the payee and IBAN the money is
// paid to or comes from, and the payment reference. The letter names no
// one: the claim holds no name; the address is added when it is sent.
// Pure apart from the PDF rendering; thread-safe.

enum class LetterKind { kReminder, kCollection, kRefund };

struct LetterData {
  LetterKind kind = LetterKind::kReminder;
  int64_t claim_id = 0;
  std::string payment_reference;  // 16 digits
  int64_t amount_cents = 0;       // owed (reminder, collection) or refunded
  absl::CivilDay date;            // the letter's date
  absl::CivilDay due_on;          // pay by, or refund by
  int reminder_number = 0;
  int reminders_before_collection = 0;
  std::string reason;  // the refund's: the dismissal or acquittal
  // The area's: place, sender and contact, payee and IBAN (the use case
  // checks them with notice::CheckPaymentDetails before it writes).
  notice::Letterhead sender;
};

// A nuisance donation still to be paid, and where to.
struct PaymentDue {
  int64_t amount_cents = 0;
  absl::CivilDay due_on;
  std::string reference;  // 16 digits
  std::string payee;
  std::string iban;  // without spaces
};

// "€ 181,00".
std::string Euros(int64_t cents);
std::string DutchDay(absl::CivilDay day);

std::vector<notice::Paragraph> LetterParagraphs(const LetterData& data);
absl::StatusOr<std::string> RenderLetterPdf(const LetterData& data);

// What the card's notice says about the claim: amount, IBAN, payee,
// reference, due date and what follows when it is not paid; `language`
// "nl" or "en".
std::string NoticeClaimHeading(const std::string& language);
std::vector<std::string> NoticeClaimLines(const PaymentDue& due,
                                          const std::string& language = "nl");

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_CLAIM_LETTERS_H_
