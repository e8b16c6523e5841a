#include "services/cycle/pg_cycle_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "services/common/row_seal.h"
#include "services/common/sql_values.h"

namespace kvo::cycle {
namespace {

using common::SqlArray;

constexpr char kInsertStreetSql[] =
    "INSERT INTO area_streets (area_id, name, contact_name, contact_details) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (area_id, name) DO NOTHING "
    "RETURNING id";
constexpr char kStreetsSql[] =
    "SELECT id, area_id, name, contact_name, contact_details FROM "
    "area_streets WHERE area_id = $1 ORDER BY name";
#define KVO_AREA_CONTACT_COLUMNS                                             \
  "area_id, coordinator, objection_address, objection_email, phone, payee, " \
  "iban"
constexpr char kMergeAreaContactSql[] =
    "INSERT INTO area_contacts (" KVO_AREA_CONTACT_COLUMNS
    ", recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8::bigint, 0)) "
    "ON CONFLICT (area_id) DO UPDATE SET "
    "coordinator = COALESCE(NULLIF(EXCLUDED.coordinator, ''), "
    "area_contacts.coordinator), "
    "objection_address = COALESCE(NULLIF(EXCLUDED.objection_address, ''), "
    "area_contacts.objection_address), "
    "objection_email = COALESCE(NULLIF(EXCLUDED.objection_email, ''), "
    "area_contacts.objection_email), "
    "phone = COALESCE(NULLIF(EXCLUDED.phone, ''), area_contacts.phone), "
    "payee = COALESCE(NULLIF(EXCLUDED.payee, ''), area_contacts.payee), "
    "iban = COALESCE(NULLIF(EXCLUDED.iban, ''), area_contacts.iban), "
    "recorded_by = EXCLUDED.recorded_by, recorded_at = now() "
    "RETURNING " KVO_AREA_CONTACT_COLUMNS;
constexpr char kAreaContactSql[] =
    "SELECT " KVO_AREA_CONTACT_COLUMNS " FROM area_contacts WHERE area_id = $1";
#undef KVO_AREA_CONTACT_COLUMNS
constexpr char kInsertPartySql[] =
    "INSERT INTO area_parties (area_id, kind, name, contact_name, "
    "contact_details) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (area_id, kind, name) DO NOTHING RETURNING id";
constexpr char kPartiesSql[] =
    "SELECT id, area_id, kind, name, contact_name, contact_details FROM "
    "area_parties WHERE area_id = $1 ORDER BY kind, name";
constexpr char kUpsertParticipationSql[] =
    "INSERT INTO participants (shop_id, agreement_signed_on, "
    "declaration_signed_on, recorded_by, seal) VALUES ($1, $2::date, "
    "NULLIF($3, '')::date, NULLIF($4::bigint, 0), decode($5, 'hex')) ON "
    "CONFLICT (shop_id) DO "
    "UPDATE SET agreement_signed_on = EXCLUDED.agreement_signed_on, "
    "declaration_signed_on = EXCLUDED.declaration_signed_on, recorded_by = "
    "EXCLUDED.recorded_by, recorded_at = now(), seal = EXCLUDED.seal";
#define KVO_PARTICIPATION_COLUMNS \
  "SELECT shop_id, agreement_signed_on::text, declaration_signed_on::text, "
constexpr char kParticipationsSql[] = KVO_PARTICIPATION_COLUMNS
    "COALESCE(encode(seal, 'hex'), '') FROM participants "
    "WHERE shop_id = ANY($1::bigint[])";
constexpr char kUnsealedParticipationsSql[] = KVO_PARTICIPATION_COLUMNS
    "'' FROM participants WHERE seal IS NULL FOR UPDATE";
#undef KVO_PARTICIPATION_COLUMNS
constexpr char kSealParticipationSql[] =
    "UPDATE participants SET seal = decode($2, 'hex') WHERE shop_id = $1";
constexpr char kInsertLicenceSql[] =
    "INSERT INTO licences (area_id, kind, number, holder, valid_from, "
    "valid_until, recorded_by) VALUES ($1, $2, $3, $4, $5::date, $6::date, "
    "NULLIF($7::bigint, 0)) RETURNING id";
constexpr char kSealLicenceSql[] =
    "UPDATE licences SET seal = decode($2, 'hex') WHERE id = $1";
#define KVO_LICENCE_COLUMNS                                      \
  "SELECT id, area_id, kind, number, holder, valid_from::text, " \
  "valid_until::text, "
constexpr char kLicencesSql[] = KVO_LICENCE_COLUMNS
    "COALESCE(encode(seal, 'hex'), '') FROM licences "
    "WHERE $2 OR area_id = ANY($1::bigint[]) "
    "ORDER BY area_id, valid_from, id";
constexpr char kUnsealedLicencesSql[] =
    KVO_LICENCE_COLUMNS "'' FROM licences WHERE seal IS NULL FOR UPDATE";
#undef KVO_LICENCE_COLUMNS
constexpr char kUpsertIntentSql[] =
    "INSERT INTO intents (area_id, text, drafted_by) VALUES ($1, $2, "
    "NULLIF($3::bigint, 0)) ON CONFLICT (area_id) DO UPDATE SET text = "
    "EXCLUDED.text, drafted_by = EXCLUDED.drafted_by, drafted_at = now()";
constexpr char kIntentSql[] = "SELECT text FROM intents WHERE area_id = $1";
constexpr char kUpsertSignatureSql[] =
    "INSERT INTO intent_signatures (area_id, party, signed_by, signed_on) "
    "VALUES ($1, $2, $3, $4::date) ON CONFLICT (area_id, party) DO UPDATE "
    "SET signed_by = EXCLUDED.signed_by, signed_on = EXCLUDED.signed_on";
constexpr char kSignaturesSql[] =
    "SELECT party, signed_by, signed_on::text FROM intent_signatures WHERE "
    "area_id = $1 ORDER BY signed_on, party";
constexpr char kInsertAssessmentSql[] =
    "INSERT INTO assessments (area_id, assessed_on, assessor, findings, "
    "passed, recorded_by) VALUES ($1, $2::date, $3, $4, $5, "
    "NULLIF($6::bigint, 0)) RETURNING id";
constexpr char kAssessmentColumns[] =
    "SELECT a.id, a.area_id, a.assessed_on::text, a.assessor, a.findings, "
    "a.passed FROM assessments a ";
constexpr char kInsertCertificateSql[] =
    "INSERT INTO certificates (area_id, assessment_id, kind, stars, "
    "issued_on, valid_until, issued_by) VALUES ($1, $2, $3, $4, $5::date, "
    "$6::date, NULLIF($7::bigint, 0)) RETURNING id";
constexpr char kCertificatesSql[] =
    "SELECT id, area_id, assessment_id, kind, stars, issued_on::text, "
    "valid_until::text FROM certificates WHERE $2 OR area_id = "
    "ANY($1::bigint[]) ORDER BY area_id, stars";
constexpr char kUpsertFigureSql[] =
    "INSERT INTO area_figures (area_id, source, period, category, count, "
    "imported_by) VALUES ($1, $2, $3, $4, $5, NULLIF($6::bigint, 0)) ON "
    "CONFLICT (area_id, source, period, category) DO UPDATE SET count = "
    "EXCLUDED.count, imported_by = EXCLUDED.imported_by, imported_at = now()";
constexpr char kFiguresSql[] =
    "SELECT source, period, category, count FROM area_figures WHERE area_id "
    "= $1 ORDER BY source, period, category";
constexpr char kInsertObjectiveSql[] =
    "INSERT INTO plan_objectives (area_id, description, target, measure, "
    "created_by, metric, target_change_pct) VALUES ($1, $2, $3, $4, "
    "NULLIF($5::bigint, 0), NULLIF($6, ''), CASE WHEN $6 = '' THEN NULL ELSE "
    "$7::double precision END) RETURNING id";
constexpr char kObjectivesSql[] =
    "SELECT id, area_id, description, target, measure, metric, "
    "target_change_pct FROM plan_objectives WHERE area_id = $1 AND dropped_by "
    "IS NULL ORDER BY id";
constexpr char kLockPlanSql[] = "SELECT id FROM areas WHERE id = $1 FOR UPDATE";
constexpr char kInsertAdjustmentSql[] =
    "INSERT INTO plan_adjustments (area_id, plan_version, adjusted_on, "
    "reason, evaluation_id, recorded_by) VALUES ($1, $2, $3::date, $4, $5, "
    "NULLIF($6::bigint, 0)) RETURNING id";
constexpr char kInsertAdjustmentChangeSql[] =
    "INSERT INTO plan_adjustment_changes (adjustment_id, kind, objective_id, "
    "activity_id, old_target, new_target) VALUES ($1, $2, NULLIF($3::bigint, "
    "0), NULLIF($4::bigint, 0), NULLIF($5, '')::double precision, NULLIF($6, "
    "'')::double precision)";
constexpr char kSetTargetSql[] =
    "UPDATE plan_objectives SET target_change_pct = $2 WHERE id = $1";
constexpr char kDropObjectiveSql[] =
    "UPDATE plan_objectives SET dropped_by = $2 WHERE id = $1";
constexpr char kCancelActivitySql[] =
    "UPDATE plan_activities SET status = 'cancelled' WHERE id = $1";
constexpr char kAdjustmentsSql[] =
    "SELECT a.id, a.area_id, a.plan_version, a.adjusted_on::text, a.reason, "
    "a.evaluation_id, m.label FROM plan_adjustments a JOIN "
    "survey_measurements m ON m.id = a.evaluation_id WHERE a.area_id = $1 "
    "ORDER BY a.plan_version";
constexpr char kAdjustmentChangesSql[] =
    "SELECT c.adjustment_id, c.kind, c.objective_id, c.activity_id, "
    "c.old_target, c.new_target FROM plan_adjustment_changes c JOIN "
    "plan_adjustments a ON a.id = c.adjustment_id WHERE a.area_id = $1 "
    "ORDER BY c.adjustment_id, c.kind DESC, c.objective_id, c.activity_id";
constexpr char kInsertMeasurementSql[] =
    "INSERT INTO survey_measurements (area_id, label, period_from, "
    "period_to, questionnaire_version, created_by) VALUES ($1, $2, "
    "$3::date, $4::date, $5, NULLIF($6::bigint, 0)) ON CONFLICT (area_id, "
    "label) DO NOTHING RETURNING id";
constexpr char kMeasurementColumns[] =
    "SELECT id, area_id, label, period_from::text, period_to::text, "
    "questionnaire_version FROM survey_measurements ";
constexpr char kDeleteResponseSql[] =
    "DELETE FROM survey_responses WHERE measurement_id = $1 AND shop_id = $2";
constexpr char kInsertResponseSql[] =
    "INSERT INTO survey_responses (measurement_id, shop_id, feel_safe, "
    "victimised, reported) VALUES ($1, $2, $3, $4, $5)";
constexpr char kInsertAnswerSql[] =
    "INSERT INTO survey_answers (measurement_id, shop_id, question_id, "
    "answer) VALUES ($1, $2, $3, $4)";
constexpr char kSurveyCountsColumns[] =
    "SELECT r.measurement_id, count(*), count(*) FILTER (WHERE r.feel_safe), "
    "count(*) FILTER (WHERE r.victimised), count(*) FILTER (WHERE "
    "r.reported) FROM survey_responses r ";
constexpr char kParticipantCountSql[] =
    "SELECT count(*) FROM participants p JOIN shops s ON s.id = p.shop_id "
    "WHERE s.area_id = $1";
constexpr char kFigureTotalsSql[] =
    "SELECT category, sum(count)::bigint FROM area_figures WHERE area_id = "
    "$1 AND source = $2 AND period BETWEEN $3 AND $4 GROUP BY category "
    "ORDER BY category";
constexpr char kFigureMonthTotalsSql[] =
    "SELECT period, sum(count)::bigint FROM area_figures WHERE area_id = $1 "
    "AND source = $2 AND period BETWEEN $3 AND $4 GROUP BY period "
    "ORDER BY period";
constexpr char kInsertActivitySql[] =
    "INSERT INTO plan_activities (area_id, objective_id, description, owner, "
    "deadline, status, created_by) VALUES ($1, $2, $3, $4, $5::date, $6, "
    "NULLIF($7::bigint, 0)) RETURNING id";
constexpr char kActivityColumns[] =
    "SELECT id, area_id, objective_id, description, owner, deadline::text, "
    "status FROM plan_activities ";
constexpr char kSetActivityStatusSql[] =
    "UPDATE plan_activities SET status = $2 WHERE id = $1";
// Serialises certificates per area: the stars count is read, then written.
constexpr char kLockAreaSql[] = "SELECT id FROM areas WHERE id = $1 FOR UPDATE";

absl::CivilDay Day(const pqxx::field& f) {
  absl::CivilDay day;
  absl::ParseCivilTime(f.as<std::string>(), &day);
  return day;
}

std::string Text(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::string ParticipationSeal(const ParticipationRow& p) {
  return common::ProcessRowSeal().Participant(
      p.shop_id, Text(p.agreement_signed_on),
      p.declaration_signed_on ? Text(*p.declaration_signed_on) : "");
}

std::string LicenceSeal(const LicenceRow& l) {
  return common::ProcessRowSeal().Licence(l.id, l.area_id, l.kind, l.number,
                                          l.holder, Text(l.valid_from),
                                          Text(l.valid_until));
}

bool SealMatches(const std::string& expected, const pqxx::field& stored) {
  return common::RowSeal::Matches(
      expected, common::HexDecode(stored.as<std::string>()).value_or(""));
}

// Columns: shop, agreement, declaration, seal (hex).
ParticipationRow ParticipationFrom(const pqxx::row& r) {
  ParticipationRow p;
  p.shop_id = r[0].as<int64_t>();
  p.agreement_signed_on = Day(r[1]);
  if (!r[2].is_null()) p.declaration_signed_on = Day(r[2]);
  p.intact = SealMatches(ParticipationSeal(p), r[3]);
  return p;
}

// Columns: id, area, kind, number, holder, from, until, seal (hex).
LicenceRow LicenceFrom(const pqxx::row& r) {
  LicenceRow l;
  l.id = r[0].as<int64_t>();
  l.area_id = r[1].as<int64_t>();
  l.kind = r[2].as<std::string>();
  l.number = r[3].as<std::string>();
  l.holder = r[4].as<std::string>();
  l.valid_from = Day(r[5]);
  l.valid_until = Day(r[6]);
  l.intact = SealMatches(LicenceSeal(l), r[7]);
  return l;
}

std::optional<int64_t> Id(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

AssessmentRow AssessmentFrom(const pqxx::row& r) {
  AssessmentRow a;
  a.id = r[0].as<int64_t>();
  a.area_id = r[1].as<int64_t>();
  a.assessed_on = Day(r[2]);
  a.assessor = r[3].as<std::string>();
  a.findings = r[4].as<std::string>();
  a.passed = r[5].as<bool>();
  return a;
}

}  // namespace

std::optional<int64_t> PgCycleStore::InsertStreet(Tx& tx,
                                                  const StreetRow& row) {
  return Id(tx.exec_params(kInsertStreetSql, row.area_id, row.name,
                           row.contact_name, row.contact_details));
}

std::vector<StreetRow> PgCycleStore::Streets(Tx& tx, int64_t area_id) {
  std::vector<StreetRow> out;
  for (const auto& r : tx.exec_params(kStreetsSql, area_id)) {
    out.push_back({r[0].as<int64_t>(), r[1].as<int64_t>(),
                   r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::string>()});
  }
  return out;
}

namespace {

AreaContactRow AreaContactFrom(const pqxx::row& r) {
  return {r[0].as<int64_t>(),     r[1].as<std::string>(),
          r[2].as<std::string>(), r[3].as<std::string>(),
          r[4].as<std::string>(), r[5].as<std::string>(),
          r[6].as<std::string>()};
}

}  // namespace

AreaContactRow PgCycleStore::MergeAreaContact(Tx& tx, const AreaContactRow& row,
                                              int64_t recorded_by) {
  return AreaContactFrom(tx.exec_params1(
      kMergeAreaContactSql, row.area_id, row.coordinator, row.objection_address,
      row.objection_email, row.phone, row.payee, row.iban, recorded_by));
}

AreaContactRow PgCycleStore::AreaContact(Tx& tx, int64_t area_id) {
  const pqxx::result r = tx.exec_params(kAreaContactSql, area_id);
  if (r.empty()) {
    AreaContactRow none;
    none.area_id = area_id;
    return none;
  }
  return AreaContactFrom(r[0]);
}

std::optional<int64_t> PgCycleStore::InsertParty(Tx& tx, const PartyRow& row) {
  return Id(tx.exec_params(kInsertPartySql, row.area_id, row.kind, row.name,
                           row.contact_name, row.contact_details));
}

std::vector<PartyRow> PgCycleStore::Parties(Tx& tx, int64_t area_id) {
  std::vector<PartyRow> out;
  for (const auto& r : tx.exec_params(kPartiesSql, area_id)) {
    out.push_back({r[0].as<int64_t>(), r[1].as<int64_t>(),
                   r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::string>(), r[5].as<std::string>()});
  }
  return out;
}

void PgCycleStore::UpsertParticipation(Tx& tx, const ParticipationRow& row,
                                       int64_t recorded_by) {
  tx.exec_params0(
      kUpsertParticipationSql, row.shop_id, Text(row.agreement_signed_on),
      row.declaration_signed_on ? Text(*row.declaration_signed_on) : "",
      recorded_by, common::HexEncode(ParticipationSeal(row)));
}

std::map<int64_t, ParticipationRow> PgCycleStore::Participations(
    Tx& tx, const std::vector<int64_t>& shop_ids) {
  std::map<int64_t, ParticipationRow> out;
  for (const auto& r : tx.exec_params(kParticipationsSql, SqlArray(shop_ids))) {
    ParticipationRow p = ParticipationFrom(r);
    out[p.shop_id] = p;
  }
  return out;
}

int64_t PgCycleStore::InsertLicence(Tx& tx, const LicenceRow& row,
                                    int64_t recorded_by) {
  LicenceRow sealed = row;
  sealed.id = tx.exec_params1(kInsertLicenceSql, row.area_id, row.kind,
                              row.number, row.holder, Text(row.valid_from),
                              Text(row.valid_until), recorded_by)[0]
                  .as<int64_t>();
  tx.exec_params0(kSealLicenceSql, sealed.id,
                  common::HexEncode(LicenceSeal(sealed)));
  return sealed.id;
}

std::vector<LicenceRow> PgCycleStore::Licences(
    Tx& tx, const std::vector<int64_t>& area_ids, bool all) {
  std::vector<LicenceRow> out;
  for (const auto& r : tx.exec_params(kLicencesSql, SqlArray(area_ids), all)) {
    out.push_back(LicenceFrom(r));
  }
  return out;
}

int64_t PgCycleStore::SealUnsealed(Tx& tx) {
  int64_t n = 0;
  for (const auto& r : tx.exec(kUnsealedLicencesSql)) {
    const LicenceRow l = LicenceFrom(r);
    tx.exec_params0(kSealLicenceSql, l.id, common::HexEncode(LicenceSeal(l)));
    ++n;
  }
  for (const auto& r : tx.exec(kUnsealedParticipationsSql)) {
    const ParticipationRow p = ParticipationFrom(r);
    tx.exec_params0(kSealParticipationSql, p.shop_id,
                    common::HexEncode(ParticipationSeal(p)));
    ++n;
  }
  return n;
}

void PgCycleStore::UpsertIntent(Tx& tx, int64_t area_id,
                                const std::string& text, int64_t drafted_by) {
  tx.exec_params0(kUpsertIntentSql, area_id, text, drafted_by);
}

std::optional<std::string> PgCycleStore::IntentText(Tx& tx, int64_t area_id) {
  auto r = tx.exec_params(kIntentSql, area_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

std::optional<std::string> PgCycleStore::IntentTextForUpdate(Tx& tx,
                                                             int64_t area_id) {
  auto r = tx.exec_params(absl::StrCat(kIntentSql, " FOR UPDATE"), area_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

void PgCycleStore::UpsertSignature(Tx& tx, int64_t area_id,
                                   const SignatureRow& row) {
  tx.exec_params0(kUpsertSignatureSql, area_id, row.party, row.signed_by,
                  Text(row.signed_on));
}

std::vector<SignatureRow> PgCycleStore::Signatures(Tx& tx, int64_t area_id) {
  std::vector<SignatureRow> out;
  for (const auto& r : tx.exec_params(kSignaturesSql, area_id)) {
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), Day(r[2])});
  }
  return out;
}

int64_t PgCycleStore::InsertAssessment(Tx& tx, const AssessmentRow& row,
                                       int64_t recorded_by) {
  return tx
      .exec_params1(kInsertAssessmentSql, row.area_id, Text(row.assessed_on),
                    row.assessor, row.findings, row.passed, recorded_by)[0]
      .as<int64_t>();
}

std::vector<AssessmentRow> PgCycleStore::Assessments(Tx& tx, int64_t area_id) {
  std::vector<AssessmentRow> out;
  for (const auto& r : tx.exec_params(
           absl::StrCat(kAssessmentColumns,
                        "WHERE a.area_id = $1 ORDER BY a.assessed_on, a.id"),
           area_id)) {
    out.push_back(AssessmentFrom(r));
  }
  return out;
}

std::optional<AssessmentRow> PgCycleStore::UncertifiedPassedAssessment(
    Tx& tx, int64_t area_id) {
  tx.exec_params(kLockAreaSql, area_id);
  auto r = tx.exec_params(
      absl::StrCat(kAssessmentColumns,
                   "WHERE a.area_id = $1 AND a.passed AND NOT EXISTS (SELECT "
                   "1 FROM certificates c WHERE c.assessment_id = a.id) "
                   "ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1"),
      area_id);
  if (r.empty()) return std::nullopt;
  return AssessmentFrom(r[0]);
}

int64_t PgCycleStore::InsertCertificate(Tx& tx, const CertificateRow& row,
                                        int64_t issued_by) {
  return tx
      .exec_params1(kInsertCertificateSql, row.area_id, row.assessment_id,
                    row.kind, row.stars, Text(row.issued_on),
                    Text(row.valid_until), issued_by)[0]
      .as<int64_t>();
}

void PgCycleStore::UpsertFigures(Tx& tx, int64_t area_id,
                                 const std::vector<FigureRowData>& figures,
                                 int64_t imported_by) {
  for (const auto& f : figures) {
    common::ExecPrepared(tx, kUpsertFigureSql, area_id, f.source, f.period,
                         f.category, f.count, imported_by);
  }
}

std::vector<FigureRowData> PgCycleStore::Figures(Tx& tx, int64_t area_id) {
  std::vector<FigureRowData> out;
  for (const auto& r : tx.exec_params(kFiguresSql, area_id)) {
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(),
                   r[2].as<std::string>(), r[3].as<int64_t>()});
  }
  return out;
}

namespace {

ActivityRow ActivityFrom(const pqxx::row& r) {
  ActivityRow a;
  a.id = r[0].as<int64_t>();
  a.area_id = r[1].as<int64_t>();
  a.objective_id = r[2].as<int64_t>();
  a.description = r[3].as<std::string>();
  a.owner = r[4].as<std::string>();
  a.deadline = Day(r[5]);
  a.status = r[6].as<std::string>();
  return a;
}

}  // namespace

int64_t PgCycleStore::InsertObjective(Tx& tx, const ObjectiveRow& row,
                                      int64_t created_by) {
  return tx
      .exec_params1(kInsertObjectiveSql, row.area_id, row.description,
                    row.target, row.measure, created_by,
                    row.metric.value_or(""),
                    row.target_change_pct.value_or(0))[0]
      .as<int64_t>();
}

std::vector<ObjectiveRow> PgCycleStore::Objectives(Tx& tx, int64_t area_id) {
  std::vector<ObjectiveRow> out;
  for (const auto& r : tx.exec_params(kObjectivesSql, area_id)) {
    ObjectiveRow o{r[0].as<int64_t>(),
                   r[1].as<int64_t>(),
                   r[2].as<std::string>(),
                   r[3].as<std::string>(),
                   r[4].as<std::string>(),
                   std::nullopt,
                   std::nullopt};
    if (!r[5].is_null()) o.metric = r[5].as<std::string>();
    if (!r[6].is_null()) o.target_change_pct = r[6].as<double>();
    out.push_back(std::move(o));
  }
  return out;
}

namespace {

// A nullable double parameter: "" for NULL, else every digit it has.
std::string Number(const std::optional<double>& v) {
  return v ? absl::StrFormat("%.17g", *v) : "";
}

}  // namespace

void PgCycleStore::LockPlan(Tx& tx, int64_t area_id) {
  tx.exec_params(kLockPlanSql, area_id);
}

int64_t PgCycleStore::InsertAdjustment(Tx& tx, const AdjustmentRow& row,
                                       int64_t recorded_by) {
  const auto id =
      tx.exec_params1(kInsertAdjustmentSql, row.area_id, row.plan_version,
                      absl::FormatCivilTime(row.adjusted_on), row.reason,
                      row.evaluation_id, recorded_by)[0]
          .as<int64_t>();
  for (const PlanChangeRow& c : row.changes) {
    tx.exec_params0(kInsertAdjustmentChangeSql, id, c.kind, c.objective_id,
                    c.activity_id, Number(c.old_target), Number(c.new_target));
    if (c.kind == "target") {
      tx.exec_params0(kSetTargetSql, c.objective_id, c.new_target.value_or(0));
    } else if (c.kind == "drop_objective") {
      tx.exec_params0(kDropObjectiveSql, c.objective_id, id);
    } else {
      tx.exec_params0(kCancelActivitySql, c.activity_id);
    }
  }
  return id;
}

std::vector<AdjustmentRow> PgCycleStore::Adjustments(Tx& tx, int64_t area_id) {
  std::vector<AdjustmentRow> out;
  std::map<int64_t, size_t> index;
  for (const auto& r : tx.exec_params(kAdjustmentsSql, area_id)) {
    AdjustmentRow a;
    a.id = r[0].as<int64_t>();
    a.area_id = r[1].as<int64_t>();
    a.plan_version = r[2].as<int>();
    a.adjusted_on = Day(r[3]);
    a.reason = r[4].as<std::string>();
    a.evaluation_id = r[5].as<int64_t>();
    a.evaluation_label = r[6].as<std::string>();
    index[a.id] = out.size();
    out.push_back(std::move(a));
  }
  for (const auto& r : tx.exec_params(kAdjustmentChangesSql, area_id)) {
    PlanChangeRow c;
    c.kind = r[1].as<std::string>();
    if (!r[2].is_null()) c.objective_id = r[2].as<int64_t>();
    if (!r[3].is_null()) c.activity_id = r[3].as<int64_t>();
    if (!r[4].is_null()) c.old_target = r[4].as<double>();
    if (!r[5].is_null()) c.new_target = r[5].as<double>();
    out[index.at(r[0].as<int64_t>())].changes.push_back(std::move(c));
  }
  return out;
}

namespace {

MeasurementRow MeasurementFrom(const pqxx::row& r) {
  MeasurementRow m;
  m.id = r[0].as<int64_t>();
  m.area_id = r[1].as<int64_t>();
  m.label = r[2].as<std::string>();
  m.period_from = Day(r[3]);
  m.period_to = Day(r[4]);
  m.questionnaire_version = r[5].as<std::string>();
  return m;
}

SurveyCounts CountsFrom(const pqxx::row& r) {
  return {r[1].as<int64_t>(), r[2].as<int64_t>(), r[3].as<int64_t>(),
          r[4].as<int64_t>()};
}

}  // namespace

std::optional<int64_t> PgCycleStore::InsertMeasurement(
    Tx& tx, const MeasurementRow& row, int64_t created_by) {
  return Id(tx.exec_params(kInsertMeasurementSql, row.area_id, row.label,
                           Text(row.period_from), Text(row.period_to),
                           row.questionnaire_version, created_by));
}

std::vector<MeasurementRow> PgCycleStore::Measurements(Tx& tx,
                                                       int64_t area_id) {
  std::vector<MeasurementRow> out;
  for (const auto& r : tx.exec_params(
           absl::StrCat(kMeasurementColumns,
                        "WHERE area_id = $1 ORDER BY period_from, id"),
           area_id)) {
    out.push_back(MeasurementFrom(r));
  }
  return out;
}

std::optional<MeasurementRow> PgCycleStore::Measurement(Tx& tx, int64_t area_id,
                                                        int64_t id) {
  auto r = tx.exec_params(
      absl::StrCat(kMeasurementColumns, "WHERE id = $1 AND area_id = $2"), id,
      area_id);
  if (r.empty()) return std::nullopt;
  return MeasurementFrom(r[0]);
}

bool PgCycleStore::ReplaceResponse(Tx& tx, const ResponseRow& row) {
  const bool replaced = common::ExecPrepared(tx, kDeleteResponseSql,
                                             row.measurement_id, row.shop_id)
                            .affected_rows() > 0;
  common::ExecPrepared(tx, kInsertResponseSql, row.measurement_id, row.shop_id,
                       row.feel_safe, row.victimised, row.reported);
  for (const auto& [question, answer] : row.answers) {
    common::ExecPrepared(tx, kInsertAnswerSql, row.measurement_id, row.shop_id,
                         question, answer);
  }
  return replaced;
}

std::map<int64_t, SurveyCounts> PgCycleStore::SurveyCountsOfArea(
    Tx& tx, int64_t area_id) {
  std::map<int64_t, SurveyCounts> out;
  for (const auto& r : tx.exec_params(
           absl::StrCat(kSurveyCountsColumns,
                        "JOIN survey_measurements m ON m.id = "
                        "r.measurement_id WHERE m.area_id = $1 GROUP BY "
                        "r.measurement_id"),
           area_id)) {
    out[r[0].as<int64_t>()] = CountsFrom(r);
  }
  return out;
}

int64_t PgCycleStore::ParticipantCount(Tx& tx, int64_t area_id) {
  return tx.exec_params1(kParticipantCountSql, area_id)[0].as<int64_t>();
}

std::optional<SurveyCounts> PgCycleStore::SurveyCountsWithin(
    Tx& tx, int64_t area_id, absl::CivilDay from, absl::CivilDay to) {
  auto m = tx.exec_params(
      "SELECT id FROM survey_measurements WHERE area_id = $1 AND "
      "period_from >= $2::date AND period_to <= $3::date ORDER BY period_to "
      "DESC, id DESC LIMIT 1",
      area_id, Text(from), Text(to));
  if (m.empty()) return std::nullopt;
  auto r = tx.exec_params(absl::StrCat(kSurveyCountsColumns,
                                       "WHERE r.measurement_id = $1 GROUP BY "
                                       "r.measurement_id"),
                          m[0][0].as<int64_t>());
  if (r.empty()) return SurveyCounts{};
  return CountsFrom(r[0]);
}

namespace {

// The sums of an area's figures from `source` over the months from `from`
// to `to`, by what `sql` groups them by.
std::map<std::string, int64_t> FigureSums(PgCycleStore::Tx& tx, const char* sql,
                                          int64_t area_id,
                                          const std::string& source,
                                          absl::CivilMonth from,
                                          absl::CivilMonth to) {
  std::map<std::string, int64_t> out;
  for (const auto& r : common::ExecPrepared(tx, sql, area_id, source,
                                            absl::FormatCivilTime(from),
                                            absl::FormatCivilTime(to))) {
    out[r[0].as<std::string>()] = r[1].as<int64_t>();
  }
  return out;
}

}  // namespace

std::map<std::string, int64_t> PgCycleStore::FigureTotals(
    Tx& tx, int64_t area_id, const std::string& source, absl::CivilMonth from,
    absl::CivilMonth to) {
  return FigureSums(tx, kFigureTotalsSql, area_id, source, from, to);
}

std::map<absl::CivilMonth, int64_t> PgCycleStore::FigureMonthTotals(
    Tx& tx, int64_t area_id, const std::string& source, absl::CivilMonth from,
    absl::CivilMonth to) {
  std::map<absl::CivilMonth, int64_t> out;
  for (const auto& [period, count] :
       FigureSums(tx, kFigureMonthTotalsSql, area_id, source, from, to)) {
    absl::CivilMonth m;
    if (absl::ParseCivilTime(period, &m)) out[m] = count;
  }
  return out;
}

int64_t PgCycleStore::InsertActivity(Tx& tx, const ActivityRow& row,
                                     int64_t created_by) {
  return tx
      .exec_params1(kInsertActivitySql, row.area_id, row.objective_id,
                    row.description, row.owner, Text(row.deadline), row.status,
                    created_by)[0]
      .as<int64_t>();
}

std::optional<ActivityRow> PgCycleStore::ActivityForUpdate(Tx& tx,
                                                           int64_t area_id,
                                                           int64_t id) {
  auto r =
      tx.exec_params(absl::StrCat(kActivityColumns,
                                  "WHERE id = $1 AND area_id = $2 FOR UPDATE"),
                     id, area_id);
  if (r.empty()) return std::nullopt;
  return ActivityFrom(r[0]);
}

void PgCycleStore::SetActivityStatus(Tx& tx, int64_t id,
                                     const std::string& status) {
  tx.exec_params0(kSetActivityStatusSql, id, status);
}

std::vector<ActivityRow> PgCycleStore::Activities(Tx& tx, int64_t area_id) {
  std::vector<ActivityRow> out;
  for (const auto& r :
       tx.exec_params(absl::StrCat(kActivityColumns,
                                   "WHERE area_id = $1 ORDER BY deadline, id"),
                      area_id)) {
    out.push_back(ActivityFrom(r));
  }
  return out;
}

std::vector<CertificateRow> PgCycleStore::Certificates(
    Tx& tx, const std::vector<int64_t>& area_ids, bool all) {
  std::vector<CertificateRow> out;
  for (const auto& r :
       tx.exec_params(kCertificatesSql, SqlArray(area_ids), all)) {
    CertificateRow c;
    c.id = r[0].as<int64_t>();
    c.area_id = r[1].as<int64_t>();
    c.assessment_id = r[2].as<int64_t>();
    c.kind = r[3].as<std::string>();
    c.stars = r[4].as<int>();
    c.issued_on = Day(r[5]);
    c.valid_until = Day(r[6]);
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

constexpr char kFindingColumns[] =
    "SELECT f.id, f.area_id, f.round_id, f.street_id, s.name, f.category, "
    "f.severity, f.description, f.status, f.follow_up, EXISTS (SELECT 1 FROM "
    "schouw_finding_photos p WHERE p.finding_id = f.id), "
    KVO_TS("f.resolved_at") ", " KVO_TS("f.photo_deleted_at")
    " FROM schouw_findings f JOIN area_streets s ON s.id = f.street_id ";

std::optional<absl::Time> OptionalMicros(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return common::SqlMicros(f);
}

FindingRow FindingFrom(const pqxx::row& r) {
  FindingRow f;
  f.id = r[0].as<int64_t>();
  f.area_id = r[1].as<int64_t>();
  f.round_id = r[2].as<int64_t>();
  f.street_id = r[3].as<int64_t>();
  f.street = r[4].as<std::string>();
  f.category = r[5].as<std::string>();
  f.severity = r[6].as<std::string>();
  f.description = r[7].as<std::string>();
  f.status = r[8].as<std::string>();
  f.follow_up = r[9].as<std::string>();
  f.has_photo = r[10].as<bool>();
  f.resolved_at = OptionalMicros(r[11]);
  f.photo_deleted_at = OptionalMicros(r[12]);
  return f;
}

}  // namespace

int64_t PgCycleStore::InsertSchouwRound(Tx& tx, const SchouwRoundRow& row,
                                        int64_t created_by) {
  return tx
      .exec_params1(
          "INSERT INTO schouw_rounds (area_id, kind, walked_on, notes, "
          "created_by) VALUES ($1, $2, $3::date, $4, NULLIF($5::bigint, 0)) "
          "RETURNING id",
          row.area_id, row.kind, Text(row.walked_on), row.notes, created_by)[0]
      .as<int64_t>();
}

std::vector<SchouwRoundRow> PgCycleStore::SchouwRounds(Tx& tx,
                                                       int64_t area_id) {
  std::vector<SchouwRoundRow> out;
  for (const auto& r :
       tx.exec_params("SELECT id, area_id, kind, walked_on::text, notes FROM "
                      "schouw_rounds WHERE area_id = $1 ORDER BY walked_on, id",
                      area_id)) {
    out.push_back({r[0].as<int64_t>(), r[1].as<int64_t>(),
                   r[2].as<std::string>(), Day(r[3]), r[4].as<std::string>()});
  }
  return out;
}

std::optional<int64_t> PgCycleStore::StreetId(Tx& tx, int64_t area_id,
                                              const std::string& name) {
  return Id(tx.exec_params(
      "SELECT id FROM area_streets WHERE area_id = $1 AND name = $2", area_id,
      name));
}

int64_t PgCycleStore::InsertFinding(Tx& tx, const FindingRow& row,
                                    int64_t created_by) {
  return tx
      .exec_params1(
          "INSERT INTO schouw_findings (area_id, round_id, street_id, "
          "category, severity, description, status, follow_up, created_by) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9::bigint, 0)) "
          "RETURNING id",
          row.area_id, row.round_id, row.street_id, row.category, row.severity,
          row.description, row.status, row.follow_up, created_by)[0]
      .as<int64_t>();
}

std::optional<FindingRow> PgCycleStore::FindingForUpdate(Tx& tx,
                                                         int64_t area_id,
                                                         int64_t id) {
  auto r = tx.exec_params(
      absl::StrCat(kFindingColumns,
                   "WHERE f.id = $1 AND f.area_id = $2 FOR UPDATE OF f"),
      id, area_id);
  if (r.empty()) return std::nullopt;
  return FindingFrom(r[0]);
}

std::optional<FindingRow> PgCycleStore::Finding(Tx& tx, int64_t area_id,
                                                int64_t id) {
  auto r = tx.exec_params(
      absl::StrCat(kFindingColumns, "WHERE f.id = $1 AND f.area_id = $2"), id,
      area_id);
  if (r.empty()) return std::nullopt;
  return FindingFrom(r[0]);
}

void PgCycleStore::UpdateFinding(Tx& tx, const FindingRow& row) {
  static const std::string sql = absl::StrCat(
      "UPDATE schouw_findings SET status = $2, follow_up = $3, resolved_at = "
      "CASE WHEN $4 THEN ",
      common::SqlTimeParam(5), " END WHERE id = $1");
  tx.exec_params0(sql, row.id, row.status, row.follow_up,
                  row.resolved_at.has_value(),
                  absl::ToUnixMicros(row.resolved_at.value_or(absl::Time())));
}

void PgCycleStore::InsertFindingPhoto(Tx& tx, const FindingPhotoRow& row,
                                      int64_t added_by) {
  tx.exec_params0(
      "INSERT INTO schouw_finding_photos (finding_id, sealed_jpeg, width, "
      "height, added_by) VALUES ($1, decode($2, 'hex'), $3, $4, "
      "NULLIF($5::bigint, 0))",
      row.finding_id, common::HexEncode(row.sealed_jpeg), row.width, row.height,
      added_by);
}

std::optional<FindingPhotoRow> PgCycleStore::FindingPhoto(Tx& tx,
                                                          int64_t area_id,
                                                          int64_t finding_id) {
  auto r = tx.exec_params(
      "SELECT p.finding_id, encode(p.sealed_jpeg, 'hex'), p.width, "
      "p.height FROM schouw_finding_photos p JOIN schouw_findings f ON f.id = "
      "p.finding_id WHERE p.finding_id = $1 AND f.area_id = $2",
      finding_id, area_id);
  if (r.empty()) return std::nullopt;
  FindingPhotoRow out;
  out.finding_id = r[0][0].as<int64_t>();
  out.sealed_jpeg = common::SqlBytes(r[0][1]);
  out.width = r[0][2].as<int>();
  out.height = r[0][3].as<int>();
  return out;
}

std::vector<FindingRow> PgCycleStore::Findings(Tx& tx, int64_t area_id,
                                               bool only_open) {
  std::vector<FindingRow> out;
  for (const auto& r : tx.exec_params(
           absl::StrCat(kFindingColumns,
                        "WHERE f.area_id = $1 AND (NOT $2 OR f.status <> "
                        "'resolved') ORDER BY f.round_id, f.id"),
           area_id, only_open)) {
    out.push_back(FindingFrom(r));
  }
  return out;
}

namespace {

// A finding's photo is due when the finding was resolved before the
// cutoff ($1) and it still has its photo.
#define KVO_PHOTO_RESOLVED_BEFORE                                   \
  "f.resolved_at < to_timestamp(0) + $1::bigint * interval '1 "     \
  "microsecond' AND EXISTS (SELECT 1 FROM schouw_finding_photos p " \
  "WHERE p.finding_id = f.id)"
constexpr char kPhotosResolvedBeforeSql[] =
    "SELECT f.id, f.area_id FROM schouw_findings f "
    "WHERE " KVO_PHOTO_RESOLVED_BEFORE " ORDER BY f.id";
// The finding rows are locked first (a status change of one waits, or the
// job waits for it, and then sees it reopened: resolved_at is NULL).
constexpr char kDeletePhotosResolvedBeforeSql[] =
    "WITH due AS (SELECT f.id FROM schouw_findings f "
    "WHERE " KVO_PHOTO_RESOLVED_BEFORE
    " FOR UPDATE OF f), gone AS (DELETE FROM "
    "schouw_finding_photos p USING due WHERE p.finding_id = due.id RETURNING "
    "p.finding_id) UPDATE schouw_findings f SET photo_deleted_at = "
    "to_timestamp(0) + $2::bigint * interval '1 microsecond' FROM gone WHERE "
    "f.id = gone.finding_id RETURNING f.id, f.area_id";
constexpr char kFirstResolutionWithPhotoSql[] =
    "SELECT " KVO_TS("MIN(f.resolved_at)") " FROM schouw_findings f WHERE "
    "f.resolved_at >= to_timestamp(0) + $1::bigint * interval '1 "
    "microsecond' AND EXISTS (SELECT 1 FROM schouw_finding_photos p WHERE "
    "p.finding_id = f.id)";
#undef KVO_PHOTO_RESOLVED_BEFORE

std::vector<DuePhotoRow> DuePhotos(const pqxx::result& rows) {
  std::vector<DuePhotoRow> out;
  for (const auto& r : rows) {
    out.push_back({r[0].as<int64_t>(), r[1].as<int64_t>()});
  }
  std::sort(out.begin(), out.end(),
            [](const DuePhotoRow& a, const DuePhotoRow& b) {
              return a.finding_id < b.finding_id;
            });
  return out;
}

}  // namespace

std::vector<DuePhotoRow> PgCycleStore::PhotosResolvedBefore(Tx& tx,
                                                            absl::Time cutoff) {
  return DuePhotos(
      tx.exec_params(kPhotosResolvedBeforeSql, absl::ToUnixMicros(cutoff)));
}

std::vector<DuePhotoRow> PgCycleStore::DeletePhotosResolvedBefore(
    Tx& tx, absl::Time cutoff, absl::Time now) {
  return DuePhotos(tx.exec_params(kDeletePhotosResolvedBeforeSql,
                                  absl::ToUnixMicros(cutoff),
                                  absl::ToUnixMicros(now)));
}

std::optional<absl::Time> PgCycleStore::FirstResolutionWithPhoto(
    Tx& tx, absl::Time cutoff) {
  return OptionalMicros(tx.exec_params1(kFirstResolutionWithPhotoSql,
                                        absl::ToUnixMicros(cutoff))[0]);
}

}  // namespace kvo::cycle
