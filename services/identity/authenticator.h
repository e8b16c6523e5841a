#ifndef KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_
#define KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/access_control.h"

namespace kvo::identity {

// Session token -> Caller. Only a session row and principal row whose seals
// check out let a caller in (a forged one answers UNAUTHENTICATED and raises
// the integrity alarm); only those are cached. A token is checked against the
// database at most once per `cache_ttl` per process, so a suspension or logout
// elsewhere ends access within that time (1 s by default) without a query per
// call. When an entry goes stale, one caller refreshes it while the token's
// other callers go on with the stale entry (for at most 3 × `cache_ttl`), so a
// door of 200 tablets sharing a login is one query, not a burst of 200
// queueing for the pool behind the writers. While the database is unreachable
// (a failover: seconds) a token confirmed within common::kOutageGrace is still
// let in, so that what kvod answers from memory (a door's no-change sync) goes
// on; a suspension cannot be recorded meanwhile, and the first check after the
// database is back applies it. Errors are UNAUTHENTICATED with the reason a
// person can act on, or UNAVAILABLE when the database is. Thread-safe.
class Authenticator final {
 public:
  // A session ends at its expiry on `clock` (kvod's, the one that set it).
  Authenticator(common::DbPool& pool, const common::Clock& clock,
                std::chrono::milliseconds cache_ttl);

  absl::StatusOr<Caller> Authenticate(absl::string_view token);
  // Drops cached entries of a token (logout) or a principal (suspension).
  void ForgetToken(absl::string_view token);
  void ForgetPrincipal(int64_t principal_id);

  // Tokens are stored only as this keyed hash (PgIdentityStore::TokenHash:
  // a key outside the database, so no one can mint a token by SQL).
  static std::string TokenHash(absl::string_view token);

 private:
  struct Cached {
    Caller caller;
    int64_t expires_at_ms = 0;
    std::chrono::steady_clock::time_point fetched;
    bool refreshing = false;  // one caller is asking the database
  };
  // The cached caller if it may answer now; else marks the entry (if any)
  // as being refreshed by this caller.
  std::optional<Caller> FromCache(const std::string& hash,
                                  std::chrono::steady_clock::time_point now);
  absl::StatusOr<Caller> Fetch(absl::string_view token, const std::string& hash,
                               std::chrono::steady_clock::time_point now);
  int64_t NowMs() const { return absl::ToUnixMillis(clock_.Now()); }
  common::DbPool& pool_;
  const common::Clock& clock_;
  const std::chrono::milliseconds cache_ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_AUTHENTICATOR_H_
