#include "clients/cli/identity_commands.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/command_roles.h"
#include "clients/cli/formatting.h"
#include "clients/cli/gallery_commands.h"
#include "clients/cli/output.h"
#include "clients/cli/password_input.h"
#include "kvo/v1/identity.grpc.pb.h"

namespace kvo::cli {
namespace {

using kvo::v1::IdentityService;

struct CredentialArgs {
  std::string code;
  std::string login;
  std::string name;
  bool password_stdin = false;
};

struct PrincipalArgs {
  std::string login;
  std::string name;
  std::string role;
  std::vector<int64_t> area_ids;
  int64_t id = 0;
  std::string reason;
  int64_t area_id = 0;
};

struct AreaArgs {
  std::string name;
  std::string kind;
  std::string municipality;
};

std::unique_ptr<IdentityService::Stub> NewStub(const Connection& connection) {
  return IdentityService::NewStub(connection.channel);
}

// Reads the password, or reports why not (exit 2) and returns nullopt.
std::optional<std::string> Password(bool from_stdin, bool confirm) {
  std::string error;
  auto password = ReadPassword({from_stdin, confirm}, &error);
  if (!password) ReportError(error);
  return password;
}

int RunBootstrap(const GlobalOptions& opts, const CredentialArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto password = Password(args.password_stdin, /*confirm=*/true);
  if (!password) return kExitUsage;
  kvo::v1::BootstrapRequest request;
  request.set_code(args.code);
  request.set_login(args.login);
  request.set_display_name(args.name);
  request.set_password(*password);
  WipeSecret(&*password);
  kvo::v1::BootstrapResponse response;
  auto ctx = connection.AnonymousContext();
  grpc::Status status =
      NewStub(connection)->Bootstrap(ctx.get(), request, &response);
  WipeSecret(request.mutable_password());
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(PrincipalRecord(response.principal()), opts.Style());
  return kExitOk;
}

int RunEnroll(const GlobalOptions& opts, const CredentialArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto password = Password(args.password_stdin, /*confirm=*/true);
  if (!password) return kExitUsage;
  kvo::v1::EnrollRequest request;
  request.set_code(args.code);
  request.set_password(*password);
  WipeSecret(&*password);
  kvo::v1::EnrollResponse response;
  auto ctx = connection.AnonymousContext();
  grpc::Status status =
      NewStub(connection)->Enroll(ctx.get(), request, &response);
  WipeSecret(request.mutable_password());
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(PrincipalRecord(response.principal()), opts.Style());
  return kExitOk;
}

// Ends a session kvod just opened but kvo could not store, so no valid token
// is left behind that nobody holds. Best effort.
void AbandonSession(const Connection& connection, const std::string& token) {
  Connection holder = connection;
  holder.config.token = token;
  kvo::v1::LogoutResponse response;
  auto ctx = holder.Context();
  NewStub(holder)->Logout(ctx.get(), kvo::v1::LogoutRequest(), &response);
}

int RunLogin(const GlobalOptions& opts, const CredentialArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto password = Password(args.password_stdin, /*confirm=*/false);
  if (!password) return kExitUsage;
  kvo::v1::LoginRequest request;
  request.set_login(args.login);
  request.set_password(*password);
  WipeSecret(&*password);
  kvo::v1::LoginResponse response;
  auto ctx = connection.AnonymousContext();
  grpc::Status status =
      NewStub(connection)->Login(ctx.get(), request, &response);
  WipeSecret(request.mutable_password());
  if (!status.ok()) return ReportRpcError(status);
  if (response.token().empty()) {
    return ReportError("kvod accepted the login but sent no session token",
                       kExitFailed);
  }

  // The flags used for this login become the defaults of the next commands;
  // the CA path is made absolute so they work from any directory.
  ClientConfig saved = connection.config;
  saved.token = response.token();
  std::error_code ec;
  if (auto ca = std::filesystem::absolute(saved.ca_file, ec); !ec) {
    saved.ca_file = ca.lexically_normal().string();
  }
  const std::filesystem::path path = ConfigPath(opts);
  std::string error;
  if (!SaveClientConfig(path, saved, &error)) {
    AbandonSession(connection, response.token());
    return ReportError(absl::StrCat(error, " (session closed again)"));
  }
  const kvo::v1::Principal& who = response.principal();
  PrintRecord({{"login", who.login()},
               {"name", who.display_name()},
               {"role", Value::Label(RoleName(who.role()))},
               {"areas", JoinIds(who.area_ids())},
               {"session_expires", TimeValue(response.expires_at())},
               {"config", path.string()}},
              opts.Style());
  return kExitOk;
}

int RunLogout(const GlobalOptions& opts) {
  const std::filesystem::path path = ConfigPath(opts);
  // The door gallery goes first, whatever the server says next.
  if (auto s = WipeRememberedGallery(path); !s.ok()) {
    return ReportError(std::string(s.message()), kExitFailed);
  }
  ClientConfig config;
  if (int rc = ResolveConfig(opts, &config); rc != kExitOk) return rc;
  if (config.token.empty()) {
    return ReportError(
        absl::StrCat("not logged in: no session token in ", path.string()));
  }
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::LogoutResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)
          ->Logout(ctx.get(), kvo::v1::LogoutRequest(), &response);
  // UNAUTHENTICATED: the session had already ended (expired, suspended);
  // the stored token is useless either way, so it goes.
  const bool already_ended =
      status.error_code() == grpc::StatusCode::UNAUTHENTICATED;
  if (!status.ok() && !already_ended) return ReportRpcError(status);

  // Rewrite what the file says, not the flags of this invocation.
  std::string error;
  auto on_disk = LoadClientConfig(path, &error);
  if (!on_disk) return ReportError(error);
  on_disk->token.clear();
  if (!SaveClientConfig(path, *on_disk, &error)) return ReportError(error);
  PrintRecord({{"status", already_ended ? "logged out (the session had "
                                          "already ended on the server)"
                                        : "logged out"},
               {"config", path.string()}},
              opts.Style());
  return kExitOk;
}

int RunWhoAmI(const GlobalOptions& opts) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::Principal response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)
          ->WhoAmI(ctx.get(), kvo::v1::WhoAmIRequest(), &response);
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(PrincipalRecord(response), opts.Style());
  return kExitOk;
}

int RunCreatePrincipal(const GlobalOptions& opts, const PrincipalArgs& args) {
  auto role = ParseRole(args.role);
  if (!role) {
    return ReportError(absl::StrCat("unknown role '", args.role,
                                    "' (known: ", KnownRoles(), ")"));
  }
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::CreatePrincipalRequest request;
  request.set_login(args.login);
  request.set_display_name(args.name);
  request.set_role(*role);
  for (int64_t id : args.area_ids) request.add_area_ids(id);
  kvo::v1::CreatePrincipalResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->CreatePrincipal(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  Record record = PrincipalRecord(response.principal());
  record.emplace_back("enrollment_code", response.enrollment_code());
  record.emplace_back("code_expires",
                      FormatTimestamp(response.code_expires_at()));
  PrintRecord(record, opts.Style());
  return kExitOk;
}

int RunSetPrincipalStatus(const GlobalOptions& opts, const PrincipalArgs& args,
                          bool suspend) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::SetPrincipalStatusRequest request;
  request.set_principal_id(args.id);
  request.set_reason(args.reason);
  kvo::v1::Principal response;
  auto ctx = connection.Context();
  auto stub = NewStub(connection);
  grpc::Status status =
      suspend ? stub->SuspendPrincipal(ctx.get(), request, &response)
              : stub->ReactivatePrincipal(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(PrincipalRecord(response), opts.Style());
  return kExitOk;
}

int RunUnlockPrincipal(const GlobalOptions& opts, const PrincipalArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::SetPrincipalStatusRequest request;
  request.set_principal_id(args.id);
  request.set_reason(args.reason);
  kvo::v1::Principal response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->UnlockPrincipal(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(PrincipalRecord(response), opts.Style());
  return kExitOk;
}

int RunResetPassword(const GlobalOptions& opts, const PrincipalArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::ResetPasswordRequest request;
  request.set_principal_id(args.id);
  request.set_reason(args.reason);
  kvo::v1::ResetPasswordResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->ResetPassword(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  Record record = PrincipalRecord(response.principal());
  record.emplace_back("enrollment_code", response.enrollment_code());
  record.emplace_back("code_expires",
                      FormatTimestamp(response.code_expires_at()));
  PrintRecord(record, opts.Style());
  return kExitOk;
}

int RunListPrincipals(const GlobalOptions& opts, const PrincipalArgs& args) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::ListPrincipalsRequest request;
  request.set_area_id(args.area_id);
  kvo::v1::ListPrincipalsResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->ListPrincipals(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  Table table = PrincipalTable();
  for (const auto& principal : response.principals()) {
    AddPrincipalRow(principal, &table);
  }
  PrintTable(table, opts.Style());
  return kExitOk;
}

int RunCreateArea(const GlobalOptions& opts, const AreaArgs& args) {
  auto kind = ParseAreaKind(args.kind);
  if (!kind) {
    return ReportError(absl::StrCat("unknown area kind '", args.kind,
                                    "' (known: ", KnownAreaKinds(), ")"));
  }
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::CreateAreaRequest request;
  request.set_name(args.name);
  request.set_kind(*kind);
  request.set_municipality(args.municipality);
  kvo::v1::Area response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)->CreateArea(ctx.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord(AreaRecord(response), opts.Style());
  return kExitOk;
}

int RunListAreas(const GlobalOptions& opts) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::ListAreasResponse response;
  auto ctx = connection.Context();
  grpc::Status status =
      NewStub(connection)
          ->ListAreas(ctx.get(), kvo::v1::ListAreasRequest(), &response);
  if (!status.ok()) return ReportRpcError(status);
  std::vector<Record> records;
  for (const auto& area : response.areas()) records.push_back(AreaRecord(area));
  PrintTable(TableOf(records), opts.Style());
  return kExitOk;
}

// `sub` runs `run` when it is the command given.
void OnSelected(CLI::App* sub, std::function<int()>* action,
                std::function<int()> run) {
  sub->callback([action, run] { *action = run; });
}

void AddPasswordStdin(CLI::App* sub, bool* flag) {
  sub->add_flag("--password-stdin", *flag,
                "read the password as one line from stdin (for scripts)");
}

}  // namespace

void AddIdentityCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action) {
  auto creds = std::make_shared<CredentialArgs>();
  auto principal_args = std::make_shared<PrincipalArgs>();
  auto area_args = std::make_shared<AreaArgs>();

  auto* bootstrap = app->add_subcommand(
      "bootstrap", "become the first admin with the code kvod printed" +
                       WhoMay("kvo.v1.IdentityService/Bootstrap"));
  bootstrap->add_option("CODE", creds->code, "one-time bootstrap code")
      ->required();
  bootstrap->add_option("--login", creds->login, "login name")->required();
  bootstrap->add_option("--name", creds->name, "display name")->required();
  AddPasswordStdin(bootstrap, &creds->password_stdin);
  OnSelected(bootstrap, action,
             [opts, creds] { return RunBootstrap(*opts, *creds); });

  auto* enroll = app->add_subcommand(
      "enroll", "set your password with the enrollment code you were given" +
                    WhoMay("kvo.v1.IdentityService/Enroll"));
  enroll->add_option("CODE", creds->code, "one-time enrollment code")
      ->required();
  AddPasswordStdin(enroll, &creds->password_stdin);
  OnSelected(enroll, action,
             [opts, creds] { return RunEnroll(*opts, *creds); });

  auto* login = app->add_subcommand(
      "login", "start a session and store it in the config file" +
                   WhoMay("kvo.v1.IdentityService/Login"));
  login->add_option("--login", creds->login, "login name")->required();
  AddPasswordStdin(login, &creds->password_stdin);
  OnSelected(login, action, [opts, creds] { return RunLogin(*opts, *creds); });

  auto* logout =
      app->add_subcommand("logout", "end the session and forget its token");
  OnSelected(logout, action, [opts] { return RunLogout(*opts); });

  auto* whoami = app->add_subcommand(
      "whoami",
      "who the session belongs to" + WhoMay("kvo.v1.IdentityService/WhoAmI"));
  OnSelected(whoami, action, [opts] { return RunWhoAmI(*opts); });

  auto* principal = app->add_subcommand("principal", "manage principals");
  principal->require_subcommand(1);
  auto* create = principal->add_subcommand(
      "create", "a new principal and their one-time enrollment code" +
                    WhoMay("kvo.v1.IdentityService/CreatePrincipal"));
  create->add_option("--login", principal_args->login, "login name")
      ->required();
  create->add_option("--name", principal_args->name, "display name")
      ->required();
  create
      ->add_option("--role", principal_args->role,
                   absl::StrCat("one of: ", KnownRoles()))
      ->required();
  create
      ->add_option("--area", principal_args->area_ids,
                   "area id (repeat for more areas)")
      ->allow_extra_args(false)
      ->check(PositiveInteger());
  OnSelected(create, action, [opts, principal_args] {
    return RunCreatePrincipal(*opts, *principal_args);
  });

  auto* suspend = principal->add_subcommand(
      "suspend", "suspend a principal, ending all their sessions" +
                     WhoMay("kvo.v1.IdentityService/SuspendPrincipal"));
  suspend->add_option("ID", principal_args->id, "principal id")
      ->required()
      ->check(PositiveInteger());
  suspend->add_option("--reason", principal_args->reason,
                      "why (kept in the audit log)");
  OnSelected(suspend, action, [opts, principal_args] {
    return RunSetPrincipalStatus(*opts, *principal_args, /*suspend=*/true);
  });

  auto* reactivate = principal->add_subcommand(
      "reactivate",
      "lift a suspension (and a lockout). Admin, or a coordinator for the "
      "shopkeeper, security and police principals of their own areas");
  reactivate->add_option("ID", principal_args->id, "principal id")
      ->required()
      ->check(PositiveInteger());
  reactivate->add_option("--reason", principal_args->reason,
                         "why (kept in the audit log)");
  OnSelected(reactivate, action, [opts, principal_args] {
    return RunSetPrincipalStatus(*opts, *principal_args, /*suspend=*/false);
  });

  auto* unlock = principal->add_subcommand(
      "unlock",
      "end a lockout after failed logins and clear the failure count. Admin, "
      "or a coordinator for the shopkeeper, security and police principals "
      "of their own areas");
  unlock->add_option("ID", principal_args->id, "principal id")
      ->required()
      ->check(PositiveInteger());
  unlock->add_option("--reason", principal_args->reason,
                     "why (kept in the audit log)");
  OnSelected(unlock, action, [opts, principal_args] {
    return RunUnlockPrincipal(*opts, *principal_args);
  });

  auto* reset = principal->add_subcommand(
      "reset-password",
      "a forgotten password: the old one stops working, every session ends, "
      "and a new one-time enrollment code is printed to hand over (they run "
      "`kvo enroll CODE` again). Admin, or a coordinator for the shopkeeper, "
      "security and police principals of their own areas");
  reset->add_option("ID", principal_args->id, "principal id")
      ->required()
      ->check(PositiveInteger());
  reset->add_option("--reason", principal_args->reason,
                    "why (kept in the audit log)");
  OnSelected(reset, action, [opts, principal_args] {
    return RunResetPassword(*opts, *principal_args);
  });

  auto* list = principal->add_subcommand(
      "list",
      "list principals" + WhoMay("kvo.v1.IdentityService/ListPrincipals"));
  list->add_option("--area", principal_args->area_id,
                   "only this area (required for coordinators)")
      ->check(PositiveInteger());
  OnSelected(list, action, [opts, principal_args] {
    return RunListPrincipals(*opts, *principal_args);
  });

  auto* area = app->add_subcommand("area", "manage areas");
  area->require_subcommand(1);
  auto* area_create = area->add_subcommand(
      "create", "a new area" + WhoMay("kvo.v1.IdentityService/CreateArea"));
  area_create->add_option("--name", area_args->name, "area name")->required();
  area_create
      ->add_option("--kind", area_args->kind,
                   absl::StrCat("one of: ", KnownAreaKinds()))
      ->required();
  area_create
      ->add_option("--municipality", area_args->municipality,
                   "municipality (gemeente)")
      ->required();
  OnSelected(area_create, action,
             [opts, area_args] { return RunCreateArea(*opts, *area_args); });
  auto* area_list = area->add_subcommand(
      "list", "list areas" + WhoMay("kvo.v1.IdentityService/ListAreas"));
  OnSelected(area_list, action, [opts] { return RunListAreas(*opts); });
}

}  // namespace kvo::cli
