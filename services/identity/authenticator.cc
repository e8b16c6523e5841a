#include "services/identity/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/audit/integrity_alarm.h"
#include "services/common/crypto.h"
#include "services/identity/identity_rules.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/principal_check.h"

namespace kvo::identity {
namespace {

bool WellFormed(absl::string_view token) {
  if (token.size() != 64) return false;
  for (char c : token) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

}  // namespace

Authenticator::Authenticator(common::DbPool& pool, const common::Clock& clock,
                             std::chrono::milliseconds cache_ttl)
    : pool_(pool), clock_(clock), cache_ttl_(cache_ttl) {}

std::string Authenticator::TokenHash(absl::string_view token) {
  return PgIdentityStore::TokenHash(token);
}

absl::StatusOr<Caller> Authenticator::Authenticate(absl::string_view token) {
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "no session token: log in first (kvo login)");
  }
  if (!WellFormed(token)) {
    return absl::UnauthenticatedError("malformed session token");
  }
  const std::string hash = TokenHash(token);
  const auto now = std::chrono::steady_clock::now();
  if (auto caller = FromCache(hash, now)) return *caller;
  auto fetched = Fetch(token, hash, now);
  if (!fetched.ok()) {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      // Unknown, ended or suspended: forget it; unreachable: the next
      // caller asks again, and until then a caller confirmed shortly
      // before the database went away stays let in (nothing can suspend
      // or end a session while it is away).
      if (absl::IsUnauthenticated(fetched.status())) {
        cache_.erase(it);
      } else {
        it->second.refreshing = false;
        if (absl::IsUnavailable(fetched.status()) &&
            now - it->second.fetched < common::kOutageGrace &&
            it->second.expires_at_ms > NowMs()) {
          return it->second.caller;
        }
      }
    }
  }
  return fetched;
}

std::optional<Caller> Authenticator::FromCache(
    const std::string& hash, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(hash);
  if (it == cache_.end()) return std::nullopt;
  Cached& c = it->second;
  if (c.expires_at_ms <= NowMs()) return std::nullopt;
  const auto age = now - c.fetched;
  if (age < cache_ttl_) return c.caller;
  if (c.refreshing && age < 3 * cache_ttl_) return c.caller;
  c.refreshing = true;
  return std::nullopt;
}

absl::StatusOr<Caller> Authenticator::Fetch(
    absl::string_view token, const std::string& hash,
    std::chrono::steady_clock::time_point now) {
  // A refusal for a row that fails its check commits with its alarm.
  struct Checked {
    SessionRow row;
    absl::Status refusal;
  };
  auto checked = pool_.InTransaction(
      "authenticate", [&](pqxx::work& tx) -> absl::StatusOr<Checked> {
        auto s = PgIdentityStore::Session(tx, hash);
        if (!s.has_value()) {
          // Found only under the unkeyed hash: minted by SQL.
          const common::Sha256Digest d = common::Sha256(token);
          if (auto minted = PgIdentityStore::UnkeyedSessionPrincipal(
                  tx, std::string(reinterpret_cast<const char*>(d.data()),
                                  d.size()))) {
            audit::AuditRecord who;
            who.subject = absl::StrCat("principal:", *minted);
            audit::RaiseIntegrityAlarm(
                tx, who,
                "session row under an unkeyed token hash (not written by "
                "kvod): token refused");
            return Checked{{},
                           absl::UnauthenticatedError(
                               "session refused: its records fail the "
                               "integrity check; ask your admin")};
          }
          return absl::UnauthenticatedError(
              "unknown session token: log in again");
        }
        Checked c{*s, absl::OkStatus()};
        if (!s->intact) {
          audit::AuditRecord who;
          who.subject = absl::StrCat("principal:", s->principal.id);
          audit::RaiseIntegrityAlarm(tx, who,
                                     "session row fails its integrity check "
                                     "(not written by kvod): token refused");
        } else if (!s->principal.intact) {
          RaiseAlteredPrincipalAlarm(tx, {}, s->principal.id, "session check");
        }
        if (!s->intact || !s->principal.intact) {
          c.refusal = absl::UnauthenticatedError(
              "session refused: its records fail the integrity check; ask "
              "your admin");
        }
        return c;
      });
  if (!checked.ok()) return checked.status();
  if (!checked->refusal.ok()) return checked->refusal;
  const SessionRow* session = &checked->row;
  if (session->revoked || session->expires_at_ms <= NowMs()) {
    return absl::UnauthenticatedError("session expired or ended: log in again");
  }
  if (session->principal.status != "active") {
    return absl::UnauthenticatedError(
        "this account is suspended: ask your coordinator");
  }
  Caller caller;
  caller.principal_id = session->principal.id;
  caller.role =
      RoleFromName(session->principal.role).value_or(kvo::v1::ROLE_UNSPECIFIED);
  caller.area_ids = session->principal.area_ids;
  caller.login = session->principal.login;
  std::lock_guard lock(mu_);
  cache_[hash] = {caller, session->expires_at_ms, now, false};
  return caller;
}

void Authenticator::ForgetToken(absl::string_view token) {
  std::lock_guard lock(mu_);
  cache_.erase(TokenHash(token));
}

void Authenticator::ForgetPrincipal(int64_t principal_id) {
  std::lock_guard lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.caller.principal_id == principal_id ? cache_.erase(it)
                                                        : std::next(it);
  }
}

}  // namespace kvo::identity
