#ifndef KVO_SERVICES_IDENTITY_SESSIONS_H_
#define KVO_SERVICES_IDENTITY_SESSIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/rate_limiter.h"
#include "services/identity/hashing_slots.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/rpc_guard.h"

namespace kvo::identity {

// A session that Login opened.
struct Session {
  std::string token;  // the bearer token; only its hash is stored
  int64_t expires_ms = 0;
  PrincipalRow principal;
};

// The use cases that open and end sessions, for every adapter (gRPC and the
// door page): the per-address limit shared with Bootstrap and Enroll, the
// Argon2id slots, lockout, and the audit entry of every attempt in the same
// transaction. A failed login answers UNAUTHENTICATED with one message
// whether the login is unknown, the password wrong, the account locked or
// not enrolled (the audit entry keeps the real reason); only a suspended
// account with the right password learns that it is suspended
// (PERMISSION_DENIED). RESOURCE_EXHAUSTED past the address limit or when
// every hashing slot stays busy. Thread-safe.
class Sessions final {
 public:
  // Session lifetimes and lockouts run on `clock` (kvod's), as every rule.
  // `address_limit` counts Bootstrap, Enroll and Login per source address
  // over one minute; kvod gives it one that holds across replicas
  // (common::PgRateLimiter).
  Sessions(const kvo::v1::Policy& policy, common::DbPool& pool, RpcGuard& guard,
           const common::Clock& clock, common::RateLimit& address_limit);

  // `call` is the guard's (Login is public): its peer is the address
  // limited and recorded.
  absl::StatusOr<Session> Login(const Call& call,
                                const kvo::v1::LoginRequest& request);
  // Ends the session of `token` (the caller's) server-side and forgets it
  // in the token cache.
  absl::Status Logout(const Call& call, const std::string& token);

  // The shared per-address limit of Bootstrap, Enroll and Login;
  // UNAVAILABLE when it cannot be counted (fails closed).
  absl::Status LimitAddress(const Call& call, absl::string_view action);
  // An Argon2id slot, or RESOURCE_EXHAUSTED after the policy's wait.
  absl::StatusOr<HashingSlots::Slot> HashingSlot();

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  RpcGuard& guard_;
  const common::Clock& clock_;
  // Bootstrap, Enroll and Login together, per source address.
  common::RateLimit& login_limiter_;
  HashingSlots hashing_slots_;
  // Verified against when the login is unknown, locked or not enrolled, so
  // timing does not tell them from a wrong password.
  std::string dummy_hash_;
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_SESSIONS_H_
