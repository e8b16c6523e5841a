#include "services/identity/pg_identity_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "services/common/row_seal.h"

namespace kvo::identity {
namespace {

using common::HexEncode;

// Principals with their areas as a comma-separated list and times as
// epoch milliseconds.
constexpr char kPrincipalSelect[] =
    "SELECT p.id, p.login, p.display_name, p.role, p.status, "
    "COALESCE((SELECT string_agg(area_id::text, ',' ORDER BY area_id) "
    "          FROM principal_areas WHERE principal_id = p.id), ''), "
    "COALESCE(p.password_hash, ''), p.failed_logins, "
    "(EXTRACT(EPOCH FROM p.locked_until) * 1000)::bigint, "
    "COALESCE(encode(p.seal, 'hex'), '') "
    "FROM principals p ";

constexpr char kAnyAdminSql[] =
    "SELECT EXISTS (SELECT 1 FROM principals WHERE role = 'admin')";
constexpr char kInsertPrincipalSql[] =
    "INSERT INTO principals (login, display_name, role, status, "
    "password_hash, created_by) VALUES ($1, $2, $3, $4, NULLIF($5, ''), "
    "NULLIF($6::bigint, 0)) RETURNING id";
constexpr char kLoginTakenSql[] =
    "SELECT EXISTS (SELECT 1 FROM principals WHERE login = $1)";
constexpr char kSealPrincipalSql[] =
    "UPDATE principals SET seal = decode($2, 'hex') WHERE id = $1";
constexpr char kAnySealedSql[] =
    "SELECT EXISTS (SELECT 1 FROM principals WHERE seal IS NOT NULL)";
constexpr char kEndUnsealedSessionsSql[] =
    "UPDATE sessions SET revoked_at = now() "
    "WHERE seal IS NULL AND revoked_at IS NULL";
constexpr char kDeleteAreasSql[] =
    "DELETE FROM principal_areas WHERE principal_id = $1";
constexpr char kInsertAreasSql[] =
    "INSERT INTO principal_areas (principal_id, area_id) "
    "SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING";
constexpr char kMissingAreasSql[] =
    "SELECT a FROM unnest($1::bigint[]) AS a "
    "WHERE NOT EXISTS (SELECT 1 FROM areas WHERE id = a) ORDER BY a";
constexpr char kSetStatusSql[] =
    "UPDATE principals SET status = $2, seal = decode($3, 'hex') "
    "WHERE id = $1";
constexpr char kActivateSql[] =
    "UPDATE principals SET status = 'active', password_hash = $2, "
    "failed_logins = 0, locked_until = NULL, seal = decode($3, 'hex') "
    "WHERE id = $1";
constexpr char kFailedLoginSql[] =
    "UPDATE principals SET failed_logins = $3, "
    "locked_until = CASE WHEN $2 > 0 THEN timestamptz 'epoch' + $4::bigint * "
    "interval '1 millisecond' + make_interval(mins => $2) ELSE NULL END "
    "WHERE id = $1";
constexpr char kResetPasswordSql[] =
    "UPDATE principals SET status = 'pending', password_hash = NULL, "
    "failed_logins = 0, locked_until = NULL, seal = decode($2, 'hex') "
    "WHERE id = $1";
constexpr char kExpirePrincipalCodesSql[] =
    "UPDATE one_time_codes SET expires_at = least(expires_at, timestamptz "
    "'epoch' + $2::bigint * interval '1 millisecond') "
    "WHERE principal_id = $1 AND used_at IS NULL";
constexpr char kExpireBootstrapCodesSql[] =
    "UPDATE one_time_codes SET expires_at = least(expires_at, timestamptz "
    "'epoch' + $1::bigint * interval '1 millisecond') "
    "WHERE kind = 'bootstrap' AND used_at IS NULL";
constexpr char kResetFailedSql[] =
    "UPDATE principals SET failed_logins = 0, locked_until = NULL "
    "WHERE id = $1";
constexpr char kInsertCodeSql[] =
    "INSERT INTO one_time_codes (code_hash, kind, principal_id, expires_at) "
    "VALUES (decode($1, 'hex'), $2, NULLIF($3::bigint, 0), "
    "timestamptz 'epoch' + $5::bigint * interval '1 millisecond' + "
    "make_interval(hours => $4))";
constexpr char kCodeSql[] =
    "SELECT kind, COALESCE(principal_id, 0), "
    "(EXTRACT(EPOCH FROM expires_at) * 1000)::bigint, used_at IS NOT NULL "
    "FROM one_time_codes WHERE code_hash = decode($1, 'hex') FOR UPDATE";
constexpr char kUseCodeSql[] =
    "UPDATE one_time_codes SET used_at = now() "
    "WHERE code_hash = decode($1, 'hex')";
constexpr char kInsertSessionSql[] =
    "INSERT INTO sessions (token_hash, principal_id, expires_at, seal) "
    "VALUES (decode($1, 'hex'), $2, timestamptz 'epoch' + $3::bigint * "
    "interval '1 millisecond', decode($4, 'hex'))";
constexpr char kSessionSql[] =
    "SELECT s.principal_id, (EXTRACT(EPOCH FROM s.expires_at) * 1000)::bigint, "
    "s.revoked_at IS NOT NULL, "
    "COALESCE(encode(s.seal, 'hex'), '') "
    "FROM sessions s WHERE s.token_hash = decode($1, 'hex')";
constexpr char kUnkeyedSessionSql[] =
    "SELECT principal_id FROM sessions WHERE token_hash = decode($1, 'hex') "
    "AND revoked_at IS NULL";
constexpr char kRevokeSessionSql[] =
    "UPDATE sessions SET revoked_at = now() "
    "WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL";
constexpr char kRevokeAllSql[] =
    "UPDATE sessions SET revoked_at = now() "
    "WHERE principal_id = $1 AND revoked_at IS NULL";
constexpr char kInsertAreaSql[] =
    "INSERT INTO areas (name, kind, municipality, demo, created_at) VALUES "
    "($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 "
    "millisecond' - CASE WHEN $4 THEN interval '731 days' ELSE interval "
    "'0' END) RETURNING id";
constexpr char kAreaTakenSql[] =
    "SELECT EXISTS (SELECT 1 FROM areas WHERE municipality = $1 AND name = $2)";
constexpr char kListAreasSql[] =
    "SELECT id, name, kind, municipality, demo FROM areas "
    "WHERE $2 OR id = ANY($1::bigint[]) ORDER BY id";

std::string PrincipalSeal(const PrincipalRow& p) {
  return common::ProcessRowSeal().Principal(p.id, p.login, p.role, p.status,
                                            p.password_hash, p.area_ids);
}

void WriteSeal(pqxx::transaction_base& tx, const PrincipalRow& p) {
  tx.exec_params0(kSealPrincipalSql, p.id, HexEncode(PrincipalSeal(p)));
}

void ReplaceAreas(pqxx::transaction_base& tx, int64_t principal_id,
                  const std::vector<int64_t>& area_ids) {
  tx.exec_params0(kDeleteAreasSql, principal_id);
  tx.exec_params0(kInsertAreasSql, principal_id, common::SqlArray(area_ids));
}

PrincipalRow PrincipalFromRow(const pqxx::row& row) {
  PrincipalRow p;
  p.id = row[0].as<int64_t>();
  p.login = row[1].as<std::string>();
  p.display_name = row[2].as<std::string>();
  p.role = row[3].as<std::string>();
  p.status = row[4].as<std::string>();
  for (absl::string_view id :
       absl::StrSplit(row[5].as<std::string>(), ',', absl::SkipEmpty())) {
    int64_t area = 0;
    if (absl::SimpleAtoi(id, &area)) p.area_ids.push_back(area);
  }
  p.password_hash = row[6].as<std::string>();
  p.failed_logins = row[7].as<int>();
  if (!row[8].is_null()) p.locked_until_ms = row[8].as<int64_t>();
  p.intact = common::RowSeal::Matches(
      PrincipalSeal(p),
      common::HexDecode(row[9].as<std::string>()).value_or(""));
  return p;
}

kvo::v1::AreaKind AreaKindFromName(const std::string& kind) {
  return kind == "business_park" ? kvo::v1::AREA_KIND_BUSINESS_PARK
                                 : kvo::v1::AREA_KIND_SHOPPING_AREA;
}

}  // namespace

std::string PgIdentityStore::TokenHash(absl::string_view token) {
  return common::ProcessRowSeal().SecretHash("session", token);
}

std::string PgIdentityStore::CodeHash(absl::string_view normalized_code) {
  return common::ProcessRowSeal().SecretHash("code", normalized_code);
}

bool PgIdentityStore::AnyAdmin(Tx& tx) {
  return tx.exec1(kAnyAdminSql)[0].as<bool>();
}

int64_t PgIdentityStore::InsertPrincipal(Tx& tx, const std::string& login,
                                         const std::string& display_name,
                                         const std::string& role,
                                         const std::string& status,
                                         const std::string& password_hash,
                                         int64_t created_by,
                                         const std::vector<int64_t>& area_ids) {
  PrincipalRow p;
  p.id = tx.exec_params1(kInsertPrincipalSql, login, display_name, role, status,
                         password_hash, created_by)[0]
             .as<int64_t>();
  p.login = login;
  p.role = role;
  p.status = status;
  p.password_hash = password_hash;
  p.area_ids = area_ids;
  if (!area_ids.empty()) ReplaceAreas(tx, p.id, area_ids);
  WriteSeal(tx, p);
  return p.id;
}

bool PgIdentityStore::LoginTaken(Tx& tx, const std::string& login) {
  return tx.exec_params1(kLoginTakenSql, login)[0].as<bool>();
}

std::vector<int64_t> PgIdentityStore::MissingAreas(
    Tx& tx, const std::vector<int64_t>& area_ids) {
  std::vector<int64_t> missing;
  for (const auto& row :
       tx.exec_params(kMissingAreasSql, common::SqlArray(area_ids))) {
    missing.push_back(row[0].as<int64_t>());
  }
  return missing;
}

std::optional<PrincipalRow> PgIdentityStore::PrincipalById(Tx& tx, int64_t id) {
  pqxx::result r =
      tx.exec_params(absl::StrCat(kPrincipalSelect, "WHERE p.id = $1"), id);
  if (r.empty()) return std::nullopt;
  return PrincipalFromRow(r[0]);
}

std::vector<PrincipalRow> PgIdentityStore::PrincipalsByIds(
    Tx& tx, const std::vector<int64_t>& ids) {
  std::vector<PrincipalRow> out;
  if (ids.empty()) return out;
  for (const auto& row : tx.exec_params(
           absl::StrCat(kPrincipalSelect, "WHERE p.id = ANY($1::bigint[])"),
           common::SqlArray(ids))) {
    out.push_back(PrincipalFromRow(row));
  }
  return out;
}

std::optional<PrincipalRow> PgIdentityStore::PrincipalByIdForUpdate(
    Tx& tx, int64_t id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat(kPrincipalSelect, "WHERE p.id = $1 FOR UPDATE OF p"), id);
  if (r.empty()) return std::nullopt;
  return PrincipalFromRow(r[0]);
}

std::optional<PrincipalRow> PgIdentityStore::PrincipalByLogin(
    Tx& tx, const std::string& login) {
  pqxx::result r = tx.exec_params(
      absl::StrCat(kPrincipalSelect, "WHERE p.login = $1"), login);
  if (r.empty()) return std::nullopt;
  return PrincipalFromRow(r[0]);
}

std::optional<PrincipalRow> PgIdentityStore::PrincipalByLoginForUpdate(
    Tx& tx, const std::string& login) {
  pqxx::result r = tx.exec_params(
      absl::StrCat(kPrincipalSelect, "WHERE p.login = $1 FOR UPDATE OF p"),
      login);
  if (r.empty()) return std::nullopt;
  return PrincipalFromRow(r[0]);
}

std::vector<PrincipalRow> PgIdentityStore::ListPrincipals(Tx& tx,
                                                          int64_t area_id) {
  std::vector<PrincipalRow> out;
  pqxx::result r = tx.exec_params(
      absl::StrCat(kPrincipalSelect,
                   "WHERE $1 = 0 OR EXISTS (SELECT 1 FROM principal_areas pa "
                   "WHERE pa.principal_id = p.id AND pa.area_id = $1) "
                   "ORDER BY p.id"),
      area_id);
  for (const auto& row : r) out.push_back(PrincipalFromRow(row));
  return out;
}

void PgIdentityStore::SetStatus(Tx& tx, const PrincipalRow& row,
                                const std::string& status) {
  PrincipalRow changed = row;
  changed.status = status;
  tx.exec_params0(kSetStatusSql, row.id, status,
                  HexEncode(PrincipalSeal(changed)));
}

void PgIdentityStore::Activate(Tx& tx, const PrincipalRow& row,
                               const std::string& password_hash) {
  PrincipalRow changed = row;
  changed.status = "active";
  changed.password_hash = password_hash;
  tx.exec_params0(kActivateSql, row.id, password_hash,
                  HexEncode(PrincipalSeal(changed)));
}

void PgIdentityStore::RecordFailedLogin(
    Tx& tx, int64_t id, int failures,
    std::optional<std::chrono::minutes> lock_for, int64_t now_ms) {
  tx.exec_params0(
      kFailedLoginSql, id,
      lock_for.has_value() ? static_cast<int>(lock_for->count()) : 0, failures,
      now_ms);
}

void PgIdentityStore::ResetPassword(Tx& tx, const PrincipalRow& row) {
  PrincipalRow changed = row;
  changed.status = "pending";
  changed.password_hash.clear();
  tx.exec_params0(kResetPasswordSql, row.id, HexEncode(PrincipalSeal(changed)));
}

bool PgIdentityStore::AnyPrincipalSealed(Tx& tx) {
  return tx.exec1(kAnySealedSql)[0].as<bool>();
}

bool PgIdentityStore::SealKeyFits(Tx& tx) {
  pqxx::result r = tx.exec(absl::StrCat(
      kPrincipalSelect, "WHERE p.seal IS NOT NULL ORDER BY p.id LIMIT 20"));
  if (r.empty()) return true;
  for (const auto& row : r) {
    if (PrincipalFromRow(row).intact) return true;
  }
  return false;
}

int64_t PgIdentityStore::SealUnsealed(Tx& tx) {
  int64_t n = 0;
  for (const auto& row : tx.exec(absl::StrCat(
           kPrincipalSelect, "WHERE p.seal IS NULL FOR UPDATE OF p"))) {
    WriteSeal(tx, PrincipalFromRow(row));
    ++n;
  }
  tx.exec0(kEndUnsealedSessionsSql);
  return n;
}

void PgIdentityStore::ExpireCodesOf(Tx& tx, int64_t principal_id,
                                    int64_t now_ms) {
  tx.exec_params0(kExpirePrincipalCodesSql, principal_id, now_ms);
}

void PgIdentityStore::ExpireBootstrapCodes(Tx& tx, int64_t now_ms) {
  tx.exec_params0(kExpireBootstrapCodesSql, now_ms);
}

void PgIdentityStore::ResetFailedLogins(Tx& tx, int64_t id) {
  tx.exec_params0(kResetFailedSql, id);
}

void PgIdentityStore::InsertCode(Tx& tx, const std::string& code_hash,
                                 const std::string& kind,
                                 std::optional<int64_t> principal_id,
                                 std::chrono::hours valid_for, int64_t now_ms) {
  tx.exec_params0(kInsertCodeSql, HexEncode(code_hash), kind,
                  principal_id.value_or(0), static_cast<int>(valid_for.count()),
                  now_ms);
}

std::optional<CodeRow> PgIdentityStore::CodeForUpdate(
    Tx& tx, const std::string& code_hash) {
  pqxx::result r = tx.exec_params(kCodeSql, HexEncode(code_hash));
  if (r.empty()) return std::nullopt;
  CodeRow code;
  code.kind = r[0][0].as<std::string>();
  const int64_t principal = r[0][1].as<int64_t>();
  if (principal != 0) code.principal_id = principal;
  code.expires_at_ms = r[0][2].as<int64_t>();
  code.used = r[0][3].as<bool>();
  return code;
}

void PgIdentityStore::MarkCodeUsed(Tx& tx, const std::string& code_hash) {
  tx.exec_params0(kUseCodeSql, HexEncode(code_hash));
}

void PgIdentityStore::InsertSession(Tx& tx, const std::string& token_hash,
                                    int64_t principal_id, int64_t expires_ms) {
  tx.exec_params0(kInsertSessionSql, HexEncode(token_hash), principal_id,
                  expires_ms,
                  HexEncode(common::ProcessRowSeal().Session(
                      token_hash, principal_id, expires_ms)));
}

std::optional<SessionRow> PgIdentityStore::Session(
    Tx& tx, const std::string& token_hash) {
  pqxx::result r = tx.exec_params(kSessionSql, HexEncode(token_hash));
  if (r.empty()) return std::nullopt;
  auto principal = PrincipalById(tx, r[0][0].as<int64_t>());
  if (!principal.has_value()) return std::nullopt;
  SessionRow s;
  s.principal = std::move(*principal);
  s.expires_at_ms = r[0][1].as<int64_t>();
  s.revoked = r[0][2].as<bool>();
  s.intact = common::RowSeal::Matches(
      common::ProcessRowSeal().Session(token_hash, s.principal.id,
                                       s.expires_at_ms),
      common::HexDecode(r[0][3].as<std::string>()).value_or(""));
  return s;
}

std::optional<int64_t> PgIdentityStore::UnkeyedSessionPrincipal(
    Tx& tx, const std::string& sha256_hash) {
  pqxx::result r = tx.exec_params(kUnkeyedSessionSql, HexEncode(sha256_hash));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

void PgIdentityStore::RevokeSession(Tx& tx, const std::string& token_hash) {
  tx.exec_params0(kRevokeSessionSql, HexEncode(token_hash));
}

void PgIdentityStore::RevokeAllSessions(Tx& tx, int64_t principal_id) {
  tx.exec_params0(kRevokeAllSql, principal_id);
}

int64_t PgIdentityStore::InsertArea(Tx& tx, const std::string& name,
                                    const std::string& kind,
                                    const std::string& municipality, bool demo,
                                    int64_t now_ms) {
  return tx
      .exec_params1(kInsertAreaSql, name, kind, municipality, demo, now_ms)[0]
      .as<int64_t>();
}

bool PgIdentityStore::AreaNameTaken(Tx& tx, const std::string& municipality,
                                    const std::string& name) {
  return tx.exec_params1(kAreaTakenSql, municipality, name)[0].as<bool>();
}

std::vector<kvo::v1::Area> PgIdentityStore::ListAreas(
    Tx& tx, const std::vector<int64_t>& only, bool all) {
  std::vector<kvo::v1::Area> out;
  for (const auto& row :
       tx.exec_params(kListAreasSql, common::SqlArray(only), all)) {
    kvo::v1::Area area;
    area.set_id(row[0].as<int64_t>());
    area.set_name(row[1].as<std::string>());
    area.set_kind(AreaKindFromName(row[2].as<std::string>()));
    area.set_municipality(row[3].as<std::string>());
    area.set_demo(row[4].as<bool>());
    out.push_back(std::move(area));
  }
  return out;
}

}  // namespace kvo::identity
