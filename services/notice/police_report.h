#ifndef KVO_SERVICES_NOTICE_POLICE_REPORT_H_
#define KVO_SERVICES_NOTICE_POLICE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/notice/letterhead.h"
#include "services/notice/notice_text.h"

namespace kvo::notice {

// What a shop hands to the police to report an incident (aangifte): only
// what the shop knows of it. The person is named and described as the
// area's participants see them (name and personal description); fields
// only the coordinator and police see (address, residence, date and place
// of birth), other incidents and cards are not part of it. Texts are as
// recorded; times are Europe/Amsterdam.
struct PoliceReportData {
  Letterhead area;             // the area, its place and its coordinator
  absl::CivilDay letter_date;  // the day it is written
  int64_t incident_id = 0;
  std::string shop_name;
  std::string shop_contact;  // empty: the area's coordinator is the contact
  absl::CivilMinute occurred_at;
  std::string offence_label;  // Dutch ("Diefstal")
  std::string what_happened;  // the incident's summary
  std::string stolen_goods;   // empty: nothing recorded as taken
  int64_t stolen_value_cents = 0;
  int64_t damage_cents = 0;
  std::string person_name;
  std::string person_description;
  std::vector<std::string> witnesses;
  std::vector<std::string> camera_footage;
  std::string report_number;  // empty: not reported yet
};

// The report's paragraphs, in Dutch. INVALID_ARGUMENT naming the field
// for an empty shop or area name. Pure.
absl::StatusOr<std::vector<Paragraph>> PoliceReportParagraphs(
    const PoliceReportData& d);
// The report as an A4 PDF with the letters' layout. Thread-safe.
absl::StatusOr<std::string> RenderPoliceReportPdf(const PoliceReportData& d);

}  // namespace kvo::notice

#endif  // KVO_SERVICES_NOTICE_POLICE_REPORT_H_
