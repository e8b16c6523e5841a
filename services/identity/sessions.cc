#include "services/identity/sessions.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/local_time.h"
#include "services/identity/identity_requests.h"
#include "services/identity/identity_rules.h"
#include "services/identity/principal_check.h"

namespace kvo::identity {
namespace {

using audit::Outcome;
using audit::PgAuditStore;
using Store = PgIdentityStore;

std::string Subject(int64_t principal_id) {
  return absl::StrCat("principal:", principal_id);
}

std::string AmsterdamTime(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", absl::FromUnixMillis(ms),
                          common::Amsterdam());
}

// The answer of a login, kept apart from the transaction's status so that
// a refusal that must still be recorded commits.
struct LoginDecision {
  absl::Status refusal;
  PrincipalRow who;
  int64_t expires_ms = 0;
};

}  // namespace

Sessions::Sessions(const kvo::v1::Policy& policy, common::DbPool& pool,
                   RpcGuard& guard, const common::Clock& clock,
                   common::RateLimit& address_limit)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      clock_(clock),
      login_limiter_(address_limit),
      hashing_slots_(policy.identity().max_concurrent_password_hashes()) {
  dummy_hash_ = common::HashPassword(common::HexEncode(common::RandomBytes(16)))
                    .value_or("");
}

absl::Status Sessions::LimitAddress(const Call& call,
                                    absl::string_view action) {
  const absl::StatusOr<int64_t> wait = login_limiter_.Acquire(
      call.peer, policy_.rate_limits().logins_per_address_per_minute());
  if (!wait.ok()) return wait.status();
  if (*wait == 0) return absl::OkStatus();
  guard_.AuditUnauthenticatedRefusal(
      call.peer,
      guard_.Record(call, action, "", "rate limit", Outcome::kDenied));
  return absl::ResourceExhaustedError(
      absl::StrCat("too many bootstrap, enroll and login attempts from your "
                   "address; retry in ",
                   *wait, " s"));
}

absl::StatusOr<HashingSlots::Slot> Sessions::HashingSlot() {
  const int wait_ms = policy_.identity().password_hash_wait_ms() > 0
                          ? policy_.identity().password_hash_wait_ms()
                          : 5000;
  HashingSlots::Slot slot =
      hashing_slots_.Acquire(std::chrono::milliseconds(wait_ms));
  if (!slot) {
    return absl::ResourceExhaustedError(
        "server busy checking passwords; retry in a few seconds");
  }
  return slot;
}

absl::StatusOr<Session> Sessions::Login(const Call& call,
                                        const kvo::v1::LoginRequest& request) {
  if (auto s = LimitAddress(call, "identity.login"); !s.ok()) return s;
  if (auto s = ValidateLoginRequest(request); !s.ok()) return s;
  const auto& rules = policy_.identity();
  std::string token = NewSessionToken();
  // Every path below runs one Argon2id verify, so the slot is taken before
  // the transaction (a waiting call holds no connection).
  auto slot = HashingSlot();
  if (!slot.ok()) return slot.status();
  auto result = pool_.InTransaction(
      "login", [&](pqxx::work& tx) -> absl::StatusOr<LoginDecision> {
        LoginDecision d;
        auto who = Store::PrincipalByLoginForUpdate(tx, request.login());
        // The client gets one answer; the audit entry keeps the reason.
        auto refuse = [&](absl::string_view reason, int64_t principal,
                          absl::Status answer =
                              absl::UnauthenticatedError(kLoginRefused)) {
          Call audited = call;
          audited.caller.principal_id = principal;
          PgAuditStore::Append(
              tx, guard_.Record(audited, "identity.login",
                                principal ? Subject(principal) : "",
                                absl::StrCat("login refused: ", reason),
                                Outcome::kDenied));
          d.refusal = std::move(answer);
          return d;
        };
        const int64_t now = absl::ToUnixMillis(clock_.Now());
        if (!who.has_value()) {
          common::VerifyPassword(dummy_hash_, request.password());
          return refuse("unknown login", 0);
        }
        // A row changed outside kvod (a role raised, a password hash or a
        // status replaced by SQL) lets no one in.
        if (!who->intact) {
          common::VerifyPassword(dummy_hash_, request.password());
          RaiseAlteredPrincipalAlarm(
              tx, guard_.Record(call, "identity.login", "", ""), who->id,
              "login");
          return refuse("principal row fails its integrity check", who->id);
        }
        if (LockedAt(who->locked_until_ms, now)) {
          common::VerifyPassword(dummy_hash_, request.password());
          return refuse(absl::StrCat("account locked until ",
                                     AmsterdamTime(*who->locked_until_ms)),
                        who->id);
        }
        if (who->status == "pending") {
          common::VerifyPassword(dummy_hash_, request.password());
          return refuse("not enrolled yet", who->id);
        }
        const int failures =
            FailuresThatCount(who->failed_logins, who->locked_until_ms, now);
        if (!common::VerifyPassword(who->password_hash, request.password())) {
          const bool lock = FailureLocks(failures, rules.login_max_failures());
          Store::RecordFailedLogin(tx, who->id, failures + 1,
                                   lock ? std::optional(std::chrono::minutes(
                                              rules.login_lockout_minutes()))
                                        : std::nullopt,
                                   now);
          return refuse(
              lock ? "wrong password; account now locked" : "wrong password",
              who->id);
        }
        // Only someone who knows the password learns of the suspension.
        if (who->status == "suspended") {
          return refuse("suspended", who->id,
                        absl::PermissionDeniedError(
                            "this account is suspended: ask your coordinator"));
        }
        Store::ResetFailedLogins(tx, who->id);
        d.expires_ms =
            now + int64_t{rules.token_lifetime_minutes()} * 60 * 1000;
        Store::InsertSession(tx, Authenticator::TokenHash(token), who->id,
                             d.expires_ms);
        Call audited = call;
        audited.caller.principal_id = who->id;
        audited.caller.role =
            RoleFromName(who->role).value_or(kvo::v1::ROLE_UNSPECIFIED);
        PgAuditStore::Append(tx, guard_.Record(audited, "identity.login",
                                               Subject(who->id), "login"));
        d.who = *who;
        return d;
      });
  if (!result.ok()) return result.status();
  if (!result->refusal.ok()) return result->refusal;
  return Session{std::move(token), result->expires_ms, result->who};
}

absl::Status Sessions::Logout(const Call& call, const std::string& token) {
  absl::Status s = pool_.InTransaction("logout", [&](pqxx::work& tx) {
    Store::RevokeSession(tx, Authenticator::TokenHash(token));
    PgAuditStore::Append(
        tx, guard_.Record(call, "identity.logout",
                          Subject(call.caller.principal_id), "logout"));
    return absl::OkStatus();
  });
  guard_.authenticator().ForgetToken(token);
  return s;
}

}  // namespace kvo::identity
