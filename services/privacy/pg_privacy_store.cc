#include "services/privacy/pg_privacy_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kvo::privacy {
namespace {

constexpr char kInsertSql[] =
    "INSERT INTO subject_requests (person_id, kind, received_on, due_on, "
    "channel, notes, opened_by) VALUES ($1, $2, $3::date, $4::date, $5, $6, "
    "NULLIF($7::bigint, 0)) RETURNING id";
constexpr char kColumns[] =
    "SELECT id, person_id, kind, received_on::text, due_on::text, channel, "
    "notes, array_to_string(rectified_fields, ','), closed_on::text, "
    "COALESCE(outcome, ''), outcome_note FROM subject_requests ";
constexpr char kAddFieldsSql[] =
    "UPDATE subject_requests SET rectified_fields = ARRAY(SELECT DISTINCT f "
    "FROM unnest(rectified_fields || string_to_array($2, ',')) AS f "
    "ORDER BY f) WHERE id = $1";
constexpr char kCloseSql[] =
    "UPDATE subject_requests SET closed_on = $2::date, outcome = $3, "
    "outcome_note = $4, closed_by = NULLIF($5::bigint, 0) WHERE id = $1";
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
                    absl::FormatCivilTime(row.due_on), row.channel, row.notes,
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
                                  const std::string& note, int64_t closed_by) {
  tx.exec_params0(kCloseSql, id, absl::FormatCivilTime(closed_on), outcome,
                  note, closed_by);
}

bool PgPrivacyStore::HasOpenRequest(Tx& tx, int64_t person_id) {
  return tx.exec_params1(kOpenForPersonSql, person_id)[0].as<bool>();
}

}  // namespace kvo::privacy
