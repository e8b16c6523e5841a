#include "clients/cli/key_commands.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/keys.grpc.pb.h"

namespace kvo::cli {
namespace {

struct KeyArgs {
  std::string reason;
  bool root = false;
};

void PrintStatus(const kvo::v1::KeyStatus& status, const OutputStyle& style) {
  Table table;
  table.columns = {"version", "state", "data_keys", "created", "retired"};
  for (const auto& v : status.versions()) {
    const std::string state = v.has_retired_at() ? "retired"
                              : v.version() == status.current_version()
                                  ? "current"
                                  : "rewrapping";
    table.rows.push_back(
        {Value::Int(v.version()), Value::Label(state),
         Value::Int(v.data_keys()), TimeValue(v.created_at()),
         v.has_retired_at() ? TimeValue(v.retired_at()) : Value::Null()});
  }
  PrintTable(table, style);
  if (style.json) return;
  std::cout << "root key " << status.root_key_id()
            << (status.has_root_rotated_at()
                    ? ", rotated " + FormatTimestamp(status.root_rotated_at())
                    : ", never rotated")
            << "\n";
  std::cout << (status.data_keys_behind() == 0
                    ? std::string("every data key is on version ") +
                          std::to_string(status.current_version())
                    : absl::StrCat(status.data_keys_behind(),
                                   " data keys still to rewrap to version ",
                                   status.current_version(),
                                   " (kvod does it in the background)"))
            << "\n";
}

int Rotate(const GlobalOptions& opts, const KeyArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::RotateKeysRequest request;
  request.set_reason(args.reason);
  request.set_root(args.root);
  kvo::v1::KeyStatus status;
  auto ctx = connection.Context();
  grpc::Status s = kvo::v1::KeyService::NewStub(connection.channel)
                       ->RotateKeys(ctx.get(), request, &status);
  if (!s.ok()) return ReportRpcError(s);
  PrintStatus(status, opts.Style());
  return kExitOk;
}

int Status(const GlobalOptions& opts, const KeyArgs&) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::KeyStatus status;
  auto ctx = connection.Context();
  grpc::Status s = kvo::v1::KeyService::NewStub(connection.channel)
                       ->GetKeyStatus(ctx.get(), {}, &status);
  if (!s.ok()) return ReportRpcError(s);
  PrintStatus(status, opts.Style());
  return kExitOk;
}

}  // namespace

void AddKeyCommands(CLI::App* app, const GlobalOptions* opts,
                    std::function<int()>* action) {
  auto args = std::make_shared<KeyArgs>();
  auto* keys = app->add_subcommand(
      "keys", "key rotation of the registry's encryption keys");
  keys->require_subcommand(1);
  auto* rotate = keys->add_subcommand(
      "rotate",
      "make a new key-encryption key current; kvod rewraps every data key "
      "in the background and retires the old key; audited (admin)");
  rotate->add_option("--reason", args->reason, "why, for the audit log")
      ->required();
  rotate->add_flag("--root", args->root,
                   "rotate the root key instead (keys/root.key is replaced: "
                   "copy it to every other replica before it restarts)");
  OnSelected(rotate, action, opts, args, &Rotate);
  auto* status = keys->add_subcommand(
      "status",
      "key versions, how many data keys each wraps and the rewrap's "
      "progress (admin, privacy_officer)");
  OnSelected(status, action, opts, args, &Status);
}

}  // namespace kvo::cli
