#include "services/gallery/pg_gallery_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/db_pool.h"
#include "services/common/sql_values.h"

namespace kvo::gallery {
namespace {

using common::ExecPrepared;
using common::SqlArray;
using common::SqlBytes;
using common::SqlMicros;

// The cards a door gallery shows: collective cards at every door of their
// area, individual bans at their own shop's door (KVO_OWN_DOOR).
#define KVO_GALLERY_CARD "revoked_at IS NULL"
// Of those, the ones a door that sees the individual bans of the shops in
// the array parameter `shops` is shown (door_visibility.h decides which).
#define KVO_OWN_DOOR(shops) \
  "(c.kind <> 'individual_ban' OR c.shop_id = ANY(" shops "::bigint[]))"

// pg_advisory_xact_lock key: "kvo-gal" as an int64.
constexpr int64_t kSequenceLockKey = 0x6b766f2d67616c;
constexpr char kLockSql[] = "SELECT pg_advisory_xact_lock($1)";
constexpr char kAnyPendingSql[] =
    "SELECT EXISTS (SELECT 1 FROM gallery_changes WHERE version IS NULL)";
constexpr char kBumpSql[] =
    "UPDATE gallery_counter SET version = version + 1 RETURNING version";
constexpr char kAssignSql[] =
    "UPDATE gallery_changes SET version = $1 WHERE version IS NULL "
    "RETURNING area_id";
constexpr char kLogSql[] =
    "INSERT INTO gallery_changes (area_id, card_id) "
    "SELECT a, c FROM unnest($1::bigint[], $2::bigint[]) AS u(a, c)";
constexpr char kNotifySql[] =
    "SELECT pg_notify('kvo_gallery', a::text || ' ' || $1::text || $3) "
    "FROM (SELECT DISTINCT unnest($2::bigint[]) AS a) d";
constexpr char kNotifyAdmissionSql[] = "SELECT pg_notify('kvo_gallery', $1)";
constexpr char kCurrentSql[] = "SELECT version FROM gallery_counter";
constexpr char kAreaStatesSql[] =
    "SELECT a.id, COALESCE((SELECT max(g.version) FROM gallery_changes g "
    "WHERE g.area_id = a.id), 0), (SELECT " KVO_TS("min(c.valid_until)") " "
    "FROM cards c WHERE c.area_id = a.id AND c." KVO_GALLERY_CARD " AND NOT "
    "c.gallery_expired) FROM areas a WHERE $2 OR a.id = ANY($1::bigint[])";
constexpr char kChangedSql[] =
    "SELECT DISTINCT c.person_id FROM gallery_changes g JOIN cards c ON "
    "c.id = g.card_id WHERE g.area_id = ANY($1::bigint[]) AND g.version > $2 "
    "AND g.version <= $3 AND " KVO_OWN_DOOR("$4");
constexpr char kEntriesSql[] =
    "SELECT c.id, c.area_id, c.kind, " KVO_TS("c.valid_until") ", p.id, "
    "p.pseudonym, p.registered_area_id, " KVO_TS("ph.uploaded_at") ", "
    "c.shop_id "
    "FROM cards c JOIN persons p ON p.id = c.person_id "
    "LEFT JOIN person_photos ph ON ph.person_id = c.person_id "
    "WHERE c.area_id = ANY($1::bigint[]) AND c." KVO_GALLERY_CARD " AND "
    "c.valid_until > to_timestamp(0) + $2::bigint * interval '1 microsecond' "
    "AND p.erased_at IS NULL AND ($3 OR c.person_id = ANY($4::bigint[])) "
    "AND " KVO_OWN_DOOR("$5") " ORDER BY c.person_id, c.id";
constexpr char kThumbnailsSql[] =
    "SELECT person_id, encode(sealed_thumbnail, 'hex') FROM person_photos "
    "WHERE person_id = ANY($1::bigint[])";
constexpr char kFieldsSql[] =
    "SELECT person_id, field, encode(sealed, 'hex') FROM person_fields "
    "WHERE person_id = ANY($1::bigint[]) AND field = ANY($2::text[])";
constexpr char kSweepSql[] =
    "UPDATE cards SET gallery_expired = true WHERE area_id = "
    "ANY($1::bigint[]) AND " KVO_GALLERY_CARD
    " AND NOT gallery_expired AND "
    "valid_until <= to_timestamp(0) + $2::bigint * interval '1 microsecond' "
    "RETURNING area_id, id";
constexpr char kPersonCardsSql[] =
    "SELECT area_id, id FROM cards WHERE person_id = $1 AND " KVO_GALLERY_CARD
    " AND valid_until > to_timestamp(0) + $2::bigint * "
    "interval '1 microsecond' ORDER BY id";
constexpr char kUpsertPhotoSql[] =
    "INSERT INTO person_photos (person_id, sealed_jpeg, sealed_thumbnail, "
    "width, height, uploaded_by) VALUES ($1, decode($2, 'hex'), "
    "decode($3, 'hex'), $4, $5, NULLIF($6::bigint, 0)) "
    "ON CONFLICT (person_id) DO UPDATE SET sealed_jpeg = EXCLUDED.sealed_jpeg, "
    "sealed_thumbnail = EXCLUDED.sealed_thumbnail, width = EXCLUDED.width, "
    "height = EXCLUDED.height, uploaded_by = EXCLUDED.uploaded_by, "
    "uploaded_at = now()";
constexpr char kPhotoSql[] =
    "SELECT encode(sealed_jpeg, 'hex'), encode(sealed_thumbnail, 'hex'), "
    "width, height FROM person_photos WHERE person_id = $1";
// The bytea as it is (its text output is hex already; encode() would
// only copy it once more inside PostgreSQL).
constexpr char kFullPhotoSql[] =
    "SELECT sealed_jpeg, width, height, " KVO_TS("uploaded_at") " "
    "FROM person_photos WHERE person_id = $1";
constexpr char kDeletePhotoSql[] =
    "DELETE FROM person_photos WHERE person_id = $1";
constexpr char kRetentionSql[] =
    "DELETE FROM person_photos ph WHERE NOT EXISTS (SELECT 1 FROM cards c "
    "WHERE c.person_id = ph.person_id AND c.revoked_at IS NULL AND "
    "c.valid_until + make_interval(days => $2) > to_timestamp(0) + "
    "$1::bigint * interval '1 microsecond')";

std::vector<GalleryChange> Changes(const pqxx::result& r) {
  std::vector<GalleryChange> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    out.push_back({row[0].as<int64_t>(), row[1].as<int64_t>()});
  }
  return out;
}

}  // namespace

void PgGalleryStore::RecordChanges(Tx& tx,
                                   const std::vector<GalleryChange>& changes) {
  if (changes.empty()) return;
  std::vector<int64_t> areas, cards;
  for (const auto& c : changes) {
    areas.push_back(c.area_id);
    cards.push_back(c.card_id);
  }
  ExecPrepared(tx, kLogSql, SqlArray(areas), SqlArray(cards));
}

Sequenced PgGalleryStore::SequencePending(Tx& tx, absl::string_view origin) {
  Sequenced out;
  ExecPrepared(tx, kLockSql, kSequenceLockKey);
  if (!common::ExecPrepared1(tx, kAnyPendingSql)[0].as<bool>()) return out;
  out.version = common::ExecPrepared1(tx, kBumpSql)[0].as<int64_t>();
  std::set<int64_t> areas;
  for (const auto& row : ExecPrepared(tx, kAssignSql, out.version)) {
    areas.insert(row[0].as<int64_t>());
  }
  out.areas.assign(areas.begin(), areas.end());
  ExecPrepared(tx, kNotifySql, out.version, SqlArray(out.areas),
               origin.empty() ? std::string() : absl::StrCat(" ", origin));
  return out;
}

void PgGalleryStore::AnnounceAdmissionChange(Tx& tx) {
  tx.exec_params(kNotifyAdmissionSql, std::string(kAdmissionChanged));
}

int64_t PgGalleryStore::CurrentVersion(Tx& tx) {
  return common::ExecPrepared1(tx, kCurrentSql)[0].as<int64_t>();
}

std::map<int64_t, AreaState> PgGalleryStore::AreaStates(
    Tx& tx, const std::vector<int64_t>& area_ids) {
  std::map<int64_t, AreaState> out;
  for (const auto& row :
       ExecPrepared(tx, kAreaStatesSql, SqlArray(area_ids), area_ids.empty())) {
    AreaState s;
    s.version = row[1].as<int64_t>();
    if (!row[2].is_null()) s.next_expiry = SqlMicros(row[2]);
    out[row[0].as<int64_t>()] = s;
  }
  return out;
}

std::vector<int64_t> PgGalleryStore::ChangedPersons(
    Tx& tx, const std::vector<int64_t>& area_ids, int64_t since, int64_t upto,
    const std::vector<int64_t>& own_shops) {
  std::vector<int64_t> out;
  for (const auto& row : ExecPrepared(tx, kChangedSql, SqlArray(area_ids),
                                      since, upto, SqlArray(own_shops))) {
    out.push_back(row[0].as<int64_t>());
  }
  return out;
}

std::vector<EntryRow> PgGalleryStore::EntriesInForce(
    Tx& tx, const std::vector<int64_t>& area_ids, absl::Time now,
    const std::optional<std::vector<int64_t>>& person_ids,
    const std::vector<int64_t>& own_shops) {
  std::vector<EntryRow> out;
  const pqxx::result r =
      ExecPrepared(tx, kEntriesSql, SqlArray(area_ids), absl::ToUnixMicros(now),
                   !person_ids.has_value(),
                   SqlArray(person_ids.value_or(std::vector<int64_t>{})),
                   SqlArray(own_shops));
  out.reserve(r.size());
  for (const auto& row : r) {
    EntryRow e;
    e.card_id = row[0].as<int64_t>();
    e.area_id = row[1].as<int64_t>();
    e.kind = row[2].as<std::string>();
    e.valid_until = SqlMicros(row[3]);
    e.person.id = row[4].as<int64_t>();
    e.person.pseudonym = row[5].as<std::string>();
    e.person.registered_area_id = row[6].as<int64_t>();
    if (!row[7].is_null()) e.photo_version = row[7].as<int64_t>();
    e.shop_id = row[8].as<int64_t>();
    out.push_back(std::move(e));
  }
  return out;
}

std::map<int64_t, std::string> PgGalleryStore::SealedThumbnails(
    Tx& tx, const std::vector<int64_t>& person_ids) {
  std::map<int64_t, std::string> out;
  if (person_ids.empty()) return out;
  for (const auto& row :
       ExecPrepared(tx, kThumbnailsSql, SqlArray(person_ids))) {
    out[row[0].as<int64_t>()] = SqlBytes(row[1]);
  }
  return out;
}

std::map<int64_t, std::map<std::string, std::string>>
PgGalleryStore::PersonFields(Tx& tx, const std::vector<int64_t>& person_ids,
                             const std::vector<std::string>& fields) {
  std::map<int64_t, std::map<std::string, std::string>> out;
  if (person_ids.empty() || fields.empty()) return out;
  for (const auto& row :
       ExecPrepared(tx, kFieldsSql, SqlArray(person_ids), SqlArray(fields))) {
    out[row[0].as<int64_t>()][row[1].as<std::string>()] = SqlBytes(row[2]);
  }
  return out;
}

std::vector<GalleryChange> PgGalleryStore::SweepExpired(
    Tx& tx, const std::vector<int64_t>& area_ids, absl::Time now) {
  return Changes(
      ExecPrepared(tx, kSweepSql, SqlArray(area_ids), absl::ToUnixMicros(now)));
}

std::vector<GalleryChange> PgGalleryStore::CardsInForceOfPerson(
    Tx& tx, int64_t person_id, absl::Time now) {
  return Changes(
      ExecPrepared(tx, kPersonCardsSql, person_id, absl::ToUnixMicros(now)));
}

void PgGalleryStore::UpsertPhoto(Tx& tx, const PhotoRow& photo,
                                 int64_t uploaded_by) {
  ExecPrepared(tx, kUpsertPhotoSql, photo.person_id,
               common::HexEncode(photo.sealed_jpeg),
               common::HexEncode(photo.sealed_thumbnail), photo.width,
               photo.height, uploaded_by);
}

std::optional<PhotoRow> PgGalleryStore::PhotoOf(Tx& tx, int64_t person_id) {
  const pqxx::result r = ExecPrepared(tx, kPhotoSql, person_id);
  if (r.empty()) return std::nullopt;
  PhotoRow p;
  p.person_id = person_id;
  p.sealed_jpeg = SqlBytes(r[0][0]);
  p.sealed_thumbnail = SqlBytes(r[0][1]);
  p.width = r[0][2].as<int32_t>();
  p.height = r[0][3].as<int32_t>();
  return p;
}

std::optional<SealedPhoto> PgGalleryStore::FullPhotoOf(Tx& tx,
                                                       int64_t person_id) {
  const pqxx::result r = ExecPrepared(tx, kFullPhotoSql, person_id);
  if (r.empty()) return std::nullopt;
  SealedPhoto p;
  p.sealed_jpeg = common::SqlBytea(r[0][0]);
  p.width = r[0][1].as<int32_t>();
  p.height = r[0][2].as<int32_t>();
  p.version = r[0][3].as<int64_t>();
  return p;
}

void PgGalleryStore::DeletePhoto(Tx& tx, int64_t person_id) {
  ExecPrepared(tx, kDeletePhotoSql, person_id);
}

int64_t PgGalleryStore::DeletePhotosPastRetention(Tx& tx, absl::Time now,
                                                  int grace_days) {
  return ExecPrepared(tx, kRetentionSql, absl::ToUnixMicros(now), grace_days)
      .affected_rows();
}

}  // namespace kvo::gallery
