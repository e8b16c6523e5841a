#include "clients/cli/report_commands.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/reports.grpc.pb.h"

namespace kvo::cli {
namespace {

using kvo::v1::ReportService;

struct Args {
  int64_t area = 0;
  std::string municipality;
  std::vector<int64_t> areas;
  std::string from, to;
  std::string csv_path, pdf_path;
};

// --from and --to into the request's four days; an error's exit code.
template <typename Request>
int SetPeriods(const Args& a, Request& req) {
  if (!ParsePeriodArg(a.from, req.mutable_first_from(),
                      req.mutable_first_to())) {
    return ReportError(absl::StrCat(
        "--from: \"", a.from,
        "\" is not a period: whole months, a year (2024), a month (2024-03) "
        "or 2024-01-01..2024-06-30"));
  }
  if (!ParsePeriodArg(a.to, req.mutable_second_from(),
                      req.mutable_second_to())) {
    return ReportError(absl::StrCat(
        "--to: \"", a.to,
        "\" is not a period: whole months, a year (2025), a month (2025-03) "
        "or 2025-01-01..2025-06-30"));
  }
  req.set_with_pdf(!a.pdf_path.empty());
  return kExitOk;
}

// Writes --csv and --pdf, prints the text or (--json) the figures.
template <typename Response>
int Output(const GlobalOptions& opts, const Args& a, Response& resp) {
  if (!a.csv_path.empty()) {
    if (int rc = WriteFile(a.csv_path, resp.csv()); rc != kExitOk) return rc;
  }
  if (!a.pdf_path.empty()) {
    if (int rc = WriteFile(a.pdf_path, resp.pdf()); rc != kExitOk) return rc;
  }
  if (opts.json) {
    resp.clear_pdf();
    resp.clear_text();
    resp.clear_csv();
    std::cout << TypedJson(resp) << "\n";
  } else {
    std::cout << resp.text();
  }
  return kExitOk;
}

int RunReduction(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ReductionReportRequest req;
  req.set_area_id(a.area);
  if (int rc = SetPeriods(a, req); rc != kExitOk) return rc;
  kvo::v1::ReductionReportResponse resp;
  if (int rc = CallUnary<ReportService>(
          opts, &ReportService::Stub::ReductionReport, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  return Output(opts, a, resp);
}

int RunAcross(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ReductionAcrossRequest req;
  req.set_municipality(a.municipality);
  for (int64_t id : a.areas) req.add_area_ids(id);
  if (int rc = SetPeriods(a, req); rc != kExitOk) return rc;
  kvo::v1::ReductionAcrossResponse resp;
  if (int rc = CallUnary<ReportService>(
          opts, &ReportService::Stub::ReductionAcross, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  return Output(opts, a, resp);
}

}  // namespace

bool ParsePeriodArg(const std::string& text, std::string* from,
                    std::string* to) {
  if (text.size() == 4 && std::all_of(text.begin(), text.end(), [](char c) {
        return absl::ascii_isdigit(c);
      })) {
    *from = text + "-01-01";
    *to = text + "-12-31";
    return true;
  }
  // A month, "2025-03": its first to its last day.
  absl::CivilMonth month;
  if (text.size() == 7 && absl::ParseCivilTime(text, &month) &&
      absl::FormatCivilTime(month) == text) {
    *from = absl::FormatCivilTime(absl::CivilDay(month));
    *to = absl::FormatCivilTime(absl::CivilDay(month + 1) - 1);
    return true;
  }
  std::vector<std::string> parts = absl::StrSplit(text, "..");
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return false;
  *from = parts[0];  // the server checks the days and says what is wrong
  *to = parts[1];
  return true;
}

void AddReportCommands(CLI::App* app, const GlobalOptions* opts,
                       std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  auto* report = app->add_subcommand("report", "coordinators' reports");
  report->require_subcommand(1);
  auto* reduction = report->add_subcommand(
      "reduction",
      "theft reduction of an area between two periods (0-meting, 1-meting), "
      "in Dutch; counts below 5 show as \"< 5\" (coordinator or shopkeeper "
      "of the area; admin, privacy_officer)");
  reduction->add_option("--area", a->area, "the area's id")->required();
  reduction
      ->add_option(
          "--from", a->from,
          "the first period (0-meting), whole months: a year (2024), a "
          "month (2024-03) or 2024-01-01..2024-06-30")
      ->required();
  reduction
      ->add_option(
          "--to", a->to,
          "the second period (1-meting), whole months: a year (2025), a "
          "month (2025-03) or 2025-01-01..2025-06-30")
      ->required();
  reduction->add_option("--csv", a->csv_path, "also write the figures as CSV");
  reduction->add_option("--pdf", a->pdf_path,
                        "also write the report with charts as a PDF");
  OnSelected(reduction, action, opts, a, RunReduction);

  auto* across = report->add_subcommand(
      "across",
      "the same figures for the areas of a municipality (or a list of "
      "areas) side by side, and their total; a total that would give a "
      "hidden count away reads \"verborgen\" (admin, privacy_officer; a "
      "coordinator only when every area is theirs)");
  auto* by_name = across->add_option("--municipality", a->municipality,
                                     "every area of this municipality");
  across
      ->add_option("--areas", a->areas,
                   "these areas instead (ids, comma-separated)")
      ->delimiter(',')
      ->excludes(by_name);
  across
      ->add_option(
          "--from", a->from,
          "the first period (0-meting), whole months: a year (2024), a "
          "month (2024-03) or 2024-01-01..2024-06-30")
      ->required();
  across
      ->add_option(
          "--to", a->to,
          "the second period (1-meting), whole months: a year (2025), a "
          "month (2025-03) or 2025-01-01..2025-06-30")
      ->required();
  across->add_option("--csv", a->csv_path,
                     "also write the figures as CSV (a line per area)");
  across->add_option("--pdf", a->pdf_path,
                     "also write the report with a chart as a PDF");
  OnSelected(across, action, opts, a, RunAcross);
}

}  // namespace kvo::cli
