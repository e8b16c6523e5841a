#ifndef KVO_SERVICES_PRIVACY_ACCESS_REPORT_H_
#define KVO_SERVICES_PRIVACY_ACCESS_REPORT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kvo/v1/privacy.pb.h"
#include "services/notice/notice_text.h"
#include "services/privacy/subject_records.h"

namespace kvo::privacy {

// What the access export (GDPR art. 15) says, apart from where it came
// from: the report as data, as JSON and as the Dutch paragraphs of its PDF.
// Pure.

struct ReportInput {
  SubjectData data;
  std::optional<SubjectPhoto> photo;
  std::vector<SubjectAccess> accesses;
  absl::Time produced_at;
};

kvo::v1::AccessReport BuildAccessReport(const ReportInput& in);
kvo::v1::SubjectCard CardProto(const SubjectCard& card);

// The report as JSON (proto3 JSON mapping; the photo base64).
absl::StatusOr<std::string> AccessReportJson(
    const kvo::v1::AccessReport& report);

// Names a Dutch reader needs beside the report: offence codes and area ids.
struct ReportLabels {
  std::map<std::string, std::string> offences;  // "theft" -> "diefstal"
  std::map<int64_t, std::string> areas;         // id -> "Binnenstad (Deventer)"
};

// The report in Dutch, dates as "30 november 2026" (Europe/Amsterdam).
std::vector<notice::Paragraph> AccessReportParagraphs(
    const kvo::v1::AccessReport& report, const ReportLabels& labels);

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_ACCESS_REPORT_H_
