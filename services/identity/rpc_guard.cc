#include "services/identity/rpc_guard.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/identity/identity_rules.h"

namespace kvo::identity {
namespace {

constexpr size_t kMaxRequestIdLength = 64;
constexpr char kRefusalSummaryAction[] = "denied.unauthenticated.summary";
// A summary is written within this long after its minute ends.
constexpr auto kFlushEvery = std::chrono::seconds(10);

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// A client-supplied request id is kept if it is short and printable, so
// logs and audit can be joined with the client's own.
std::string RequestId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= kMaxRequestIdLength;
  for (char c : id) ok &= absl::ascii_isgraph(c);
  return ok ? id : common::HexEncode(common::RandomBytes(12));
}

// What stays open while the audit log cannot be trusted: the means to
// investigate it and to shut a suspect account out, and nothing that
// discloses or changes personal data.
bool OpenWhileAuditUntrusted(absl::string_view method) {
  return absl::StartsWith(method, "kvo.v1.AuditService/") ||
         method == "kvo.v1.IdentityService/Login" ||
         method == "kvo.v1.IdentityService/Logout" ||
         method == "kvo.v1.IdentityService/WhoAmI" ||
         method == "kvo.v1.IdentityService/SuspendPrincipal";
}

}  // namespace

RpcGuard::RpcGuard(const AccessControl& access, Authenticator& authenticator,
                   common::DbPool& pool, const audit::AuditIntegrity& integrity,
                   int unauthenticated_audits_per_minute)
    : access_(access),
      authenticator_(authenticator),
      pool_(pool),
      integrity_(integrity),
      refusals_(unauthenticated_audits_per_minute) {
  flusher_.Start(
      std::chrono::duration_cast<std::chrono::milliseconds>(kFlushEvery),
      [this] { FlushRefusalSummaries(false); }, /*run_first=*/false);
}

void RpcGuard::StopFlusher() { flusher_.Stop(); }

void RpcGuard::StopAndFlush() {
  StopFlusher();
  FlushRefusalSummaries(true);
}

RpcGuard::~RpcGuard() {
  StopFlusher();
  // The pool may be gone by now: what StopAndFlush did not write is logged.
  for (const auto& summary : refusals_.TakeAll()) {
    common::LogError(
        "refusal summary not audited at shutdown",
        {{"address", summary.address}, {"count", absl::StrCat(summary.count)}});
  }
}

void RpcGuard::FlushRefusalSummaries(bool all) {
  WriteSummaries(all ? refusals_.TakeAll() : refusals_.TakeDue(NowMs()));
}

void RpcGuard::WriteSummaries(
    const std::vector<RefusalThrottle::Summary>& summaries) {
  for (const auto& summary : summaries) {
    Call none;
    none.request_id = common::HexEncode(common::RandomBytes(12));
    audit::AuditRecord record =
        Record(none, kRefusalSummaryAction, "", RefusalSummaryPurpose(summary),
               audit::Outcome::kDenied);
    absl::Status s = pool_.InTransaction("audit", [&](pqxx::work& tx) {
      audit::PgAuditStore::Append(tx, record);
      return absl::OkStatus();
    });
    if (!s.ok()) {
      // The count must not vanish without a trace: it stays in the log.
      common::LogError("refusal summary not audited",
                       {{"address", summary.address},
                        {"count", absl::StrCat(summary.count)},
                        {"detail", s.message()}});
    }
  }
}

void RpcGuard::AuditUnauthenticatedRefusal(absl::string_view peer,
                                           const audit::AuditRecord& record) {
  std::vector<RefusalThrottle::Summary> due;
  const bool alone = refusals_.Note(std::string(peer), NowMs(), &due);
  WriteSummaries(due);
  if (alone) AuditAlone(record);
}

std::string RpcGuard::BearerToken(const grpc::ServerContextBase& context) {
  std::string value = Metadata(context, "authorization");
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(value, kBearer)) return "";
  return value.substr(kBearer.size());
}

std::string RpcGuard::PeerAddress(const grpc::ServerContextBase& context) {
  std::string peer = context.peer();
  const auto colon = peer.rfind(':');
  const auto first = peer.find(':');
  return colon != std::string::npos && colon != first ? peer.substr(0, colon)
                                                      : peer;
}

CallOrigin RpcGuard::Origin(const grpc::ServerContextBase& context) {
  return {BearerToken(context), PeerAddress(context),
          Metadata(context, "x-request-id")};
}

absl::StatusOr<Call> RpcGuard::Begin(const grpc::ServerContextBase& context,
                                     absl::string_view method) {
  return Begin(Origin(context), method);
}

absl::StatusOr<Call> RpcGuard::Begin(const CallOrigin& origin,
                                     absl::string_view method) {
  Call call;
  call.method = std::string(method);
  call.request_id = RequestId(origin.request_id);
  call.peer = origin.peer;
  if (!integrity_.ok() && !OpenWhileAuditUntrusted(method)) {
    return integrity_.Check();
  }
  if (access_.IsPublic(method)) return call;
  auto caller = authenticator_.Authenticate(origin.token);
  if (!caller.ok()) {
    if (caller.status().code() == absl::StatusCode::kUnauthenticated) {
      AuditUnauthenticatedRefusal(call.peer, DenialRecord(call));
      return caller.status();
    }
    return caller.status();
  }
  call.caller = *caller;
  call.authenticated = true;
  if (auto s = access_.CheckRole(call.caller, method); !s.ok()) {
    return Deny(call, s);
  }
  return call;
}

absl::Status RpcGuard::CheckAreas(const Call& call,
                                  absl::Span<const int64_t> areas) {
  auto s = access_.CheckAreas(call.caller, call.method, areas);
  if (s.ok()) return s;
  AuditAlone(AreaDenialRecord(call, areas));
  return s;
}

absl::Status RpcGuard::CheckAreasIn(pqxx::transaction_base& tx,
                                    const Call& call,
                                    absl::Span<const int64_t> areas) {
  auto s = access_.CheckAreas(call.caller, call.method, areas);
  if (!s.ok()) audit::PgAuditStore::Append(tx, AreaDenialRecord(call, areas));
  return s;
}

audit::AuditRecord RpcGuard::AreaDenialRecord(
    const Call& call, absl::Span<const int64_t> areas) const {
  audit::AuditRecord r = DenialRecord(call);
  for (int64_t area : areas) {
    if (!call.caller.InArea(area)) {
      r.area_id = area;
      break;
    }
  }
  if (r.area_id == 0 && !areas.empty()) r.area_id = areas.front();
  return r;
}

audit::AuditRecord RpcGuard::DenialRecord(const Call& call) const {
  return Record(call, call.method, "", "access control",
                audit::Outcome::kDenied);
}

audit::AuditRecord RpcGuard::Record(const Call& call, absl::string_view action,
                                    absl::string_view subject,
                                    absl::string_view purpose,
                                    audit::Outcome outcome) const {
  audit::AuditRecord r;
  r.principal_id = call.caller.principal_id;
  r.role = RoleName(call.caller.role);
  r.action = std::string(action);
  r.subject = std::string(subject);
  r.purpose = std::string(purpose);
  r.outcome = outcome;
  r.request_id = call.request_id;
  r.peer = call.peer;
  return r;
}

void RpcGuard::AuditAlone(const audit::AuditRecord& record) {
  absl::Status s = pool_.InTransaction("audit", [&](pqxx::work& tx) {
    audit::PgAuditStore::Append(tx, record);
    return absl::OkStatus();
  });
  if (!s.ok()) {
    common::LogError("audit append failed",
                     {{"action", record.action}, {"detail", s.message()}});
  }
}

absl::Status RpcGuard::Deny(const Call& call, absl::Status status) {
  AuditAlone(DenialRecord(call));
  return status;
}

}  // namespace kvo::identity
