#ifndef KVO_SERVICES_IDENTITY_RPC_GUARD_H_
#define KVO_SERVICES_IDENTITY_RPC_GUARD_H_

#include <grpcpp/server_context.h>

#include <pqxx/pqxx>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/audit/audit_entry.h"
#include "services/audit/audit_integrity.h"
#include "services/common/db_pool.h"
#include "services/common/periodic_task.h"
#include "services/identity/access_control.h"
#include "services/identity/authenticator.h"
#include "services/identity/refusal_throttle.h"

namespace kvo::identity {

// Where a call comes from, whatever carried it (gRPC metadata, or the door
// page's cookie): the session token, the client's address without the port
// ("ipv4:127.0.0.1") and the client's request id (kept if short and
// printable, else a new one is made).
struct CallOrigin {
  std::string token;
  std::string peer;
  std::string request_id;
};

// One call in progress, after the guard let it in.
struct Call {
  std::string method;
  std::string request_id;
  bool authenticated = false;
  Caller caller;     // empty for public methods
  std::string peer;  // the client's address, recorded in every entry
};

// The one gate every handler passes first: authenticates the bearer token
// (unless the access table marks the method public), checks role x method
// against the table, and later the areas the request is about. Every refusal
// is audited (outcome "denied") in its own transaction, then returned as
// UNAUTHENTICATED or PERMISSION_DENIED with the reason. While the audit log
// cannot be trusted (`integrity` tripped), every method but the audit
// service's own and login/logout/whoami answers UNAVAILABLE: nothing is
// disclosed or changed without a trustworthy log. Refusals of calls without
// a valid token are audited one by one only up to a per-address limit a
// minute; past it they are counted into one "denied.unauthenticated.summary"
// entry per address and minute, written by a small flush thread (and by
// StopAndFlush at shutdown, so no count is lost). Thread-safe.
class RpcGuard final {
 public:
  // `unauthenticated_audits_per_minute` <= 0: 20.
  RpcGuard(const AccessControl& access, Authenticator& authenticator,
           common::DbPool& pool, const audit::AuditIntegrity& integrity,
           int unauthenticated_audits_per_minute = 0);
  // Logs the summaries still owed (StopAndFlush writes them).
  ~RpcGuard();
  RpcGuard(const RpcGuard&) = delete;
  RpcGuard& operator=(const RpcGuard&) = delete;

  // `method` is the full name, "kvo.v1.IdentityService/Login".
  absl::StatusOr<Call> Begin(const grpc::ServerContextBase& context,
                             absl::string_view method);
  // The same for a call that did not come over gRPC (the door page): the
  // same table, authentication and audit.
  absl::StatusOr<Call> Begin(const CallOrigin& origin,
                             absl::string_view method);
  // For own-areas grants: every one of `areas` must be the caller's.
  absl::Status CheckAreas(const Call& call, absl::Span<const int64_t> areas);
  // The same for a handler that learns the area inside its transaction:
  // the refusal is appended to `tx`, which the handler commits before it
  // returns the status (so the refusal is on record).
  absl::Status CheckAreasIn(pqxx::transaction_base& tx, const Call& call,
                            absl::Span<const int64_t> areas);

  // An audit record for this call (the handler appends it in its own
  // transaction through PgAuditStore::Append).
  audit::AuditRecord Record(const Call& call, absl::string_view action,
                            absl::string_view subject,
                            absl::string_view purpose,
                            audit::Outcome outcome = audit::Outcome::kOk) const;
  // Appends a record in a transaction of its own (refusals, failures that
  // rolled the use case back). Failures to audit are logged, not thrown.
  void AuditAlone(const audit::AuditRecord& record);
  // AuditAlone for a refusal of a caller not (yet) known, such as a login
  // over the address's rate limit: throttled per address as above.
  void AuditUnauthenticatedRefusal(absl::string_view peer,
                                   const audit::AuditRecord& record);
  // Writes the summaries of windows that ended (the flush thread's work).
  void FlushRefusalSummaries(bool all);
  // At shutdown, after the server stopped and while the pool still lives:
  // stops the flush thread and writes every summary still owed.
  void StopAndFlush();

  const AccessControl& access() const { return access_; }
  Authenticator& authenticator() { return authenticator_; }

  // The bearer token of the call ("authorization: Bearer <token>").
  static std::string BearerToken(const grpc::ServerContextBase& context);
  // The client's address without the port ("ipv4:127.0.0.1").
  static std::string PeerAddress(const grpc::ServerContextBase& context);
  // Token, address and request id of a gRPC call.
  static CallOrigin Origin(const grpc::ServerContextBase& context);

 private:
  absl::Status Deny(const Call& call, absl::Status status);
  void StopFlusher();
  void WriteSummaries(const std::vector<RefusalThrottle::Summary>& summaries);
  audit::AuditRecord DenialRecord(const Call& call) const;
  // A refusal about areas: names the first area that is not the caller's.
  audit::AuditRecord AreaDenialRecord(const Call& call,
                                      absl::Span<const int64_t> areas) const;

  const AccessControl& access_;
  Authenticator& authenticator_;
  common::DbPool& pool_;
  const audit::AuditIntegrity& integrity_;
  RefusalThrottle refusals_;
  common::PeriodicTask flusher_;
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_RPC_GUARD_H_
