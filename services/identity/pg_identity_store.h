#ifndef KVO_SERVICES_IDENTITY_PG_IDENTITY_STORE_H_
#define KVO_SERVICES_IDENTITY_PG_IDENTITY_STORE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kvo/v1/identity.pb.h"

namespace kvo::identity {

struct PrincipalRow {
  int64_t id = 0;
  std::string login;
  std::string display_name;
  std::string role;    // "shopkeeper", ...
  std::string status;  // "pending" | "active" | "suspended"
  std::vector<int64_t> area_ids;
  std::string password_hash;  // empty when pending
  int failed_logins = 0;
  std::optional<int64_t> locked_until_ms;
  // Its seal checks out (common::RowSeal): kvod wrote login, role, status,
  // password hash and areas as they are. A row that is not intact must be
  // refused with an integrity alarm, never used.
  bool intact = false;
};

struct SessionRow {
  PrincipalRow principal;
  int64_t expires_at_ms = 0;
  bool revoked = false;
  // The session row's own seal (token hash, principal, expiry) checks out;
  // the principal's is principal.intact.
  bool intact = false;
};

struct CodeRow {
  std::string kind;
  std::optional<int64_t> principal_id;
  int64_t expires_at_ms = 0;
  bool used = false;
};

// The only SQL on principals, areas, one-time codes and sessions. Every
// function runs in the caller's transaction; libpqxx exceptions pass to the
// caller's DbPool, which maps them. Secrets arrive already hashed
// (SecretHash). Principals and sessions are sealed as they are written
// (common::ProcessRowSeal) and checked as they are read (`intact`); a
// change to a principal takes the row as read, checked, in the same
// transaction (ForUpdate), so that kvod never seals over a change made
// outside it.
class PgIdentityStore final {
 public:
  using Tx = pqxx::transaction_base;

  // What is stored in place of a session token or one-time code.
  static std::string TokenHash(absl::string_view token);
  static std::string CodeHash(absl::string_view normalized_code);

  static bool AnyAdmin(Tx& tx);
  // Inserts the principal with its areas, sealed.
  static int64_t InsertPrincipal(Tx& tx, const std::string& login,
                                 const std::string& display_name,
                                 const std::string& role,
                                 const std::string& status,
                                 const std::string& password_hash,
                                 int64_t created_by,
                                 const std::vector<int64_t>& area_ids = {});
  static bool LoginTaken(Tx& tx, const std::string& login);
  // The ids among `area_ids` that do not exist.
  static std::vector<int64_t> MissingAreas(
      Tx& tx, const std::vector<int64_t>& area_ids);
  static std::optional<PrincipalRow> PrincipalById(Tx& tx, int64_t id);
  // The rows of those of `ids` that exist, in one statement (a page of the
  // audit log names up to 50 principals: one round trip, not 50).
  static std::vector<PrincipalRow> PrincipalsByIds(
      Tx& tx, const std::vector<int64_t>& ids);
  static std::optional<PrincipalRow> PrincipalByIdForUpdate(Tx& tx, int64_t id);
  // Locks the row (FOR UPDATE): login bookkeeping follows.
  // Without a lock, for readers (the audit log's queries).
  static std::optional<PrincipalRow> PrincipalByLogin(Tx& tx,
                                                      const std::string& login);
  static std::optional<PrincipalRow> PrincipalByLoginForUpdate(
      Tx& tx, const std::string& login);
  static std::vector<PrincipalRow> ListPrincipals(Tx& tx, int64_t area_id);
  // `row`: read ForUpdate in this transaction, and intact.
  static void SetStatus(Tx& tx, const PrincipalRow& row,
                        const std::string& status);
  static void Activate(Tx& tx, const PrincipalRow& row,
                       const std::string& password_hash);
  // Sets the failure count to `failures`; locks for `lock_for` from
  // `now_ms` (kvod's clock) if given, else clears a lock that has ended.
  static void RecordFailedLogin(Tx& tx, int64_t id, int failures,
                                std::optional<std::chrono::minutes> lock_for,
                                int64_t now_ms);
  // Clears the failure count and any lock.
  static void ResetFailedLogins(Tx& tx, int64_t id);
  // Pending again without a password, failures and lock cleared.
  static void ResetPassword(Tx& tx, const PrincipalRow& row);

  // Whether any principal carries a seal (some kvod sealed this registry).
  static bool AnyPrincipalSealed(Tx& tx);
  // False when principals carry seals and none of the first few checks
  // out: this process has another seal key than the one that sealed them.
  static bool SealKeyFits(Tx& tx);
  // Seals every principal without a seal and ends every session without
  // one: the one-time adoption of rows older than the seals. The count.
  static int64_t SealUnsealed(Tx& tx);

  static void InsertCode(Tx& tx, const std::string& code_hash,
                         const std::string& kind,
                         std::optional<int64_t> principal_id,
                         std::chrono::hours valid_for, int64_t now_ms);
  // Locks the code row; nullopt when unknown.
  static std::optional<CodeRow> CodeForUpdate(Tx& tx,
                                              const std::string& code_hash);
  static void MarkCodeUsed(Tx& tx, const std::string& code_hash);
  // Unused codes stop working (they expire at `now_ms`, kvod's clock, as
  // every time of a code).
  static void ExpireCodesOf(Tx& tx, int64_t principal_id, int64_t now_ms);
  static void ExpireBootstrapCodes(Tx& tx, int64_t now_ms);

  // Sealed; `expires_ms` since the Unix epoch.
  static void InsertSession(Tx& tx, const std::string& token_hash,
                            int64_t principal_id, int64_t expires_ms);
  static std::optional<SessionRow> Session(Tx& tx,
                                           const std::string& token_hash);
  // The principal of a session row not ended stored under `sha256_hash`,
  // the unkeyed hash kvod stored before the seals and never since (the
  // migration ended those): such a row was put in by SQL (minted).
  static std::optional<int64_t> UnkeyedSessionPrincipal(
      Tx& tx, const std::string& sha256_hash);
  static void RevokeSession(Tx& tx, const std::string& token_hash);
  static void RevokeAllSessions(Tx& tx, int64_t principal_id);

  // `demo`: an area for generated data only (kvo demo seed); it joins the
  // registry 731 days back, so that the two years of history the seed
  // generates lie after that day as the incident rule requires.
  static int64_t InsertArea(Tx& tx, const std::string& name,
                            const std::string& kind,
                            const std::string& municipality, bool demo,
                            int64_t now_ms);
  static bool AreaNameTaken(Tx& tx, const std::string& municipality,
                            const std::string& name);
  // All areas when `only` is empty, else those ids.
  static std::vector<kvo::v1::Area> ListAreas(Tx& tx,
                                              const std::vector<int64_t>& only,
                                              bool all);
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_PG_IDENTITY_STORE_H_
