#include "clients/cli/retention_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/retention.grpc.pb.h"

namespace kvo::cli {
namespace {

struct RetentionArgs {
  bool dry_run = false;
  bool report = false;
  std::vector<std::string> kinds;
};

int RunRetention(const GlobalOptions& opts, const RetentionArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::RunRetentionRequest request;
  request.set_dry_run(args.dry_run || args.report);
  for (const auto& kind : args.kinds) request.add_kinds(kind);
  kvo::v1::RetentionReport report;
  auto ctx = connection.Context();
  grpc::Status status = kvo::v1::RetentionService::NewStub(connection.channel)
                            ->RunRetention(ctx.get(), request, &report);
  if (!status.ok()) return ReportRpcError(status);
  Table table;
  table.columns = {"kind", report.dry_run() ? "due" : "deleted", "next_due"};
  if (!args.report) table.columns.push_back("subjects");
  for (const auto& kind : report.kinds()) {
    std::vector<Value> row = {
        kind.kind(), Value::Int(kind.count()),
        kind.has_next_due() ? TimeValue(kind.next_due()) : Value::Null()};
    if (!args.report) {
      row.push_back(
          kind.subjects().empty() ? "-" : absl::StrJoin(kind.subjects(), " "));
    }
    table.rows.push_back(std::move(row));
  }
  PrintTable(table, opts.Style());
  return kExitOk;
}

}  // namespace

void AddRetentionCommands(CLI::App* app, const GlobalOptions* opts,
                          std::function<int()>* action) {
  auto args = std::make_shared<RetentionArgs>();
  auto* retention = app->add_subcommand(
      "retention", "delete what the retention policy says is due");
  retention->require_subcommand(1);
  auto* run = retention->add_subcommand(
      "run", "run the retention job now; audited (privacy_officer, admin)");
  run->add_flag("--dry-run", args->dry_run, "list what is due, delete nothing");
  run->add_option("--kind", args->kinds,
                  "only this kind (audit_entry_content, card, person, "
                  "incident_link, claim_link, schouw_photo); repeat for "
                  "more; all when not given")
      ->allow_extra_args(false);
  OnSelected(run, action, opts, args, &RunRetention);
  auto* report = retention->add_subcommand(
      "report",
      "what is due by kind and when the next falls due; deletes nothing "
      "(privacy_officer, admin)");
  report->callback([opts, args, action] {
    args->report = true;
    *action = [opts, args] { return RunRetention(*opts, *args); };
  });
}

}  // namespace kvo::cli
