#ifndef KVO_SERVICES_NOTICE_NOTICE_PDF_H_
#define KVO_SERVICES_NOTICE_NOTICE_PDF_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

typedef struct _cairo cairo_t;

namespace kvo::notice {

// What the written notice to a person says. Dates are YYYY-MM-DD in
// Europe/Amsterdam; texts are already in the notice's language.
struct NoticeData {
  std::string language = "nl";  // "nl" or "en"
  int64_t card_id = 0;
  // "individual_ban" | "collective_warning" | "collective_ban"
  std::string card_kind;
  std::string person_name;
  std::string date_of_birth;
  bool minor = false;  // a parent/guardian is addressed too
  std::string offence_label;
  std::string incident_date;
  std::string incident_summary;
  std::string area_name;
  std::string municipality;
  std::vector<std::string> shops;  // participating shops at issue time
  std::string valid_from;
  std::string valid_until;
  std::string objection_deadline;
  std::string objection_address;
  std::string issued_by;
  // What the notice says about a nuisance donation claimed for the case
  // (amount, due date, payment reference, what follows if unpaid), already
  // in the notice's language; empty: no claim, no section.
  std::string donation_heading;
  std::vector<std::string> donation_lines;
};

// The notice as an A4 PDF of as many pages as it needs (long summaries and
// shop lists flow on). INVALID_ARGUMENT naming the field for an unknown
// language or card kind, or an empty name, area or period; INTERNAL when
// cairo fails. Thread-safe.
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

// A day as a Dutch reader writes it: "30 november 2026".
std::string DutchDate(int year, int month, int day);

}  // namespace kvo::notice

#endif  // KVO_SERVICES_NOTICE_NOTICE_PDF_H_
