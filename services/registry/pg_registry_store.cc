#include "services/registry/pg_registry_store.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "services/common/local_time.h"
#include "services/common/row_seal.h"
#include "services/common/sql_values.h"

namespace kvo::registry {
namespace {

using common::HexDecode;
using common::HexEncode;

// Keys an older kvod kept in this database (see V009__key_store.sql).
constexpr char kLegacyKeksSql[] =
    "SELECT version, encode(wrapped_key, 'hex') FROM key_encryption_keys";
constexpr char kLegacyDataKeysSql[] =
    "SELECT id, kek_version, encode(wrapped_dek, 'hex') FROM persons "
    "WHERE wrapped_dek IS NOT NULL ORDER BY id";
constexpr char kForgetLegacyDataKeysSql[] =
    "UPDATE persons SET wrapped_dek = NULL, kek_version = NULL "
    "WHERE wrapped_dek IS NOT NULL";
constexpr char kForgetLegacyKeksSql[] = "DELETE FROM key_encryption_keys";

constexpr char kInsertShopSql[] =
    "INSERT INTO shops (area_id, name) VALUES ($1, $2) "
    "ON CONFLICT (area_id, name) DO NOTHING RETURNING id";
#define KVO_SHOP_COLUMNS                                                    \
  "s.id, s.area_id, s.name, COALESCE((SELECT string_agg("                   \
  "m.principal_id::text, ',' ORDER BY m.principal_id) FROM shop_members m " \
  "WHERE m.shop_id = s.id), ''), "                                          \
  "(SELECT " KVO_TS("a.created_at") " FROM areas a WHERE a.id = s.area_id)"
constexpr char kShopColumns[] = "SELECT " KVO_SHOP_COLUMNS " FROM shops s ";
// A principal's shops with their membership's seal: one statement.
constexpr char kMemberShopsSql[] =
    "SELECT " KVO_SHOP_COLUMNS
    ", COALESCE(encode(mm.seal, 'hex'), '') "
    "FROM shop_members mm JOIN shops s ON s.id = mm.shop_id "
    "WHERE mm.principal_id = $1 ORDER BY s.id";
constexpr char kAreaJoinedAtSql[] =
    "SELECT " KVO_TS("created_at") " FROM areas WHERE id = $1";
// kvod's own adding seals the pair, even over a row someone put there.
constexpr char kAddMemberSql[] =
    "INSERT INTO shop_members (shop_id, principal_id, seal) VALUES ($1, $2, "
    "decode($3, 'hex')) ON CONFLICT (shop_id, principal_id) DO UPDATE SET "
    "seal = EXCLUDED.seal";
constexpr char kIsMemberSql[] =
    "SELECT COALESCE(encode(seal, 'hex'), '') FROM shop_members "
    "WHERE shop_id = $1 AND principal_id = $2";
constexpr char kShopsOfPrincipalSql[] =
    "SELECT shop_id, COALESCE(encode(seal, 'hex'), '') FROM shop_members "
    "WHERE principal_id = $1 ORDER BY shop_id";
constexpr char kUnsealedMembersSql[] =
    "SELECT shop_id, principal_id FROM shop_members WHERE seal IS NULL "
    "FOR UPDATE";
constexpr char kSealMemberSql[] =
    "UPDATE shop_members SET seal = decode($3, 'hex') "
    "WHERE shop_id = $1 AND principal_id = $2";

constexpr char kInsertPersonSql[] =
    "INSERT INTO persons (pseudonym, blind_index, registered_area_id, "
    "created_by, created_at) VALUES ($1, decode($2, 'hex'), $3, "
    "NULLIF($4::bigint, 0), "
    "to_timestamp(0) + $5::bigint * interval '1 microsecond') RETURNING id";
constexpr char kInsertFieldSql[] =
    "INSERT INTO person_fields (person_id, field, sealed) "
    "VALUES ($1, $2, decode($3, 'hex'))";
constexpr char kUpsertFieldSql[] =
    "INSERT INTO person_fields (person_id, field, sealed) "
    "VALUES ($1, $2, decode($3, 'hex')) ON CONFLICT (person_id, field) "
    "DO UPDATE SET sealed = EXCLUDED.sealed";
constexpr char kDeleteFieldSql[] =
    "DELETE FROM person_fields WHERE person_id = $1 AND field = $2";
constexpr char kSetBlindIndexSql[] =
    "UPDATE persons SET blind_index = decode($2, 'hex') WHERE id = $1 AND "
    "erased_at IS NULL";
constexpr char kPersonColumns[] =
    "SELECT id, pseudonym, erased_at IS NOT NULL, registered_area_id "
    "FROM persons ";
constexpr char kPersonFieldsSql[] =
    "SELECT field, encode(sealed, 'hex') FROM person_fields "
    "WHERE person_id = $1 AND field = ANY(string_to_array($2, ','))";
constexpr char kPersonAreasSql[] =
    "SELECT registered_area_id FROM persons WHERE id = $1 "
    "UNION SELECT i.area_id FROM incidents i JOIN incident_persons ip "
    "ON ip.incident_id = i.id WHERE ip.person_id = $1 "
    "UNION SELECT area_id FROM cards WHERE person_id = $1";

constexpr char kLinkIncidentSql[] =
    "INSERT INTO incident_persons (incident_id, person_id, sealed_description, "
    "sealed_report_number) VALUES ($1, $2, decode($3, 'hex'), "
    "decode($4, 'hex'))";
constexpr char kSetPoliceReportSql[] =
    "WITH link AS (UPDATE incident_persons SET sealed_report_number = "
    "decode($2, 'hex') WHERE incident_id = $1) "
    "UPDATE incidents SET has_police_report = true WHERE id = $1";
#define KVO_INCIDENT_SELECT \
  "SELECT i.id, i.area_id, i.shop_id, " KVO_TS("i.occurred_at") ", " \
  "i.offence_type, i.damage_cents, i.has_police_report, "            \
  "COALESCE(i.reported_by, 0), ip.person_id, "                       \
  "encode(ip.sealed_description, 'hex'), "                           \
  "encode(ip.sealed_report_number, 'hex')"
constexpr char kIncidentColumns[] = KVO_INCIDENT_SELECT
    " FROM incidents i JOIN incident_persons ip ON ip.incident_id = i.id ";
// The incident and its person, the person locked (IssueCard's first
// statement): one round trip instead of a read and a lock.
constexpr int kIncidentWidth = 11;
constexpr char kIncidentForCardSql[] = KVO_INCIDENT_SELECT
    ", p.id, p.pseudonym, p.erased_at IS NOT NULL, p.registered_area_id "
    "FROM incidents i JOIN incident_persons ip ON ip.incident_id = i.id "
    "JOIN persons p ON p.id = ip.person_id WHERE i.id = $1 FOR UPDATE OF p";
// An area's incidents for a list: the person's link is left out once the
// person was erased (the facts stay); newest first, keyset paging on
// (occurred_at, id), which incidents_by_area_time serves.
constexpr char kIncidentsOfAreaSql[] =
    "SELECT i.id, i.area_id, i.shop_id, " KVO_TS("i.occurred_at") ", "
    "i.offence_type, i.damage_cents, i.has_police_report, "
    "COALESCE(i.reported_by, 0), COALESCE(ip.person_id, 0), "
    "COALESCE(encode(ip.sealed_description, 'hex'), ''), "
    "COALESCE(encode(ip.sealed_report_number, 'hex'), '') "
    "FROM incidents i LEFT JOIN incident_persons ip ON ip.incident_id = i.id "
    "WHERE i.area_id = $1 AND ($2::bigint = 0 OR i.shop_id = $2) "
    "AND ($3::bigint = 0 OR ip.person_id = $3) "
    "AND (NOT $4::boolean OR i.shop_id = ANY($5::bigint[])) "
    "AND i.occurred_at >= to_timestamp(0) + $6::bigint * interval '1 "
    "microsecond' AND i.occurred_at < to_timestamp(0) + $7::bigint * "
    "interval '1 microsecond' AND (i.occurred_at, i.id) < (to_timestamp(0) + "
    "$8::bigint * interval '1 microsecond', $9::bigint) "
    "ORDER BY i.occurred_at DESC, i.id DESC LIMIT $10";
#undef KVO_INCIDENT_SELECT

constexpr char kCardColumns[] =
    "SELECT id, person_id, incident_id, area_id, shop_id, kind, " KVO_TS(
        "valid_from") ", " KVO_TS("valid_until") ", days, rule, shops, "
    "COALESCE(issued_by, 0), revoked_at IS NOT NULL, "
    "COALESCE(revoke_reason, '') FROM cards ";
// What a card decision reads, in one round trip (the most frequent write
// of the registry): the person's cards in the area (the card columns, tag
// 'card'), their other offences there (occurred_at in valid_from, whether
// its card was revoked in revoked; tag 'offence'), the area's shops (id
// and name in rule; tag 'shop') and the person's sealed fields named in $4
// (name in rule, hex in shops; tag 'field'). Each branch starts from its own
// index
// ($1's incident links, not the area's incidents; OFFSET 0 keeps the
// lookup per link), so the plan does not depend on statistics.
constexpr char kCardHistorySql[] =
    "SELECT id, person_id, incident_id, area_id, shop_id, kind, " KVO_TS(
        "valid_from") ", " KVO_TS("valid_until") ", days, rule, shops, "
    "COALESCE(issued_by, 0), revoked_at IS NOT NULL, "
    "COALESCE(revoke_reason, ''), 'card' FROM cards "
    "WHERE person_id = $1 AND area_id = $2 "
    "UNION ALL SELECT 0, 0, 0, 0, 0, '', o.at, 0, 0, '', '', 0, o.revoked, "
    "'', 'offence' FROM incident_persons ip CROSS JOIN LATERAL (SELECT " KVO_TS(
        "i.occurred_at") " AS at, EXISTS (SELECT 1 FROM cards c WHERE "
    "c.incident_id = i.id AND c.revoked_at IS NOT NULL) AS revoked FROM "
    "incidents i WHERE i.id = ip.incident_id AND i.area_id = $2 AND i.id <> "
    "$3 OFFSET 0) o WHERE ip.person_id = $1 "
    "UNION ALL SELECT s.id, 0, 0, 0, 0, '', 0, 0, 0, s.name, '', 0, false, "
    "'', 'shop' FROM shops s WHERE s.area_id = $2 "
    "UNION ALL SELECT 0, 0, 0, 0, 0, '', 0, 0, 0, f.field, encode(f.sealed, "
    "'hex'), 0, false, '', 'field' FROM person_fields f "
    "WHERE f.person_id = $1 AND f.field = ANY(string_to_array($4, ','))";

constexpr char kRevokeSql[] =
    "UPDATE cards SET revoked_at = to_timestamp(0) + $4::bigint * "
    "interval '1 microsecond', revoked_by = $2, revoke_reason = $3 "
    "WHERE id = $1 AND revoked_at IS NULL";

// revoked_by 0: the retention job, no principal.
// Every card not yet revoked, ended or not: the door drops what it still
// shows (its clock and the retention job's may differ), and nothing of an
// erased person stays "in force" anywhere.
constexpr char kRevokeAllSql[] =
    "UPDATE cards SET revoked_at = to_timestamp(0) + $4::bigint * "
    "interval '1 microsecond', revoked_by = NULLIF($2::bigint, 0), "
    "revoke_reason = $3 "
    "WHERE person_id = $1 AND revoked_at IS NULL RETURNING id";
// The blind index goes with the data: name + date of birth must no longer
// find the record. The data key goes in the key store once this committed.
constexpr char kEraseKeySql[] =
    "UPDATE persons SET erased_at = now(), blind_index = NULL WHERE id = $1";
constexpr char kKeysNotShreddedSql[] =
    "SELECT id FROM persons WHERE erased_at IS NOT NULL AND key_shredded_at "
    "IS NULL ORDER BY id LIMIT 10000";
constexpr char kMarkShreddedSql[] =
    "UPDATE persons SET key_shredded_at = now() WHERE id = "
    "ANY($1::bigint[]) AND erased_at IS NOT NULL";
constexpr char kEraseFieldsSql[] =
    "DELETE FROM person_fields WHERE person_id = $1";
constexpr char kNotErasedAmongSql[] =
    "SELECT id FROM persons WHERE id = ANY($1::bigint[]) AND erased_at IS "
    "NULL ORDER BY id";
constexpr char kErasedShreddedSql[] =
    "SELECT id FROM persons WHERE erased_at IS NOT NULL AND key_shredded_at "
    "IS NOT NULL ORDER BY id";

// Retention. A card ends at its valid_until or when revoked, whichever is
// first; $2 is retention.card_grace_days.
#define KVO_CARD_END "LEAST(c.valid_until, c.revoked_at)"
#define KVO_NOW "(to_timestamp(0) + $1::bigint * interval '1 microsecond')"
#define KVO_GRACE "make_interval(days => $2)"
constexpr char kCardsDueSql[] =
    "SELECT c.id, p.pseudonym FROM cards c JOIN persons p ON p.id = "
    "c.person_id WHERE c.retained_at IS NULL AND " KVO_CARD_END " + " KVO_GRACE
    " <= " KVO_NOW " ORDER BY c.id";
constexpr char kRetainCardsSql[] =
    "UPDATE cards c SET retained_at = " KVO_NOW
    ", revoke_reason = NULL "
    "FROM persons p WHERE p.id = c.person_id AND c.retained_at IS NULL "
    "AND " KVO_CARD_END " + " KVO_GRACE " <= " KVO_NOW
    " RETURNING c.id, p.pseudonym";
constexpr char kNextCardDueSql[] =
    "SELECT " KVO_TS("MIN(" KVO_CARD_END " + " KVO_GRACE ")") " FROM cards c "
    "WHERE c.retained_at IS NULL AND " KVO_CARD_END " + " KVO_GRACE " > "
    KVO_NOW;
// What the person retention rule (person_retention_rules.h) decides on,
// per person with data: registration, the last card's end, the last
// incident (occurred or recorded, the later) and whether an objection is
// open. $1: one person only (0: all); the re-check under the person's row
// lock.
constexpr char kPersonRetentionSql[] =
    "SELECT p.id, p.pseudonym, " KVO_TS("p.created_at") ", "
    "(SELECT " KVO_TS("MAX(" KVO_CARD_END ")") " FROM cards c WHERE "
    "c.person_id = p.id), (SELECT " KVO_TS(
        "MAX(GREATEST(i.occurred_at, i.created_at))") " FROM incident_persons "
    "ip JOIN incidents i ON i.id = ip.incident_id WHERE ip.person_id = p.id), "
    "EXISTS (SELECT 1 FROM objections o JOIN cards c ON c.id = o.card_id "
    "WHERE c.person_id = p.id AND o.decision IS NULL) FROM persons p WHERE "
    "p.erased_at IS NULL AND ($1::bigint = 0 OR p.id = $1) ORDER BY p.id";
// An erased person's incidents keep their facts (the incidents row) and
// lose the link and the sealed texts (the incident_persons row).
constexpr char kErasedLinksSql[] =
    "SELECT ip.incident_id, p.pseudonym FROM incident_persons ip JOIN "
    "persons p ON p.id = ip.person_id WHERE p.erased_at IS NOT NULL "
    "ORDER BY ip.incident_id";
constexpr char kUnlinkErasedSql[] =
    "DELETE FROM incident_persons ip USING persons p WHERE p.id = "
    "ip.person_id AND p.erased_at IS NOT NULL RETURNING ip.incident_id, "
    "p.pseudonym";
#undef KVO_CARD_END
#undef KVO_NOW
#undef KVO_GRACE

constexpr char kInsertObjectionSql[] =
    "INSERT INTO objections (card_id, sealed_grounds, filed_by, filed_at, "
    "respond_by) VALUES ($1, decode($2, 'hex'), $3, "
    "to_timestamp(0) + $4::bigint * interval '1 microsecond', "
    "to_timestamp(0) + $5::bigint * interval '1 microsecond') RETURNING id";
constexpr char kObjectionColumns[] =
    "SELECT o.id, o.card_id, c.person_id, c.area_id, "
    "encode(o.sealed_grounds, 'hex'), " KVO_TS("o.filed_at") ", " KVO_TS(
        "o.respond_by") ", COALESCE(o.decision, ''), "
    "encode(o.sealed_reasons, 'hex'), " KVO_TS("o.decided_at") " "
    "FROM objections o JOIN cards c ON c.id = o.card_id ";
constexpr char kDecideSql[] =
    "UPDATE objections SET decision = $2, sealed_reasons = decode($3, 'hex'), "
    "decided_by = $4, decided_at = to_timestamp(0) + $5::bigint * "
    "interval '1 microsecond' WHERE id = $1";

std::string FromMicros(int n) { return common::SqlTimeParam(n); }
std::string Bytes(const pqxx::field& f) { return common::SqlBytes(f); }
absl::Time Micros(const pqxx::field& f) { return common::SqlMicros(f); }

std::vector<int64_t> Ids(const std::string& csv) {
  std::vector<int64_t> out;
  for (absl::string_view s : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    int64_t id = 0;
    if (absl::SimpleAtoi(s, &id)) out.push_back(id);
  }
  return out;
}

ShopRow ShopFrom(const pqxx::row& r) {
  return ShopRow{r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<std::string>(),
                 Ids(r[3].as<std::string>()), Micros(r[4])};
}

// The person columns from column `at` on.
PersonRow PersonFromColumn(const pqxx::row& r, int at) {
  PersonRow p;
  p.id = r[at].as<int64_t>();
  p.pseudonym = r[at + 1].as<std::string>();
  p.erased = r[at + 2].as<bool>();
  p.registered_area_id = r[at + 3].as<int64_t>();
  return p;
}

PersonRow PersonFrom(const pqxx::row& r) { return PersonFromColumn(r, 0); }

IncidentRow IncidentFrom(const pqxx::row& r) {
  IncidentRow i;
  i.id = r[0].as<int64_t>();
  i.area_id = r[1].as<int64_t>();
  i.shop_id = r[2].as<int64_t>();
  i.occurred_at = Micros(r[3]);
  i.offence_type = r[4].as<std::string>();
  i.damage_cents = r[5].as<int64_t>();
  i.has_police_report = r[6].as<bool>();
  i.reported_by = r[7].as<int64_t>();
  i.person_id = r[8].as<int64_t>();
  i.sealed_description = Bytes(r[9]);
  i.sealed_report_number = Bytes(r[10]);
  return i;
}

CardRow CardFrom(const pqxx::row& r) {
  CardRow c;
  c.id = r[0].as<int64_t>();
  c.person_id = r[1].as<int64_t>();
  c.incident_id = r[2].as<int64_t>();
  c.area_id = r[3].as<int64_t>();
  c.shop_id = r[4].as<int64_t>();
  c.kind = r[5].as<std::string>();
  c.valid_from = Micros(r[6]);
  c.valid_until = Micros(r[7]);
  c.days = r[8].as<int32_t>();
  c.rule = r[9].as<std::string>();
  c.shops = absl::StrSplit(r[10].as<std::string>(), '\n', absl::SkipEmpty());
  c.issued_by = r[11].as<int64_t>();
  c.revoked = r[12].as<bool>();
  c.revoke_reason = r[13].as<std::string>();
  return c;
}

ObjectionRow ObjectionFrom(const pqxx::row& r) {
  ObjectionRow o;
  o.id = r[0].as<int64_t>();
  o.card_id = r[1].as<int64_t>();
  o.person_id = r[2].as<int64_t>();
  o.area_id = r[3].as<int64_t>();
  o.sealed_grounds = Bytes(r[4]);
  o.filed_at = Micros(r[5]);
  o.respond_by = Micros(r[6]);
  o.decision = r[7].as<std::string>();
  if (!r[8].is_null()) o.sealed_reasons = Bytes(r[8]);
  if (!r[9].is_null()) o.decided_at = Micros(r[9]);
  return o;
}

template <typename Row, typename Fn>
std::vector<Row> All(const pqxx::result& result, Fn from) {
  std::vector<Row> out;
  out.reserve(result.size());
  for (const auto& r : result) out.push_back(from(r));
  return out;
}

template <typename Row, typename Fn>
std::optional<Row> First(const pqxx::result& result, Fn from) {
  if (result.empty()) return std::nullopt;
  return from(result[0]);
}

// A membership row kvod sealed: `seal` is its stored seal (hex).
bool MemberIntact(int64_t shop_id, int64_t principal_id,
                  const pqxx::field& seal) {
  return common::RowSeal::Matches(
      common::ProcessRowSeal().ShopMember(shop_id, principal_id),
      HexDecode(seal.as<std::string>()).value_or(""));
}

}  // namespace

LegacyKeys PgRegistryStore::ReadLegacyKeys(Tx& tx) {
  LegacyKeys out;
  for (const auto& r : tx.exec(kLegacyKeksSql)) {
    out.keks[r[0].as<int32_t>()] = Bytes(r[1]);
  }
  for (const auto& r : tx.exec(kLegacyDataKeysSql)) {
    out.data_keys.push_back(
        {r[0].as<int64_t>(), r[1].as<int32_t>(), Bytes(r[2])});
  }
  return out;
}

void PgRegistryStore::ForgetLegacyKeys(Tx& tx) {
  tx.exec0(kForgetLegacyDataKeysSql);
  tx.exec0(kForgetLegacyKeksSql);
}

std::vector<int64_t> PgRegistryStore::KeysNotShredded(Tx& tx) {
  return All<int64_t>(common::ExecPrepared(tx, kKeysNotShreddedSql),
                      [](const pqxx::row& r) { return r[0].as<int64_t>(); });
}

void PgRegistryStore::MarkKeysShredded(Tx& tx,
                                       const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  common::ExecPrepared(tx, kMarkShreddedSql, common::SqlArray(ids));
}

std::vector<int64_t> PgRegistryStore::NotErasedAmong(
    Tx& tx, const std::vector<int64_t>& ids) {
  return All<int64_t>(tx.exec_params(kNotErasedAmongSql, common::SqlArray(ids)),
                      [](const pqxx::row& r) { return r[0].as<int64_t>(); });
}

std::vector<int64_t> PgRegistryStore::ErasedWithKeyShredded(Tx& tx) {
  return All<int64_t>(tx.exec(kErasedShreddedSql),
                      [](const pqxx::row& r) { return r[0].as<int64_t>(); });
}

std::optional<int64_t> PgRegistryStore::InsertShop(Tx& tx, int64_t area_id,
                                                   const std::string& name) {
  pqxx::result r = common::ExecPrepared(tx, kInsertShopSql, area_id, name);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

std::optional<ShopRow> PgRegistryStore::ShopById(Tx& tx, int64_t id) {
  return First<ShopRow>(
      common::ExecPrepared(tx, std::string(kShopColumns) + "WHERE s.id = $1",
                           id),
      ShopFrom);
}

std::vector<ShopRow> PgRegistryStore::ShopsOfArea(Tx& tx, int64_t area_id) {
  return All<ShopRow>(
      common::ExecPrepared(
          tx,
          std::string(kShopColumns) + "WHERE s.area_id = $1 ORDER BY s.name",
          area_id),
      ShopFrom);
}

void PgRegistryStore::AddShopMember(Tx& tx, int64_t shop_id,
                                    int64_t principal_id) {
  common::ExecPrepared(
      tx, kAddMemberSql, shop_id, principal_id,
      HexEncode(common::ProcessRowSeal().ShopMember(shop_id, principal_id)));
}

bool PgRegistryStore::IsShopMember(Tx& tx, int64_t shop_id,
                                   int64_t principal_id) {
  pqxx::result r =
      common::ExecPrepared(tx, kIsMemberSql, shop_id, principal_id);
  return !r.empty() && MemberIntact(shop_id, principal_id, r[0][0]);
}

std::vector<int64_t> PgRegistryStore::ShopsOfPrincipal(
    Tx& tx, int64_t principal_id, std::vector<int64_t>* altered) {
  std::vector<int64_t> out;
  for (const auto& r :
       common::ExecPrepared(tx, kShopsOfPrincipalSql, principal_id)) {
    const int64_t shop = r[0].as<int64_t>();
    if (MemberIntact(shop, principal_id, r[1])) {
      out.push_back(shop);
    } else if (altered != nullptr) {
      altered->push_back(shop);
    }
  }
  return out;
}

std::vector<ShopRow> PgRegistryStore::MemberShops(Tx& tx,
                                                  int64_t principal_id) {
  std::vector<ShopRow> out;
  for (const auto& r :
       common::ExecPrepared(tx, kMemberShopsSql, principal_id)) {
    if (MemberIntact(r[0].as<int64_t>(), principal_id, r[5])) {
      out.push_back(ShopFrom(r));
    }
  }
  return out;
}

int64_t PgRegistryStore::SealUnsealedMembers(Tx& tx) {
  int64_t n = 0;
  for (const auto& r : tx.exec(kUnsealedMembersSql)) {
    const int64_t shop = r[0].as<int64_t>();
    const int64_t principal = r[1].as<int64_t>();
    tx.exec_params0(
        kSealMemberSql, shop, principal,
        HexEncode(common::ProcessRowSeal().ShopMember(shop, principal)));
    ++n;
  }
  return n;
}

int64_t PgRegistryStore::InsertPerson(Tx& tx, const std::string& pseudonym,
                                      const std::string& blind_index,
                                      int64_t area_id, int64_t created_by,
                                      absl::Time created_at) {
  return common::ExecPrepared1(tx, kInsertPersonSql, pseudonym,
                               HexEncode(blind_index), area_id, created_by,
                               absl::ToUnixMicros(created_at))[0]
      .as<int64_t>();
}

void PgRegistryStore::InsertPersonField(Tx& tx, int64_t person_id,
                                        const std::string& field,
                                        const std::string& sealed) {
  common::ExecPrepared(tx, kInsertFieldSql, person_id, field,
                       HexEncode(sealed));
}

std::optional<PersonRow> PgRegistryStore::PersonById(Tx& tx, int64_t id) {
  return First<PersonRow>(
      common::ExecPrepared(tx, std::string(kPersonColumns) + "WHERE id = $1",
                           id),
      PersonFrom);
}

std::optional<PersonRow> PgRegistryStore::PersonForUpdate(Tx& tx, int64_t id) {
  return First<PersonRow>(
      common::ExecPrepared(
          tx, std::string(kPersonColumns) + "WHERE id = $1 FOR UPDATE", id),
      PersonFrom);
}

std::vector<PersonRow> PgRegistryStore::PersonsByBlindIndex(
    Tx& tx, const std::string& blind_index) {
  return All<PersonRow>(
      common::ExecPrepared(
          tx,
          std::string(kPersonColumns) +
              "WHERE blind_index = decode($1, 'hex') ORDER BY id",
          HexEncode(blind_index)),
      PersonFrom);
}

std::map<std::string, std::string> PgRegistryStore::PersonFields(
    Tx& tx, int64_t person_id, const std::vector<std::string>& fields) {
  std::map<std::string, std::string> out;
  for (const auto& r : common::ExecPrepared(tx, kPersonFieldsSql, person_id,
                                            absl::StrJoin(fields, ","))) {
    out[r[0].as<std::string>()] = Bytes(r[1]);
  }
  return out;
}

std::optional<PersonRow> PgRegistryStore::PersonByPseudonym(
    Tx& tx, const std::string& pseudonym) {
  return First<PersonRow>(
      common::ExecPrepared(
          tx, std::string(kPersonColumns) + "WHERE pseudonym = $1", pseudonym),
      PersonFrom);
}

void PgRegistryStore::UpsertPersonField(Tx& tx, int64_t person_id,
                                        const std::string& field,
                                        const std::string& sealed) {
  common::ExecPrepared(tx, kUpsertFieldSql, person_id, field,
                       HexEncode(sealed));
}

void PgRegistryStore::DeletePersonField(Tx& tx, int64_t person_id,
                                        const std::string& field) {
  common::ExecPrepared(tx, kDeleteFieldSql, person_id, field);
}

void PgRegistryStore::SetBlindIndex(Tx& tx, int64_t person_id,
                                    const std::string& blind_index) {
  common::ExecPrepared(tx, kSetBlindIndexSql, person_id,
                       HexEncode(blind_index));
}

std::vector<CardRow> PgRegistryStore::CardsOfPerson(Tx& tx, int64_t person_id) {
  return All<CardRow>(
      common::ExecPrepared(tx,
                           std::string(kCardColumns) +
                               "WHERE person_id = $1 ORDER BY valid_from "
                               "DESC, id DESC",
                           person_id),
      CardFrom);
}

std::vector<IncidentRow> PgRegistryStore::IncidentsOfPerson(Tx& tx,
                                                            int64_t person_id) {
  return All<IncidentRow>(
      common::ExecPrepared(tx,
                           std::string(kIncidentColumns) +
                               "WHERE ip.person_id = $1 ORDER BY "
                               "i.occurred_at DESC, i.id DESC",
                           person_id),
      IncidentFrom);
}

std::vector<ObjectionRow> PgRegistryStore::ObjectionsOfPerson(
    Tx& tx, int64_t person_id) {
  return All<ObjectionRow>(
      common::ExecPrepared(tx,
                           std::string(kObjectionColumns) +
                               "WHERE c.person_id = $1 ORDER BY o.filed_at "
                               "DESC, o.id DESC",
                           person_id),
      ObjectionFrom);
}

std::vector<int64_t> PgRegistryStore::PersonAreas(Tx& tx, int64_t person_id) {
  return All<int64_t>(common::ExecPrepared(tx, kPersonAreasSql, person_id),
                      [](const pqxx::row& r) { return r[0].as<int64_t>(); });
}

int64_t PgRegistryStore::InsertIncident(Tx& tx, const IncidentRow& i) {
  const std::string sql = absl::StrCat(
      "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
      "damage_cents, has_police_report, reported_by, created_at) VALUES ($1, "
      "$2, ",
      FromMicros(3), ", $4, $5, $6, NULLIF($7::bigint, 0), ", FromMicros(8),
      ") RETURNING id");
  return common::ExecPrepared1(
             tx, sql, i.area_id, i.shop_id, absl::ToUnixMicros(i.occurred_at),
             i.offence_type, i.damage_cents, i.has_police_report, i.reported_by,
             absl::ToUnixMicros(i.recorded_at))[0]
      .as<int64_t>();
}

void PgRegistryStore::LinkIncidentPerson(Tx& tx, int64_t incident_id,
                                         int64_t person_id,
                                         const std::string& sealed_description,
                                         const std::string& sealed_report) {
  common::ExecPrepared(tx, kLinkIncidentSql, incident_id, person_id,
                       HexEncode(sealed_description), HexEncode(sealed_report));
}

void PgRegistryStore::SetPoliceReport(Tx& tx, int64_t incident_id,
                                      const std::string& sealed_report) {
  common::ExecPrepared(tx, kSetPoliceReportSql, incident_id,
                       HexEncode(sealed_report));
}

std::optional<IncidentRow> PgRegistryStore::IncidentById(Tx& tx, int64_t id) {
  return First<IncidentRow>(
      common::ExecPrepared(
          tx, std::string(kIncidentColumns) + "WHERE i.id = $1", id),
      IncidentFrom);
}

std::vector<IncidentRow> PgRegistryStore::IncidentsOfArea(
    Tx& tx, const IncidentFilter& f) {
  const auto [after_time, after_id] = f.after.value_or(
      std::make_pair(f.until, std::numeric_limits<int64_t>::max()));
  return All<IncidentRow>(
      common::ExecPrepared(
          tx, kIncidentsOfAreaSql, f.area_id, f.shop_id, f.person_id,
          f.only_shops.has_value(),
          common::SqlArray(f.only_shops.value_or(std::vector<int64_t>{})),
          absl::ToUnixMicros(f.from), absl::ToUnixMicros(f.until),
          absl::ToUnixMicros(after_time), after_id, f.limit),
      IncidentFrom);
}

std::optional<std::pair<IncidentRow, PersonRow>>
PgRegistryStore::IncidentForCard(Tx& tx, int64_t incident_id) {
  const pqxx::result r =
      common::ExecPrepared(tx, kIncidentForCardSql, incident_id);
  if (r.empty()) return std::nullopt;
  return std::make_pair(IncidentFrom(r[0]),
                        PersonFromColumn(r[0], kIncidentWidth));
}

CardHistory PgRegistryStore::CardHistoryOf(
    Tx& tx, int64_t person_id, int64_t area_id, int64_t incident_id,
    const std::vector<std::string>& fields) {
  CardHistory out;
  for (const auto& r :
       common::ExecPrepared(tx, kCardHistorySql, person_id, area_id,
                            incident_id, absl::StrJoin(fields, ","))) {
    const std::string tag = r[14].as<std::string>();
    if (tag == "card") {
      out.cards.push_back(CardFrom(r));
    } else if (tag == "offence") {
      out.offences.push_back({Micros(r[6]), r[12].as<bool>()});
    } else if (tag == "field") {
      out.sealed_fields[r[9].as<std::string>()] = Bytes(r[10]);
    } else {
      out.shops.emplace_back(r[0].as<int64_t>(), r[9].as<std::string>());
    }
  }
  std::sort(out.cards.begin(), out.cards.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(out.offences.begin(), out.offences.end(),
            [](const auto& a, const auto& b) {
              return a.occurred_at < b.occurred_at;
            });
  std::sort(out.shops.begin(), out.shops.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

int64_t PgRegistryStore::InsertCard(Tx& tx, const CardRow& c) {
  const std::string sql = absl::StrCat(
      "INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, "
      "valid_from, valid_until, days, rule, shops, issued_by, escalated_from) "
      "VALUES ($1, $2, $3, $4, $5, ",
      FromMicros(6), ", ", FromMicros(7),
      ", $8, $9, $10, NULLIF($11::bigint, 0), NULLIF($12::bigint, 0)) "
      "RETURNING id");
  return common::ExecPrepared1(
             tx, sql, c.person_id, c.incident_id, c.area_id, c.shop_id, c.kind,
             absl::ToUnixMicros(c.valid_from),
             absl::ToUnixMicros(c.valid_until), c.days, c.rule,
             absl::StrJoin(c.shops, "\n"), c.issued_by, c.escalated_from)[0]
      .as<int64_t>();
}

std::optional<CardRow> PgRegistryStore::CardById(Tx& tx, int64_t id) {
  return First<CardRow>(
      common::ExecPrepared(tx, std::string(kCardColumns) + "WHERE id = $1", id),
      CardFrom);
}

std::vector<CardRow> PgRegistryStore::BansResting(Tx& tx, int64_t warning_id) {
  return All<CardRow>(
      common::ExecPrepared(tx,
                           std::string(kCardColumns) +
                               "WHERE escalated_from = $1 AND revoked_at IS "
                               "NULL ORDER BY id",
                           warning_id),
      CardFrom);
}

std::vector<CardRow> PgRegistryStore::CardsOfArea(Tx& tx, int64_t area_id,
                                                  bool include_inactive,
                                                  int64_t person_id,
                                                  absl::Time now) {
  const std::string sql = absl::StrCat(
      kCardColumns,
      "WHERE area_id = $1 AND ($2 OR (revoked_at IS NULL AND valid_from <= ",
      FromMicros(4), " AND valid_until > ", FromMicros(4),
      ")) AND ($3 = 0 OR person_id = $3) ORDER BY valid_until DESC, id");
  return All<CardRow>(common::ExecPrepared(tx, sql, area_id, include_inactive,
                                           person_id, absl::ToUnixMicros(now)),
                      CardFrom);
}

std::vector<CardRow> PgRegistryStore::OwnBansOfShop(Tx& tx, int64_t shop_id,
                                                    absl::Time now) {
  const std::string sql = absl::StrCat(
      kCardColumns,
      "WHERE shop_id = $1 AND kind = 'individual_ban' AND revoked_at IS NULL "
      "AND valid_until > ",
      FromMicros(2), " ORDER BY id");
  return All<CardRow>(
      common::ExecPrepared(tx, sql, shop_id, absl::ToUnixMicros(now)),
      CardFrom);
}

std::vector<CardRow> PgRegistryStore::RevokeCardsOfPerson(
    Tx& tx, int64_t person_id, int64_t revoked_by, const std::string& reason,
    absl::Time now) {
  std::vector<CardRow> out;
  for (const auto& row :
       common::ExecPrepared(tx, kRevokeAllSql, person_id, revoked_by, reason,
                            absl::ToUnixMicros(now))) {
    out.push_back(*CardById(tx, row[0].as<int64_t>()));
  }
  return out;
}

void PgRegistryStore::ErasePersonData(Tx& tx, int64_t person_id) {
  common::ExecPrepared(tx, kEraseKeySql, person_id);
  common::ExecPrepared(tx, kEraseFieldsSql, person_id);
}

namespace {

std::vector<RetainedRow> Retained(const pqxx::result& r) {
  std::vector<RetainedRow> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    out.push_back({row[0].as<int64_t>(), row[1].as<std::string>()});
  }
  return out;
}

std::optional<absl::Time> MaybeMicros(const pqxx::result& r) {
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return Micros(r[0][0]);
}

}  // namespace

std::vector<RetainedRow> PgRegistryStore::CardsDue(Tx& tx, absl::Time now,
                                                   int grace_days) {
  return Retained(common::ExecPrepared(tx, kCardsDueSql,
                                       absl::ToUnixMicros(now), grace_days));
}

std::vector<RetainedRow> PgRegistryStore::RetainCards(Tx& tx, absl::Time now,
                                                      int grace_days) {
  return Retained(common::ExecPrepared(tx, kRetainCardsSql,
                                       absl::ToUnixMicros(now), grace_days));
}

std::optional<absl::Time> PgRegistryStore::NextCardDue(Tx& tx, absl::Time now,
                                                       int grace_days) {
  return MaybeMicros(common::ExecPrepared(tx, kNextCardDueSql,
                                          absl::ToUnixMicros(now), grace_days));
}

std::vector<PersonRetentionRow> PgRegistryStore::PersonRetentionRows(
    Tx& tx, int64_t person_id) {
  return All<PersonRetentionRow>(
      common::ExecPrepared(tx, kPersonRetentionSql, person_id),
      [](const pqxx::row& r) {
        PersonRetentionRow out;
        out.id = r[0].as<int64_t>();
        out.pseudonym = r[1].as<std::string>();
        out.facts.registered_at = Micros(r[2]);
        if (!r[3].is_null()) out.facts.last_card_end = Micros(r[3]);
        if (!r[4].is_null()) out.facts.last_incident = Micros(r[4]);
        out.facts.open_objection = r[5].as<bool>();
        return out;
      });
}

std::vector<RetainedRow> PgRegistryStore::ErasedIncidentLinks(Tx& tx) {
  return Retained(common::ExecPrepared(tx, kErasedLinksSql));
}

std::vector<RetainedRow> PgRegistryStore::UnlinkErasedIncidents(Tx& tx) {
  return Retained(common::ExecPrepared(tx, kUnlinkErasedSql));
}

bool PgRegistryStore::RevokeCard(Tx& tx, int64_t card_id, int64_t revoked_by,
                                 const std::string& reason, absl::Time now) {
  return common::ExecPrepared(tx, kRevokeSql, card_id, revoked_by, reason,
                              absl::ToUnixMicros(now))
             .affected_rows() == 1;
}

int64_t PgRegistryStore::InsertObjection(Tx& tx, int64_t card_id,
                                         const std::string& sealed_grounds,
                                         int64_t filed_by, absl::Time filed_at,
                                         absl::Time respond_by) {
  return common::ExecPrepared1(tx, kInsertObjectionSql, card_id,
                               HexEncode(sealed_grounds), filed_by,
                               absl::ToUnixMicros(filed_at),
                               absl::ToUnixMicros(respond_by))[0]
      .as<int64_t>();
}

std::optional<ObjectionRow> PgRegistryStore::ObjectionForUpdate(Tx& tx,
                                                                int64_t id) {
  return First<ObjectionRow>(
      common::ExecPrepared(
          tx,
          std::string(kObjectionColumns) + "WHERE o.id = $1 FOR UPDATE OF o",
          id),
      ObjectionFrom);
}

std::optional<ObjectionRow> PgRegistryStore::ObjectionById(Tx& tx, int64_t id) {
  return First<ObjectionRow>(
      common::ExecPrepared(
          tx, std::string(kObjectionColumns) + "WHERE o.id = $1", id),
      ObjectionFrom);
}

void PgRegistryStore::DecideObjection(Tx& tx, int64_t id,
                                      const std::string& decision,
                                      const std::string& sealed_reasons,
                                      int64_t decided_by, absl::Time now) {
  common::ExecPrepared(tx, kDecideSql, id, decision, HexEncode(sealed_reasons),
                       decided_by, absl::ToUnixMicros(now));
}

std::vector<ObjectionRow> PgRegistryStore::ObjectionsOfArea(Tx& tx,
                                                            int64_t area_id,
                                                            bool open_only) {
  return All<ObjectionRow>(
      common::ExecPrepared(
          tx,
          std::string(kObjectionColumns) +
              "WHERE c.area_id = $1 AND (NOT $2 OR o.decision IS "
              "NULL) ORDER BY o.respond_by, o.id",
          area_id, open_only),
      ObjectionFrom);
}

std::optional<absl::Time> PgRegistryStore::AreaJoinedAt(Tx& tx,
                                                        int64_t area_id) {
  auto rows = common::ExecPrepared(tx, kAreaJoinedAtSql, area_id);
  if (rows.empty()) return std::nullopt;
  return absl::FromUnixMicros(rows[0][0].as<int64_t>());
}

AreaFacts PgRegistryStore::FactsOfArea(Tx& tx, int64_t area_id, absl::Time from,
                                       absl::Time to) {
  return FactsOfAreas(tx, {area_id}, from, to)[area_id];
}

std::map<int64_t, AreaFacts> PgRegistryStore::FactsOfAreas(
    Tx& tx, const std::vector<int64_t>& area_ids, absl::Time from,
    absl::Time to) {
  // The incidents' covering index counts them per area, type and Amsterdam
  // month, one range of it per month: the months' bounds go in as arrays
  // and are joined by range, far cheaper per row than a time-zone
  // conversion. The grouping key is the month's ordinal in that list (0 is
  // the month `from` falls in), so the planner counts at most areas x types
  // x months groups and hashes them from the first call; keyed by an
  // expression of occurred_at (width_bucket) it counted one group per
  // incident, and the custom plans of a connection's first five calls
  // sorted them on disk (issue 28).
  const absl::TimeZone& tz = common::Amsterdam();
  absl::CivilMonth month(absl::ToCivilDay(from, tz));
  std::vector<std::string> months = {absl::FormatCivilTime(month)};
  std::vector<int64_t> lows = {absl::ToUnixMicros(from)}, highs;
  for (++month; absl::FromCivil(month, tz) < to; ++month) {
    const int64_t start = absl::ToUnixMicros(absl::FromCivil(month, tz));
    highs.push_back(start);
    lows.push_back(start);
    months.push_back(absl::FormatCivilTime(month));
  }
  highs.push_back(absl::ToUnixMicros(to));
  const std::string sql = absl::StrCat(
      "WITH c AS MATERIALIZED (SELECT id, area_id, kind, person_id FROM cards "
      "WHERE area_id = ANY($1::bigint[]) AND valid_from >= ",
      FromMicros(2), " AND valid_from < ", FromMicros(3),
      ") SELECT i.area_id, 'incident', i.offence_type, m.n - 1, count(*), "
      "sum(i.damage_cents), count(*) FILTER (WHERE i.has_police_report) FROM "
      "unnest($4::bigint[], $5::bigint[]) WITH ORDINALITY AS m(lo, hi, n) "
      "JOIN incidents i ON i.area_id = ANY($1::bigint[]) AND i.occurred_at "
      ">= to_timestamp(0) + m.lo * interval '1 microsecond' AND "
      "i.occurred_at < to_timestamp(0) + m.hi * interval '1 microsecond' "
      "GROUP BY 1, 3, 4 "
      "UNION ALL SELECT area_id, 'card', kind, 0, count(*), 0, 0 FROM c "
      "GROUP BY 1, 3 UNION ALL SELECT c.area_id, 'objection', "
      "COALESCE(o.decision, 'pending'), 0, count(*), 0, 0 FROM objections o "
      "JOIN c ON c.id = o.card_id GROUP BY 1, 3 "
      "UNION ALL SELECT area_id, 'repeat', '', 0, count(*), 0, 0 FROM (SELECT "
      "area_id, person_id FROM c GROUP BY 1, 2 HAVING count(*) > 1) r "
      "GROUP BY 1");
  std::map<int64_t, AreaFacts> result;
  for (int64_t id : area_ids) result[id];
  for (const auto& r :
       common::ExecPrepared(tx, sql, common::SqlArray(area_ids),
                            absl::ToUnixMicros(from), absl::ToUnixMicros(to),
                            common::SqlArray(lows), common::SqlArray(highs))) {
    AreaFacts& out = result[r[0].as<int64_t>()];
    const std::string tag = r[1].as<std::string>();
    const std::string key = r[2].as<std::string>();
    const int64_t n = r[4].as<int64_t>();
    if (tag == "incident") {
      const size_t bucket = r[3].as<size_t>();
      out.incidents_by_type[key] += n;
      if (bucket < months.size()) out.incidents_by_month[months[bucket]] += n;
      out.damage_cents += r[5].as<int64_t>();
      out.incidents_reported += r[6].as<int64_t>();
    } else if (tag == "card") {
      out.cards_by_kind[key] = n;
    } else if (tag == "objection") {
      out.objections_by_outcome[key] = n;
    } else {
      out.repeat_offenders = n;
    }
  }
  return result;
}

}  // namespace kvo::registry
