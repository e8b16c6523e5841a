#include "services/privacy/pg_privacy_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"
#include "services/common/sql_values.h"

namespace kvo::privacy {
namespace {

constexpr char kInsertSql[] =
    "INSERT INTO subject_requests (person_id, kind, received_on, due_on, "
    "channel, opened_by) VALUES ($1, $2, $3::date, $4::date, $5, "
    "NULLIF($6::bigint, 0)) RETURNING id";
constexpr char kColumns[] =
    "SELECT id, person_id, kind, received_on::text, due_on::text, channel, "
    "notes, array_to_string(rectified_fields, ','), closed_on::text, "
    "COALESCE(outcome, ''), outcome_note, encode(sealed_notes, 'hex'), "
    "encode(sealed_outcome_note, 'hex') FROM subject_requests ";
constexpr char kSealNotesSql[] =
    "UPDATE subject_requests SET notes = '', outcome_note = '', "
    "sealed_notes = decode(NULLIF($2, ''), 'hex'), sealed_outcome_note = "
    "decode(NULLIF($3, ''), 'hex') WHERE id = $1";
constexpr char kDropNotesSql[] =
    "UPDATE subject_requests SET notes = '', outcome_note = '', "
    "sealed_notes = NULL, sealed_outcome_note = NULL WHERE person_id = $1";
constexpr char kAddFieldsSql[] =
    "UPDATE subject_requests SET rectified_fields = ARRAY(SELECT DISTINCT f "
    "FROM unnest(rectified_fields || string_to_array($2, ',')) AS f "
    "ORDER BY f) WHERE id = $1";
constexpr char kCloseSql[] =
    "UPDATE subject_requests SET closed_on = $2::date, outcome = $3, "
    "outcome_note = '', sealed_outcome_note = decode(NULLIF($4, ''), "
    "'hex'), "
    "closed_by = NULLIF($5::bigint, 0) WHERE id = $1";

// As hex; "" (NULL in the SQL) for none: a sealed value is never empty.
std::string Hex(const std::optional<std::string>& bytes) {
  return bytes.has_value() ? common::HexEncode(*bytes) : std::string();
}
constexpr char kOpenForPersonSql[] =
    "SELECT EXISTS (SELECT 1 FROM subject_requests WHERE person_id = $1 AND "
    "closed_on IS NULL)";

absl::CivilDay Day(const pqxx::field& f) {
  absl::CivilDay day;
  absl::ParseCivilTime(f.as<std::string>(), &day);
  return day;
}

SubjectRequestRow FromRow(const pqxx::row& r) {
  SubjectRequestRow out;
  out.id = r[0].as<int64_t>();
  out.person_id = r[1].as<int64_t>();
  out.kind = r[2].as<std::string>();
  out.received_on = Day(r[3]);
  out.due_on = Day(r[4]);
  out.channel = r[5].as<std::string>();
  out.notes = r[6].as<std::string>();
  const std::string fields = r[7].as<std::string>();
  if (!fields.empty()) out.rectified_fields = absl::StrSplit(fields, ',');
  if (!r[8].is_null()) out.closed_on = Day(r[8]);
  out.outcome = r[9].as<std::string>();
  out.outcome_note = r[10].as<std::string>();
  if (!r[11].is_null()) out.sealed_notes = common::SqlBytes(r[11]);
  if (!r[12].is_null()) out.sealed_outcome_note = common::SqlBytes(r[12]);
  return out;
}

std::optional<SubjectRequestRow> One(const pqxx::result& res) {
  if (res.empty()) return std::nullopt;
  return FromRow(res[0]);
}

}  // namespace

int64_t PgPrivacyStore::InsertRequest(Tx& tx, const SubjectRequestRow& row,
                                      int64_t opened_by) {
  return tx
      .exec_params1(kInsertSql, row.person_id, row.kind,
                    absl::FormatCivilTime(row.received_on),
                    absl::FormatCivilTime(row.due_on), row.channel,
                    opened_by)[0]
      .as<int64_t>();
}

std::optional<SubjectRequestRow> PgPrivacyStore::RequestById(Tx& tx,
                                                             int64_t id) {
  return One(tx.exec_params(absl::StrCat(kColumns, "WHERE id = $1"), id));
}

std::optional<SubjectRequestRow> PgPrivacyStore::RequestForUpdate(Tx& tx,
                                                                  int64_t id) {
  return One(
      tx.exec_params(absl::StrCat(kColumns, "WHERE id = $1 FOR UPDATE"), id));
}

std::vector<SubjectRequestRow> PgPrivacyStore::Requests(Tx& tx,
                                                        bool include_closed) {
  std::vector<SubjectRequestRow> out;
  for (const auto& r :
       tx.exec_params(absl::StrCat(kColumns, "WHERE $1 OR closed_on IS NULL"),
                      include_closed)) {
    out.push_back(FromRow(r));
  }
  return out;
}

void PgPrivacyStore::AddRectifiedFields(
    Tx& tx, int64_t id, const std::vector<std::string>& fields) {
  tx.exec_params0(kAddFieldsSql, id, absl::StrJoin(fields, ","));
}

void PgPrivacyStore::CloseRequest(Tx& tx, int64_t id, absl::CivilDay closed_on,
                                  const std::string& outcome,
                                  const std::optional<std::string>& sealed_note,
                                  int64_t closed_by) {
  tx.exec_params0(kCloseSql, id, absl::FormatCivilTime(closed_on), outcome,
                  Hex(sealed_note), closed_by);
}

void PgPrivacyStore::SetSealedNotes(
    Tx& tx, int64_t id, const std::optional<std::string>& notes,
    const std::optional<std::string>& outcome_note) {
  tx.exec_params0(kSealNotesSql, id, Hex(notes), Hex(outcome_note));
}

std::vector<SubjectRequestRow> PgPrivacyStore::PlainNotes(Tx& tx, int limit) {
  std::vector<SubjectRequestRow> out;
  for (const auto& r : tx.exec_params(
           absl::StrCat(kColumns,
                        "WHERE notes <> '' OR outcome_note <> '' ORDER BY id "
                        "LIMIT $1 FOR UPDATE"),
           limit)) {
    out.push_back(FromRow(r));
  }
  return out;
}

void PgPrivacyStore::DropNotesOfPerson(Tx& tx, int64_t person_id) {
  tx.exec_params0(kDropNotesSql, person_id);
}

bool PgPrivacyStore::HasOpenRequest(Tx& tx, int64_t person_id) {
  return tx.exec_params1(kOpenForPersonSql, person_id)[0].as<bool>();
}

}  // namespace kvo::privacy
