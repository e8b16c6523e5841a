#ifndef KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_
#define KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/db_pool.h"
#include "services/identity/access_control.h"

namespace kvo::identity {

// Session token -> Caller. A token is checked against the database at most
// once per `cache_ttl` per process, so a suspension or logout elsewhere ends
// access within that time (1 s by default) without a query per call.
// Errors are UNAUTHENTICATED with the reason a person can act on, or
// UNAVAILABLE when the database is. Thread-safe.
class Authenticator final {
 public:
  Authenticator(common::DbPool& pool, std::chrono::milliseconds cache_ttl);

  absl::StatusOr<Caller> Authenticate(absl::string_view token);
  // Drops cached entries of a token (logout) or a principal (suspension).
  void ForgetToken(absl::string_view token);
  void ForgetPrincipal(int64_t principal_id);

  // Tokens are stored only as this hash (SHA-256, raw bytes).
  static std::string TokenHash(absl::string_view token);

 private:
  struct Cached {
    Caller caller;
    int64_t expires_at_ms = 0;
    std::chrono::steady_clock::time_point fetched;
  };
  common::DbPool& pool_;
  const std::chrono::milliseconds cache_ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_
