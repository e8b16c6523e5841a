#ifndef KVO_SERVICES_NOTICE_NOTICE_PDF_H_
#define KVO_SERVICES_NOTICE_NOTICE_PDF_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/notice/letterhead.h"

typedef struct _cairo cairo_t;

namespace kvo::notice {

// What the written notice to a person says. Days are Europe/Amsterdam
// days, written out in the notice's language ("7 december 2026"); texts
// are already in the notice's language.
struct NoticeData {
  std::string language = "nl";  // "nl" or "en"
  int64_t card_id = 0;
  // "individual_ban" | "collective_warning" | "collective_ban"
  std::string card_kind;
  // The sender: the area, the place the letter is dated in, where an
  // objection goes (postal address and e-mail) and who signs.
  Letterhead sender;
  absl::CivilDay letter_date;  // the day it is written
  std::string person_name;
  std::string date_of_birth;  // YYYY-MM-DD as recorded
  bool minor = false;         // a parent/guardian is addressed too
  std::string offence_label;
  absl::CivilDay incident_date;
  std::string incident_summary;
  std::vector<std::string> shops;  // participating shops at issue time
  absl::CivilDay valid_from;
  // The last whole day the card is in force (LastWholeDay in the
  // registry's card rules): "tot en met" this day.
  absl::CivilDay last_day;
  absl::CivilDay objection_deadline;
  std::string issued_by;
  // What the notice says about a nuisance donation claimed for the case
  // (amount, IBAN, payee, payment reference, due date, what follows if
  // unpaid), already in the notice's language; empty: nothing to pay, and
  // the notice says so.
  std::string donation_heading;
  std::vector<std::string> donation_lines;
};

// The notice as an A4 PDF of as many pages as it needs (long summaries and
// shop lists flow on). INVALID_ARGUMENT naming the field for an unknown
// language or card kind, or an empty name, area or objection address;
// INTERNAL when cairo fails. Thread-safe.
absl::StatusOr<std::string> RenderNoticePdf(const NoticeData& data);

struct Paragraph;
// Any document of paragraphs as an A4 PDF with the notice's layout (the
// access export uses it too). A photo is embedded as the JPEG it is, at
// most 6 x 8 cm. INTERNAL when cairo fails. Thread-safe.
absl::StatusOr<std::string> RenderParagraphsPdf(
    const std::vector<Paragraph>& paragraphs);

// An A4 PDF (595 x 842 points) of what `draw` draws with cairo; `draw`
// calls cairo_show_page between pages, the last page is shown after it.
// INTERNAL when cairo fails. Thread-safe.
absl::StatusOr<std::string> DrawA4Pdf(
    const std::function<void(cairo_t*)>& draw);

}  // namespace kvo::notice

#endif  // KVO_SERVICES_NOTICE_NOTICE_PDF_H_
