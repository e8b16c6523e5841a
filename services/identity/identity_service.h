#ifndef KVO_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
#define KVO_SERVICES_IDENTITY_IDENTITY_SERVICE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kvo/v1/identity.grpc.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/rate_limiter.h"
#include "services/identity/hashing_slots.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/rpc_guard.h"
#include "services/identity/sessions.h"

namespace kvo::identity {

// The gRPC adapter of identity: validates, runs each use case in one
// transaction together with its audit entry, maps the result. Status codes:
// INVALID_ARGUMENT (a field, with what is allowed), UNAUTHENTICATED (wrong
// login or password, bad code), PERMISSION_DENIED (access table, locked or
// suspended account), NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
// RESOURCE_EXHAUSTED (too many Bootstrap, Enroll and Login calls from one
// address together, or every Argon2id slot busy past the wait). A failed
// login answers UNAUTHENTICATED with one message whether the login is
// unknown, the password wrong, the account locked or not enrolled (the
// audit entry keeps the real reason); only a suspended account with the
// right password learns that it is suspended. Thread-safe.
class IdentityServiceImpl final : public kvo::v1::IdentityService::Service {
 public:
  // Login and Logout are `sessions`' use cases (shared with the door
  // page), as are the address limit and the hashing slots.
  // One-time codes expire on `clock` (kvod's), as sessions do.
  IdentityServiceImpl(const kvo::v1::Policy& policy, common::DbPool& pool,
                      RpcGuard& guard, Sessions& sessions,
                      const common::Clock& clock);

  // On a database without an admin: a new one-time bootstrap code (stored
  // only as a hash) for kvod to print; nullopt once an admin exists.
  absl::StatusOr<std::optional<std::string>> IssueBootstrapCodeIfNeeded();

  grpc::Status Bootstrap(grpc::ServerContext* context,
                         const kvo::v1::BootstrapRequest* request,
                         kvo::v1::BootstrapResponse* response) override;
  grpc::Status Enroll(grpc::ServerContext* context,
                      const kvo::v1::EnrollRequest* request,
                      kvo::v1::EnrollResponse* response) override;
  grpc::Status Login(grpc::ServerContext* context,
                     const kvo::v1::LoginRequest* request,
                     kvo::v1::LoginResponse* response) override;
  grpc::Status Logout(grpc::ServerContext* context,
                      const kvo::v1::LogoutRequest* request,
                      kvo::v1::LogoutResponse* response) override;
  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const kvo::v1::WhoAmIRequest* request,
                      kvo::v1::Principal* response) override;
  grpc::Status CreatePrincipal(
      grpc::ServerContext* context,
      const kvo::v1::CreatePrincipalRequest* request,
      kvo::v1::CreatePrincipalResponse* response) override;
  grpc::Status SuspendPrincipal(
      grpc::ServerContext* context,
      const kvo::v1::SetPrincipalStatusRequest* request,
      kvo::v1::Principal* response) override;
  grpc::Status ReactivatePrincipal(
      grpc::ServerContext* context,
      const kvo::v1::SetPrincipalStatusRequest* request,
      kvo::v1::Principal* response) override;
  grpc::Status UnlockPrincipal(
      grpc::ServerContext* context,
      const kvo::v1::SetPrincipalStatusRequest* request,
      kvo::v1::Principal* response) override;
  grpc::Status ResetPassword(grpc::ServerContext* context,
                             const kvo::v1::ResetPasswordRequest* request,
                             kvo::v1::ResetPasswordResponse* response) override;
  grpc::Status ListPrincipals(
      grpc::ServerContext* context,
      const kvo::v1::ListPrincipalsRequest* request,
      kvo::v1::ListPrincipalsResponse* response) override;
  grpc::Status CreateArea(grpc::ServerContext* context,
                          const kvo::v1::CreateAreaRequest* request,
                          kvo::v1::Area* response) override;
  grpc::Status ListAreas(grpc::ServerContext* context,
                         const kvo::v1::ListAreasRequest* request,
                         kvo::v1::ListAreasResponse* response) override;

 private:
  // The principal an administrative call is about, after the caller's
  // authority over them is checked (own areas, not themselves).
  absl::StatusOr<PrincipalRow> Target(const Call& call,
                                      absl::string_view method,
                                      int64_t principal_id);
  // What every administrative call on one principal begins with: the
  // guard, the --reason check, then Target.
  struct PrincipalAction {
    Call call;
    PrincipalRow target;
  };
  absl::StatusOr<PrincipalAction> BeginOnPrincipal(grpc::ServerContext* context,
                                                   absl::string_view method,
                                                   int64_t principal_id,
                                                   const std::string& reason);
  absl::Status SetStatus(grpc::ServerContext* context, absl::string_view method,
                         const kvo::v1::SetPrincipalStatusRequest& request,
                         bool suspend, kvo::v1::Principal* response);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  RpcGuard& guard_;
  Sessions& sessions_;
  const common::Clock& clock_;
  int64_t NowMs() const { return absl::ToUnixMillis(clock_.Now()); }
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
