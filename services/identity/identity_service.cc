#include "services/identity/identity_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/status_util.h"
#include "services/common/text.h"
#include "services/identity/identity_requests.h"
#include "services/identity/identity_rules.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/principal_check.h"

namespace kvo::identity {
namespace {

using audit::Outcome;
using audit::PgAuditStore;
using common::ToGrpcStatus;
using Store = PgIdentityStore;

constexpr char kService[] = "kvo.v1.IdentityService/";

std::string Method(absl::string_view name) {
  return absl::StrCat(kService, name);
}

std::string Subject(int64_t principal_id) {
  return absl::StrCat("principal:", principal_id);
}

void SetTimestamp(int64_t ms, google::protobuf::Timestamp* ts) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

std::string CodeHash(absl::string_view normalized_code) {
  return Store::CodeHash(normalized_code);
}

// The principal `id` read for a change in `tx` (locked) and checked: a row
// changed outside kvod is never sealed over.
absl::StatusOr<PrincipalRow> ForChange(pqxx::transaction_base& tx, int64_t id) {
  auto row = Store::PrincipalByIdForUpdate(tx, id);
  if (!row) {
    return absl::NotFoundError(absl::StrCat("principal ", id, " not found"));
  }
  if (!row->intact) {
    return absl::DataLossError(absl::StrCat(
        "principal ", id,
        ": its row in the database fails the integrity check (changed "
        "outside kvod); nothing changed"));
  }
  return *row;
}

kvo::v1::Principal ToProto(const PrincipalRow& row) {
  kvo::v1::Principal p;
  p.set_id(row.id);
  p.set_login(row.login);
  p.set_display_name(row.display_name);
  p.set_role(RoleFromName(row.role).value_or(kvo::v1::ROLE_UNSPECIFIED));
  for (int64_t area : row.area_ids) p.add_area_ids(area);
  p.set_status(row.status == "active"      ? kvo::v1::PRINCIPAL_STATUS_ACTIVE
               : row.status == "suspended" ? kvo::v1::PRINCIPAL_STATUS_SUSPENDED
                                           : kvo::v1::PRINCIPAL_STATUS_PENDING);
  return p;
}

// A use case's own answer, kept apart from the transaction's status so that
// a refusal that must still be recorded (a failed login) commits.
template <typename T>
struct Decision {
  absl::Status refusal;
  T value{};
};

}  // namespace

IdentityServiceImpl::IdentityServiceImpl(const kvo::v1::Policy& policy,
                                         common::DbPool& pool, RpcGuard& guard,
                                         Sessions& sessions,
                                         const common::Clock& clock)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      sessions_(sessions),
      clock_(clock) {}

absl::StatusOr<std::optional<std::string>>
IdentityServiceImpl::IssueBootstrapCodeIfNeeded() {
  const std::string code = NewOneTimeCode();
  const std::string hash = CodeHash(*NormalizeOneTimeCode(code));
  const auto hours =
      std::chrono::hours(policy_.identity().bootstrap_code_lifetime_hours());
  return pool_.InTransaction(
      "issue bootstrap code",
      [&](pqxx::work& tx) -> absl::StatusOr<std::optional<std::string>> {
        if (Store::AnyAdmin(tx)) return std::optional<std::string>();
        // Only the code printed last works: an earlier one may sit in a
        // log or terminal scrollback of a start nobody finished.
        Store::ExpireBootstrapCodes(tx, NowMs());
        Store::InsertCode(tx, hash, "bootstrap", std::nullopt, hours, NowMs());
        return std::optional<std::string>(code);
      });
}

grpc::Status IdentityServiceImpl::Bootstrap(
    grpc::ServerContext* context, const kvo::v1::BootstrapRequest* request,
    kvo::v1::BootstrapResponse* response) {
  auto call = guard_.Begin(*context, Method("Bootstrap"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = sessions_.LimitAddress(*call, "identity.bootstrap"); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const auto code = ValidateBootstrapRequest(
      *request, policy_.identity().password_min_length());
  if (!code.ok()) return ToGrpcStatus(code.status());
  const std::string hash = CodeHash(*code);
  auto refuse_code = [&] {
    guard_.AuditUnauthenticatedRefusal(
        call->peer, guard_.Record(*call, "identity.bootstrap", "",
                                  "first admin", Outcome::kDenied));
  };
  // The cheap checks first: a wrong code never reaches Argon2id (64 MiB).
  auto usable = pool_.InTransaction(
      "bootstrap check", [&](pqxx::work& tx) -> absl::Status {
        auto row = Store::CodeForUpdate(tx, hash);
        if (!row || row->kind != "bootstrap" || row->used ||
            row->expires_at_ms <= NowMs()) {
          return absl::UnauthenticatedError(
              "bootstrap code is not valid (unknown, already used or "
              "expired)");
        }
        if (Store::AnyAdmin(tx)) {
          return absl::FailedPreconditionError(
              "an admin already exists; bootstrap works only once");
        }
        return absl::OkStatus();
      });
  if (!usable.ok()) {
    if (usable.code() == absl::StatusCode::kUnauthenticated) refuse_code();
    return ToGrpcStatus(usable);
  }
  // Hashing is slow on purpose: never inside a transaction.
  auto slot = sessions_.HashingSlot();
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  const auto password_hash = common::HashPassword(request->password());
  *slot = HashingSlots::Slot();
  if (!password_hash) {
    return ToGrpcStatus(absl::ResourceExhaustedError("server busy; retry"));
  }
  auto result = pool_.InTransaction(
      "bootstrap",
      [&](pqxx::work& tx) -> absl::StatusOr<Decision<PrincipalRow>> {
        auto row = Store::CodeForUpdate(tx, hash);
        if (!row || row->kind != "bootstrap" || row->used ||
            row->expires_at_ms <= NowMs()) {
          return absl::UnauthenticatedError(
              "bootstrap code is not valid (unknown, already used or expired)");
        }
        if (Store::AnyAdmin(tx)) {
          return absl::FailedPreconditionError(
              "an admin already exists; bootstrap works only once");
        }
        if (Store::LoginTaken(tx, request->login())) {
          return absl::AlreadyExistsError(
              absl::StrCat("login '", request->login(), "' is taken"));
        }
        const int64_t id = Store::InsertPrincipal(
            tx, request->login(), request->display_name(), "admin", "active",
            *password_hash, 0);
        Store::MarkCodeUsed(tx, hash);
        Call audited = *call;
        audited.caller.principal_id = id;
        audited.caller.role = kvo::v1::ROLE_ADMIN;
        PgAuditStore::Append(tx, guard_.Record(audited, "identity.bootstrap",
                                               Subject(id), "first admin"));
        return Decision<PrincipalRow>{absl::OkStatus(),
                                      *Store::PrincipalById(tx, id)};
      });
  if (!result.ok()) {
    if (result.status().code() == absl::StatusCode::kUnauthenticated) {
      refuse_code();
    }
    return ToGrpcStatus(result.status());
  }
  *response->mutable_principal() = ToProto(result->value);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Enroll(grpc::ServerContext* context,
                                         const kvo::v1::EnrollRequest* request,
                                         kvo::v1::EnrollResponse* response) {
  auto call = guard_.Begin(*context, Method("Enroll"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = sessions_.LimitAddress(*call, "identity.enroll"); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const auto code = ValidateEnrollRequest(*request);
  if (!code.ok()) return ToGrpcStatus(code.status());
  const std::string hash = CodeHash(*code);
  auto invalid = [&] {
    guard_.AuditUnauthenticatedRefusal(
        call->peer, guard_.Record(*call, "identity.enroll", "", "enrollment",
                                  Outcome::kDenied));
    return ToGrpcStatus(absl::UnauthenticatedError(
        "enrollment code is not valid (unknown, already used or expired)"));
  };
  // Read who the code is for first: the password rules need the login, and
  // the slow hash must not run inside the transaction.
  auto target = pool_.InTransaction(
      "enroll",
      [&](pqxx::work& tx) -> absl::StatusOr<std::optional<PrincipalRow>> {
        auto row = Store::CodeForUpdate(tx, hash);
        if (!row || row->kind != "enrollment" || row->used ||
            row->expires_at_ms <= NowMs() || !row->principal_id) {
          return std::optional<PrincipalRow>();
        }
        auto who = Store::PrincipalById(tx, *row->principal_id);
        if (who && !who->intact) {
          RaiseAlteredPrincipalAlarm(
              tx, guard_.Record(*call, "identity.enroll", "", ""), who->id,
              "enrollment");
          return std::optional<PrincipalRow>();
        }
        return who;
      });
  if (!target.ok()) return ToGrpcStatus(target.status());
  if (!target->has_value() || (*target)->status != "pending") return invalid();
  const PrincipalRow& who = **target;
  if (auto s = CheckPassword(request->password(), who.login, who.display_name,
                             policy_.identity().password_min_length());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto slot = sessions_.HashingSlot();
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  const auto password_hash = common::HashPassword(request->password());
  *slot = HashingSlots::Slot();
  if (!password_hash) {
    return ToGrpcStatus(absl::ResourceExhaustedError("server busy; retry"));
  }
  auto result = pool_.InTransaction(
      "enroll",
      [&](pqxx::work& tx) -> absl::StatusOr<std::optional<PrincipalRow>> {
        auto row = Store::CodeForUpdate(tx, hash);
        if (!row || row->used || row->expires_at_ms <= NowMs()) {
          return std::optional<PrincipalRow>();  // raced with another use
        }
        auto current = ForChange(tx, who.id);
        if (!current.ok()) return current.status();
        if (current->status != "pending") return std::optional<PrincipalRow>();
        Store::Activate(tx, *current, *password_hash);
        Store::MarkCodeUsed(tx, hash);
        Call audited = *call;
        audited.caller.principal_id = who.id;
        audited.caller.role =
            RoleFromName(who.role).value_or(kvo::v1::ROLE_UNSPECIFIED);
        PgAuditStore::Append(tx, guard_.Record(audited, "identity.enroll",
                                               Subject(who.id), "enrollment"));
        return Store::PrincipalById(tx, who.id);
      });
  if (!result.ok()) return ToGrpcStatus(result.status());
  if (!result->has_value()) return invalid();
  *response->mutable_principal() = ToProto(**result);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Login(grpc::ServerContext* context,
                                        const kvo::v1::LoginRequest* request,
                                        kvo::v1::LoginResponse* response) {
  auto call = guard_.Begin(*context, Method("Login"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto session = sessions_.Login(*call, *request);
  if (!session.ok()) return ToGrpcStatus(session.status());
  response->set_token(session->token);
  SetTimestamp(session->expires_ms, response->mutable_expires_at());
  *response->mutable_principal() = ToProto(session->principal);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Logout(grpc::ServerContext* context,
                                         const kvo::v1::LogoutRequest*,
                                         kvo::v1::LogoutResponse*) {
  auto call = guard_.Begin(*context, Method("Logout"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  return ToGrpcStatus(sessions_.Logout(*call, RpcGuard::BearerToken(*context)));
}

grpc::Status IdentityServiceImpl::WhoAmI(grpc::ServerContext* context,
                                         const kvo::v1::WhoAmIRequest*,
                                         kvo::v1::Principal* response) {
  auto call = guard_.Begin(*context, Method("WhoAmI"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto row = pool_.InTransaction(
      "whoami", [&](pqxx::work& tx) -> absl::StatusOr<Decision<PrincipalRow>> {
        auto p = Store::PrincipalById(tx, call->caller.principal_id);
        if (!p) return absl::NotFoundError("principal no longer exists");
        if (!p->intact) {
          return Decision<PrincipalRow>{
              RefuseAlteredPrincipal(
                  tx, guard_.Record(*call, "identity.whoami", "", ""), p->id,
                  "whoami"),
              {}};
        }
        return Decision<PrincipalRow>{absl::OkStatus(), *p};
      });
  if (!row.ok()) return ToGrpcStatus(row.status());
  if (!row->refusal.ok()) return ToGrpcStatus(row->refusal);
  *response = ToProto(row->value);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::CreatePrincipal(
    grpc::ServerContext* context,
    const kvo::v1::CreatePrincipalRequest* request,
    kvo::v1::CreatePrincipalResponse* response) {
  const std::string method = Method("CreatePrincipal");
  auto call = guard_.Begin(*context, method);
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto areas = PrincipalAreaIds(*request);
  if (!areas.ok()) return ToGrpcStatus(areas.status());
  if (auto s = guard_.CheckAreas(*call, *areas); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const kvo::v1::Role role = request->role();
  if (role == kvo::v1::ROLE_UNSPECIFIED || !kvo::v1::Role_IsValid(role)) {
    return ToGrpcStatus(ValidateCreatePrincipalRequest(*request).status());
  }
  // Coordinators enrol the people of their area, not their peers or staff
  // with wider powers.
  if (guard_.access().LimitedToOwnAreas(call->caller, method) &&
      role != kvo::v1::ROLE_SHOPKEEPER && role != kvo::v1::ROLE_SECURITY &&
      role != kvo::v1::ROLE_POLICE && role != kvo::v1::ROLE_FIRE_BRIGADE) {
    guard_.AuditAlone(guard_.Record(*call, "identity.create_principal", "",
                                    "enrollment", Outcome::kDenied));
    return ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(
        "a ", RoleName(call->caller.role),
        " may create shopkeeper, security, police and fire_brigade "
        "principals only")));
  }
  if (auto s = ValidateCreatePrincipalRequest(*request).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::string code = NewOneTimeCode();
  const std::string code_hash = CodeHash(*NormalizeOneTimeCode(code));
  const auto lifetime =
      std::chrono::hours(policy_.identity().enrollment_code_lifetime_hours());
  auto created = pool_.InTransaction(
      "create principal", [&](pqxx::work& tx) -> absl::StatusOr<PrincipalRow> {
        if (auto missing = Store::MissingAreas(tx, *areas); !missing.empty()) {
          return absl::NotFoundError(
              absl::StrCat("area_ids: area ", missing[0], " does not exist"));
        }
        if (Store::LoginTaken(tx, request->login())) {
          return absl::AlreadyExistsError(
              absl::StrCat("login '", request->login(), "' is taken"));
        }
        const int64_t id = Store::InsertPrincipal(
            tx, request->login(), request->display_name(), RoleName(role),
            "pending", "", call->caller.principal_id, *areas);
        Store::InsertCode(tx, code_hash, "enrollment", id, lifetime, NowMs());
        PgAuditStore::Append(
            tx, guard_.Record(*call, "identity.create_principal", Subject(id),
                              "enrollment"));
        return *Store::PrincipalById(tx, id);
      });
  if (!created.ok()) return ToGrpcStatus(created.status());
  *response->mutable_principal() = ToProto(*created);
  response->set_enrollment_code(code);
  SetTimestamp(
      NowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime)
                    .count(),
      response->mutable_code_expires_at());
  return grpc::Status::OK;
}

absl::StatusOr<PrincipalRow> IdentityServiceImpl::Target(
    const Call& call, absl::string_view method, int64_t principal_id) {
  auto read = pool_.InTransaction(
      "read principal",
      [&](pqxx::work& tx) -> absl::StatusOr<Decision<PrincipalRow>> {
        auto p = Store::PrincipalById(tx, principal_id);
        if (!p) {
          return absl::NotFoundError(
              absl::StrCat("principal ", principal_id, " not found"));
        }
        if (!p->intact) {
          return Decision<PrincipalRow>{
              RefuseAlteredPrincipal(tx, guard_.Record(call, method, "", ""),
                                     p->id, method),
              {}};
        }
        return Decision<PrincipalRow>{absl::OkStatus(), *p};
      });
  if (!read.ok()) return read.status();
  if (!read->refusal.ok()) return read->refusal;
  PrincipalRow* target = &read->value;
  if (guard_.access().LimitedToOwnAreas(call.caller, method)) {
    if (target->area_ids.empty()) {
      if (auto s = guard_.CheckAreas(call, {0}); !s.ok()) return s;
    }
    if (auto s = guard_.CheckAreas(call, target->area_ids); !s.ok()) return s;
    if (target->role != "shopkeeper" && target->role != "security" &&
        target->role != "police" && target->role != "fire_brigade") {
      guard_.AuditAlone(guard_.Record(call, method, Subject(target->id),
                                      "access control", Outcome::kDenied));
      return absl::PermissionDeniedError(
          absl::StrCat("a ", RoleName(call.caller.role), " may not change a ",
                       target->role));
    }
  }
  if (target->id == call.caller.principal_id) {
    return absl::FailedPreconditionError(
        "you cannot change your own account this way; ask an admin");
  }
  return std::move(*target);
}

absl::StatusOr<IdentityServiceImpl::PrincipalAction>
IdentityServiceImpl::BeginOnPrincipal(grpc::ServerContext* context,
                                      absl::string_view method,
                                      int64_t principal_id,
                                      const std::string& reason) {
  auto call = guard_.Begin(*context, method);
  if (!call.ok()) return call.status();
  if (auto s = ValidatePrincipalChange(principal_id, reason); !s.ok()) {
    return s;
  }
  auto target = Target(*call, method, principal_id);
  if (!target.ok()) return target.status();
  return PrincipalAction{std::move(*call), std::move(*target)};
}

absl::Status IdentityServiceImpl::SetStatus(
    grpc::ServerContext* context, absl::string_view method,
    const kvo::v1::SetPrincipalStatusRequest& request, bool suspend,
    kvo::v1::Principal* response) {
  auto action = BeginOnPrincipal(context, method, request.principal_id(),
                                 request.reason());
  if (!action.ok()) return action.status();
  const Call* call = &action->call;
  const PrincipalRow* target = &action->target;
  if (!suspend && target->status == "pending") {
    return absl::FailedPreconditionError(
        "this principal has not enrolled yet; nothing to reactivate");
  }
  auto updated = pool_.InTransaction(
      "set principal status",
      [&](pqxx::work& tx) -> absl::StatusOr<PrincipalRow> {
        auto current = ForChange(tx, target->id);
        if (!current.ok()) return current.status();
        Store::SetStatus(tx, *current, suspend ? "suspended" : "active");
        if (suspend) {
          Store::RevokeAllSessions(tx, target->id);
        } else {
          // Reactivating means able to log in again: a lockout goes too.
          Store::ResetFailedLogins(tx, target->id);
        }
        PgAuditStore::Append(
            tx,
            guard_.Record(
                *call, suspend ? "identity.suspend" : "identity.reactivate",
                Subject(target->id),
                request.reason().empty() ? "status change" : request.reason()));
        return *Store::PrincipalById(tx, target->id);
      });
  if (!updated.ok()) return updated.status();
  guard_.authenticator().ForgetPrincipal(target->id);
  *response = ToProto(*updated);
  return absl::OkStatus();
}

grpc::Status IdentityServiceImpl::SuspendPrincipal(
    grpc::ServerContext* context,
    const kvo::v1::SetPrincipalStatusRequest* request,
    kvo::v1::Principal* response) {
  return ToGrpcStatus(
      SetStatus(context, Method("SuspendPrincipal"), *request, true, response));
}

grpc::Status IdentityServiceImpl::ReactivatePrincipal(
    grpc::ServerContext* context,
    const kvo::v1::SetPrincipalStatusRequest* request,
    kvo::v1::Principal* response) {
  return ToGrpcStatus(SetStatus(context, Method("ReactivatePrincipal"),
                                *request, false, response));
}

grpc::Status IdentityServiceImpl::UnlockPrincipal(
    grpc::ServerContext* context,
    const kvo::v1::SetPrincipalStatusRequest* request,
    kvo::v1::Principal* response) {
  auto action = BeginOnPrincipal(context, Method("UnlockPrincipal"),
                                 request->principal_id(), request->reason());
  if (!action.ok()) return ToGrpcStatus(action.status());
  const Call* call = &action->call;
  const PrincipalRow* target = &action->target;
  auto updated = pool_.InTransaction(
      "unlock principal", [&](pqxx::work& tx) -> absl::StatusOr<PrincipalRow> {
        Store::ResetFailedLogins(tx, target->id);
        PgAuditStore::Append(
            tx, guard_.Record(
                    *call, "identity.unlock", Subject(target->id),
                    request->reason().empty() ? "unlock" : request->reason()));
        return *Store::PrincipalById(tx, target->id);
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  *response = ToProto(*updated);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::ResetPassword(
    grpc::ServerContext* context, const kvo::v1::ResetPasswordRequest* request,
    kvo::v1::ResetPasswordResponse* response) {
  auto action = BeginOnPrincipal(context, Method("ResetPassword"),
                                 request->principal_id(), request->reason());
  if (!action.ok()) return ToGrpcStatus(action.status());
  const Call* call = &action->call;
  const PrincipalRow* target = &action->target;
  // Enrolling again would end the suspension by the back door.
  if (target->status == "suspended") {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "this principal is suspended; reactivate first (kvo principal "
        "reactivate ID)"));
  }
  const std::string code = NewOneTimeCode();
  const std::string code_hash = CodeHash(*NormalizeOneTimeCode(code));
  const auto lifetime =
      std::chrono::hours(policy_.identity().enrollment_code_lifetime_hours());
  auto updated = pool_.InTransaction(
      "reset password", [&](pqxx::work& tx) -> absl::StatusOr<PrincipalRow> {
        auto current = ForChange(tx, target->id);
        if (!current.ok()) return current.status();
        Store::ResetPassword(tx, *current);
        Store::RevokeAllSessions(tx, target->id);
        Store::ExpireCodesOf(tx, target->id, NowMs());
        Store::InsertCode(tx, code_hash, "enrollment", target->id, lifetime,
                          NowMs());
        PgAuditStore::Append(
            tx,
            guard_.Record(*call, "identity.reset_password", Subject(target->id),
                          request->reason().empty() ? "password reset"
                                                    : request->reason()));
        return *Store::PrincipalById(tx, target->id);
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  guard_.authenticator().ForgetPrincipal(target->id);
  *response->mutable_principal() = ToProto(*updated);
  response->set_enrollment_code(code);
  SetTimestamp(
      NowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime)
                    .count(),
      response->mutable_code_expires_at());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::ListPrincipals(
    grpc::ServerContext* context, const kvo::v1::ListPrincipalsRequest* request,
    kvo::v1::ListPrincipalsResponse* response) {
  const std::string method = Method("ListPrincipals");
  auto call = guard_.Begin(*context, method);
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateListPrincipalsRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (request->area_id() == 0 &&
      guard_.access().LimitedToOwnAreas(call->caller, method)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "area_id: required for your role (one of your areas)"));
  }
  if (request->area_id() != 0) {
    if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  auto rows = pool_.InTransaction(
      "list principals",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<PrincipalRow>> {
        std::vector<PrincipalRow> list;
        for (auto& p : Store::ListPrincipals(tx, request->area_id())) {
          if (p.intact) {
            list.push_back(std::move(p));
          } else {
            RaiseAlteredPrincipalAlarm(
                tx, guard_.Record(*call, "identity.list_principals", "", ""),
                p.id, "list principals");
          }
        }
        PgAuditStore::Append(
            tx, guard_.Record(*call, "identity.list_principals",
                              request->area_id()
                                  ? absl::StrCat("area:", request->area_id())
                                  : "all",
                              "administration"));
        return list;
      });
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  for (const auto& row : *rows) *response->add_principals() = ToProto(row);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::CreateArea(
    grpc::ServerContext* context, const kvo::v1::CreateAreaRequest* request,
    kvo::v1::Area* response) {
  auto call = guard_.Begin(*context, Method("CreateArea"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateCreateAreaRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::string kind = request->kind() == kvo::v1::AREA_KIND_BUSINESS_PARK
                               ? "business_park"
                               : "shopping_area";
  auto id = pool_.InTransaction(
      "create area", [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
        if (Store::AreaNameTaken(tx, request->municipality(),
                                 request->name())) {
          return absl::AlreadyExistsError(
              absl::StrCat("an area '", request->name(), "' already exists in ",
                           request->municipality()));
        }
        const int64_t area = Store::InsertArea(tx, request->name(), kind,
                                               request->municipality(),
                                               request->demo(), NowMs());
        PgAuditStore::Append(
            tx, guard_.Record(*call, "identity.create_area",
                              absl::StrCat("area:", area), "administration"));
        return area;
      });
  if (!id.ok()) return ToGrpcStatus(id.status());
  response->set_id(*id);
  response->set_name(request->name());
  response->set_kind(request->kind());
  response->set_municipality(request->municipality());
  response->set_demo(request->demo());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::ListAreas(
    grpc::ServerContext* context, const kvo::v1::ListAreasRequest*,
    kvo::v1::ListAreasResponse* response) {
  auto call = guard_.Begin(*context, Method("ListAreas"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  const bool all = call->caller.role == kvo::v1::ROLE_ADMIN ||
                   call->caller.role == kvo::v1::ROLE_PRIVACY_OFFICER;
  auto areas = pool_.InTransaction(
      "list areas",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<kvo::v1::Area>> {
        return Store::ListAreas(tx, call->caller.area_ids, all);
      });
  if (!areas.ok()) return ToGrpcStatus(areas.status());
  for (auto& area : *areas) *response->add_areas() = std::move(area);
  return grpc::Status::OK;
}

}  // namespace kvo::identity
