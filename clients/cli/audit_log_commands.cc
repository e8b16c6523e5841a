#include "clients/cli/audit_log_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/formatting.h"
#include "kvo/v1/audit.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"

namespace kvo::cli {
namespace {

using kvo::v1::AuditService;

constexpr char kErased[] = "(erased by retention)";

struct LogArgs {
  std::string subject;
  std::string principal;
  std::string action;
  int64_t area = 0;
  std::string from;
  std::string to;
  std::string purpose;
  std::string page_token;
  int limit = 0;
  std::string csv;
  uint64_t before_size = 0;
};

// --from/--to in Europe/Amsterdam; false (reported) when unreadable.
bool ParseTime(const std::string& flag, const std::string& text,
               google::protobuf::Timestamp* out) {
  if (text.empty()) return true;
  auto t = ParseLocalTime(text);
  if (!t) {
    ReportError(absl::StrCat(flag, " \"", text,
                             "\": expected YYYY-MM-DD or YYYY-MM-DD HH:MM "
                             "(Europe/Amsterdam)"));
    return false;
  }
  *out = common::ToProto(*t);
  return true;
}

// --from and --to into a request with from/to timestamps; false (reported)
// when one is unreadable. An absent flag leaves its bound open.
template <typename Request>
bool SetPeriod(const LogArgs& args, Request* request) {
  if (!ParseTime("--from", args.from, request->mutable_from()) ||
      !ParseTime("--to", args.to, request->mutable_to())) {
    return false;
  }
  if (args.from.empty()) request->clear_from();
  if (args.to.empty()) request->clear_to();
  return true;
}

// One AuditService call with the configured connection: kExitOk, or the
// exit code after reporting why not.
template <typename Request, typename Response>
int CallAudit(const GlobalOptions& opts,
              grpc::Status (AuditService::Stub::*method)(grpc::ClientContext*,
                                                         const Request&,
                                                         Response*),
              const Request& request, Response* response) {
  return CallUnary<AuditService>(opts, method, request, response);
}

int RunLog(const GlobalOptions& opts, const LogArgs& args) {
  kvo::v1::QueryLogRequest request;
  request.set_subject(args.subject);
  request.set_principal(args.principal);
  request.set_action(args.action);
  request.set_area_id(args.area);
  if (!SetPeriod(args, &request)) return kExitUsage;
  request.set_page_size(args.limit);
  request.set_page_token(args.page_token);
  request.set_purpose(args.purpose);
  kvo::v1::QueryLogResponse response;
  if (int rc =
          CallAudit(opts, &AuditService::Stub::QueryLog, request, &response);
      rc != kExitOk) {
    return rc;
  }
  Table table = AuditLogTable();
  for (const auto& row : response.rows()) AddAuditLogRow(row, &table);
  if (!args.csv.empty()) {
    std::string error;
    if (!WriteCsv(table, args.csv, &error, opts.Style().lang))
      return ReportError(error, 1);
  }
  if (opts.json) {
    PrintTable(table, opts.Style());
    if (!response.next_page_token().empty()) {
      // Scripts read the token from stderr to keep stdout one JSON array.
      std::cerr << "next_page_token: " << response.next_page_token()
                << std::endl;
    }
    return kExitOk;
  }
  PrintTable(table, opts.Style());
  if (!response.next_page_token().empty()) {
    std::cout << "more: add --page-token " << response.next_page_token()
              << std::endl;
  }
  return kExitOk;
}

int RunHeads(const GlobalOptions& opts, const LogArgs& args) {
  kvo::v1::ListTreeHeadsRequest request;
  request.set_before_size(args.before_size);
  request.set_page_size(args.limit);
  kvo::v1::ListTreeHeadsResponse response;
  if (int rc = CallAudit(opts, &AuditService::Stub::ListTreeHeads, request,
                         &response);
      rc != kExitOk) {
    return rc;
  }
  Table table{{"tree_size", "signed_at", "root_hash"}, {}};
  for (const auto& head : response.heads()) {
    table.rows.push_back({absl::StrCat(head.tree_size()),
                          FormatUnixMillis(head.timestamp_ms()),
                          common::HexEncode(head.root_hash())});
  }
  PrintTable(table, opts.Style());
  return kExitOk;
}

int RunAnomalies(const GlobalOptions& opts, const LogArgs& args) {
  kvo::v1::AnomalyRequest request;
  request.set_area_id(args.area);
  if (!SetPeriod(args, &request)) return kExitUsage;
  request.set_purpose(args.purpose);
  kvo::v1::AnomalyReport response;
  if (int rc = CallAudit(opts, &AuditService::Stub::GetAnomalies, request,
                         &response);
      rc != kExitOk) {
    return rc;
  }
  Table table{{"day", "kind", "login", "principal", "subject", "count",
               "detail", "last_at", "indexes"},
              {}};
  for (const auto& a : response.anomalies()) {
    table.rows.push_back(
        {Value::Day(a.day()), a.kind(), a.login(), Value::Id(a.principal_id()),
         a.subject(), Value::Int(a.count()), a.detail(),
         TimeValue(a.last_at(), true), absl::StrJoin(a.indexes(), ",")});
  }
  if (!args.csv.empty()) {
    std::string error;
    if (!WriteCsv(table, args.csv, &error, opts.Style().lang))
      return ReportError(error, 1);
  }
  PrintTable(table, opts.Style());
  return kExitOk;
}

void AddPurpose(CLI::App* sub, LogArgs* args) {
  sub->add_option("--purpose", args->purpose,
                  "why you read the log; recorded with your query")
      ->required();
}

void AddPeriod(CLI::App* sub, LogArgs* args) {
  sub->add_option("--from", args->from,
                  "from this time on, Europe/Amsterdam (YYYY-MM-DD [HH:MM])");
  sub->add_option("--to", args->to, "before this time, Europe/Amsterdam");
}

}  // namespace

Table AuditLogTable() {
  return {{"index", "time", "login", "principal", "role", "area", "action",
           "purpose", "outcome", "subjects"},
          {}};
}

void AddAuditLogRow(const kvo::v1::LogRow& row, Table* table) {
  const kvo::v1::AuditEntry& e = row.entry();
  if (row.content_erased()) {
    table->rows.push_back({Value::Int(e.index()), TimeValue(e.at(), true),
                           kErased, Value::Null(), "", Value::Null(), kErased,
                           "", e.outcome(), kErased});
    return;
  }
  table->rows.push_back({Value::Int(e.index()), TimeValue(e.at(), true),
                         row.login(), Value::Id(e.principal_id()), e.role(),
                         Value::Id(e.area_id()), e.action(), e.purpose(),
                         e.outcome(), e.subject()});
}

void AddAuditLogCommands(CLI::App* audit, const GlobalOptions* opts,
                         std::function<int()>* action) {
  auto args = std::make_shared<LogArgs>();

  auto* log = audit->add_subcommand(
      "log",
      "who read or changed what: audit entries by subject, principal, "
      "action, area and time, newest first, a page at a time "
      "(privacy_officer)");
  log->add_option("--subject", args->subject,
                  "a pseudonymous id, e.g. person:<id>: entries naming it");
  log->add_option("--principal", args->principal,
                  "a login or principal id: that principal's entries");
  log->add_option("--action", args->action, "e.g. gallery.sync");
  log->add_option("--area", args->area, "an area id")->check(PositiveInteger());
  AddPeriod(log, args.get());
  log->add_option("--limit", args->limit,
                  "rows per page (default 50, max 1000)")
      ->check(PositiveInteger());
  log->add_option("--page-token", args->page_token,
                  "the next page of the same query (printed by the last one)");
  log->add_option("--csv", args->csv, "also write the rows to this CSV file");
  AddPurpose(log, args.get());
  OnSelected(log, action, opts, args, &RunLog);

  auto* heads = audit->add_subcommand(
      "heads",
      "the signed tree heads (size, time), newest first, for kvo audit prove "
      "--from/--to (privacy_officer, admin)");
  heads
      ->add_option("--before-size", args->before_size,
                   "only heads smaller than this (the next page)")
      ->check(PositiveInteger());
  heads->add_option("--limit", args->limit, "heads (default 50, max 1000)")
      ->check(PositiveInteger());
  OnSelected(heads, action, opts, args, &RunHeads);

  auto* anomalies = audit->add_subcommand(
      "anomalies",
      "reads outside normal hours, unusual volumes, refusals about other "
      "areas, syncs from many addresses, persons read by many principals; "
      "thresholds in policy privacy.anomalies; default the last 7 days "
      "(privacy_officer)");
  anomalies->add_option("--area", args->area, "one area (default: all)")
      ->check(PositiveInteger());
  AddPeriod(anomalies, args.get());
  anomalies->add_option("--csv", args->csv,
                        "also write the report to this CSV file");
  AddPurpose(anomalies, args.get());
  OnSelected(anomalies, action, opts, args, &RunAnomalies);
}

}  // namespace kvo::cli
