#ifndef KVO_SERVICES_CYCLE_PG_CYCLE_STORE_H_
#define KVO_SERVICES_CYCLE_PG_CYCLE_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kvo::cycle {

struct StreetRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string name, contact_name, contact_details;
};

struct PartyRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string kind, name, contact_name, contact_details;
};

// The area's letterhead (V024); empty strings are not recorded.
struct AreaContactRow {
  int64_t area_id = 0;
  std::string coordinator, objection_address, objection_email, phone, payee,
      iban;
};

// Participations and licences open the door (DoorAdmissionRule): kvod seals
// them as it writes them (common::RowSeal) and `intact` says, as they are
// read, that the seal checks out. One that is not intact is no
// participation or licence: refused with an integrity alarm, never used.
struct ParticipationRow {
  int64_t shop_id = 0;
  absl::CivilDay agreement_signed_on;
  std::optional<absl::CivilDay> declaration_signed_on;
  bool intact = false;
};

struct LicenceRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string kind, number, holder;
  absl::CivilDay valid_from, valid_until;
  bool intact = false;
};

struct SignatureRow {
  std::string party, signed_by;
  absl::CivilDay signed_on;
};

struct AssessmentRow {
  int64_t id = 0;
  int64_t area_id = 0;
  absl::CivilDay assessed_on;
  std::string assessor, findings;
  bool passed = false;
};

struct CertificateRow {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t assessment_id = 0;
  std::string kind;
  int stars = 0;
  absl::CivilDay issued_on, valid_until;
};

struct FigureRowData {
  std::string source, period, category;
  int64_t count = 0;
};

struct ObjectiveRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string description, target, measure;
  // The reduction report's metric and target change; none for an
  // objective the report cannot judge (written before V016).
  std::optional<std::string> metric;
  std::optional<double> target_change_pct;
};

struct SchouwRoundRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string kind;
  absl::CivilDay walked_on;
  std::string notes;
};

struct FindingRow {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t round_id = 0;
  int64_t street_id = 0;
  std::string street;  // read: the street's name
  std::string category, severity, description, status, follow_up;
  bool has_photo = false;  // read
  // When it became resolved (unset unless status is "resolved").
  std::optional<absl::Time> resolved_at;
  // When the retention job deleted its photo (read).
  std::optional<absl::Time> photo_deleted_at;
};

// A finding whose photo the retention job deletes (or deleted).
struct DuePhotoRow {
  int64_t finding_id = 0;
  int64_t area_id = 0;
};

// A finding's photo, sealed (the store never sees it plain).
struct FindingPhotoRow {
  int64_t finding_id = 0;
  std::string sealed_jpeg;
  int width = 0, height = 0;
};

// One change a plan adjustment made; kind "target", "drop_objective" or
// "cancel_activity".
struct PlanChangeRow {
  std::string kind;
  int64_t objective_id = 0;  // target, drop_objective
  int64_t activity_id = 0;   // cancel_activity
  std::optional<double> old_target, new_target;
};

struct AdjustmentRow {
  int64_t id = 0;
  int64_t area_id = 0;
  int plan_version = 0;
  absl::CivilDay adjusted_on;
  std::string reason;
  int64_t evaluation_id = 0;
  std::string evaluation_label;  // read
  std::vector<PlanChangeRow> changes;
};

struct MeasurementRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string label;
  absl::CivilDay period_from, period_to;
  std::string questionnaire_version;
};

// A measurement's responses and what they give the report.
struct SurveyCounts {
  int64_t responses = 0;
  int64_t feel_safe = 0;
  int64_t victimised = 0;
  int64_t reported = 0;
};

struct ResponseRow {
  int64_t measurement_id = 0;
  int64_t shop_id = 0;
  bool feel_safe = false, victimised = false, reported = false;
  std::vector<std::pair<std::string, std::string>> answers;  // question, code
};

struct ActivityRow {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t objective_id = 0;
  std::string description, owner;
  absl::CivilDay deadline;
  std::string status;
};

// The only SQL on the cycle's tables (V014). Every function runs in the
// caller's transaction; libpqxx exceptions pass to the caller's DbPool.
class PgCycleStore final {
 public:
  using Tx = pqxx::transaction_base;

  // nullopt: the area already has a street (party) of that name.
  static std::optional<int64_t> InsertStreet(Tx& tx, const StreetRow& row);
  static std::vector<StreetRow> Streets(Tx& tx, int64_t area_id);
  static std::optional<int64_t> InsertParty(Tx& tx, const PartyRow& row);
  static std::vector<PartyRow> Parties(Tx& tx, int64_t area_id);

  // Records the non-empty fields of `row`; the others keep their value.
  // The row as it now is.
  static AreaContactRow MergeAreaContact(Tx& tx, const AreaContactRow& row,
                                         int64_t recorded_by);
  // All empty (but area_id) when nothing was recorded.
  static AreaContactRow AreaContact(Tx& tx, int64_t area_id);

  static void UpsertParticipation(Tx& tx, const ParticipationRow& row,
                                  int64_t recorded_by);
  // The participation of each of `shop_ids` that has one.
  static std::map<int64_t, ParticipationRow> Participations(
      Tx& tx, const std::vector<int64_t>& shop_ids);

  static int64_t InsertLicence(Tx& tx, const LicenceRow& row,
                               int64_t recorded_by);
  // The licences of `area_ids` (every area's when `all`), by area and start.
  static std::vector<LicenceRow> Licences(Tx& tx,
                                          const std::vector<int64_t>& area_ids,
                                          bool all = false);
  // Seals every licence and participation without a seal (the one-time
  // adoption of rows older than the seals); the count.
  static int64_t SealUnsealed(Tx& tx);

  static void UpsertIntent(Tx& tx, int64_t area_id, const std::string& text,
                           int64_t drafted_by);
  static std::optional<std::string> IntentText(Tx& tx, int64_t area_id);
  // Locks the intent: signatures are judged against it.
  static std::optional<std::string> IntentTextForUpdate(Tx& tx,
                                                        int64_t area_id);
  static void UpsertSignature(Tx& tx, int64_t area_id, const SignatureRow& row);
  static std::vector<SignatureRow> Signatures(Tx& tx, int64_t area_id);

  static int64_t InsertAssessment(Tx& tx, const AssessmentRow& row,
                                  int64_t recorded_by);
  static std::vector<AssessmentRow> Assessments(Tx& tx, int64_t area_id);
  // The area's latest passed assessment without a certificate; locks the
  // area's certificates' order (one certificate at a time per area).
  static std::optional<AssessmentRow> UncertifiedPassedAssessment(
      Tx& tx, int64_t area_id);
  static int64_t InsertCertificate(Tx& tx, const CertificateRow& row,
                                   int64_t issued_by);
  // Inserts or replaces each figure of the area from `source`.
  static void UpsertFigures(Tx& tx, int64_t area_id,
                            const std::vector<FigureRowData>& figures,
                            int64_t imported_by);
  // By source, period, category.
  static std::vector<FigureRowData> Figures(Tx& tx, int64_t area_id);

  static int64_t InsertObjective(Tx& tx, const ObjectiveRow& row,
                                 int64_t created_by);
  // The area's objectives not dropped by an adjustment, oldest first.
  static std::vector<ObjectiveRow> Objectives(Tx& tx, int64_t area_id);
  // Locks the area's plan (its adjustments are numbered one at a time).
  static void LockPlan(Tx& tx, int64_t area_id);
  // Writes the adjustment and its changes, and applies them: a new target
  // change, an objective dropped, an activity cancelled. Its id.
  static int64_t InsertAdjustment(Tx& tx, const AdjustmentRow& row,
                                  int64_t recorded_by);
  // The area's adjustments with their changes, oldest first.
  static std::vector<AdjustmentRow> Adjustments(Tx& tx, int64_t area_id);
  static int64_t InsertActivity(Tx& tx, const ActivityRow& row,
                                int64_t created_by);
  // Locks the activity; nullopt unless it is the area's.
  static std::optional<ActivityRow> ActivityForUpdate(Tx& tx, int64_t area_id,
                                                      int64_t id);
  static void SetActivityStatus(Tx& tx, int64_t id, const std::string& status);
  // The area's activities by deadline.
  static std::vector<ActivityRow> Activities(Tx& tx, int64_t area_id);

  // nullopt: the area already has a measurement of that label.
  static std::optional<int64_t> InsertMeasurement(Tx& tx,
                                                  const MeasurementRow& row,
                                                  int64_t created_by);
  // The area's measurements by period.
  static std::vector<MeasurementRow> Measurements(Tx& tx, int64_t area_id);
  // nullopt unless measurement `id` is the area's.
  static std::optional<MeasurementRow> Measurement(Tx& tx, int64_t area_id,
                                                   int64_t id);
  // Writes the shop's response to the measurement, replacing an earlier
  // one (its answers with it); true when it replaced one.
  static bool ReplaceResponse(Tx& tx, const ResponseRow& row);
  // Per measurement of the area (measurements without responses absent).
  static std::map<int64_t, SurveyCounts> SurveyCountsOfArea(Tx& tx,
                                                            int64_t area_id);
  // The area's shops with a signed participation agreement.
  static int64_t ParticipantCount(Tx& tx, int64_t area_id);
  // The counts of the area's latest measurement whose period lies within
  // [from, to] (days); nullopt when there is none.
  static std::optional<SurveyCounts> SurveyCountsWithin(Tx& tx, int64_t area_id,
                                                        absl::CivilDay from,
                                                        absl::CivilDay to);
  // The same by month, every category together: only the months with
  // figures (a month nobody imported is absent, not 0).
  static std::map<absl::CivilMonth, int64_t> FigureMonthTotals(
      Tx& tx, int64_t area_id, const std::string& source, absl::CivilMonth from,
      absl::CivilMonth to);
  // The area's figures from `source` by category, summed over the months
  // (YYYY-MM) from `from` to `to`, both included.
  static std::map<std::string, int64_t> FigureTotals(Tx& tx, int64_t area_id,
                                                     const std::string& source,
                                                     absl::CivilMonth from,
                                                     absl::CivilMonth to);

  static int64_t InsertSchouwRound(Tx& tx, const SchouwRoundRow& row,
                                   int64_t created_by);
  // The area's rounds by day.
  static std::vector<SchouwRoundRow> SchouwRounds(Tx& tx, int64_t area_id);
  // The id of the area's street of that name.
  static std::optional<int64_t> StreetId(Tx& tx, int64_t area_id,
                                         const std::string& name);
  static int64_t InsertFinding(Tx& tx, const FindingRow& row,
                               int64_t created_by);
  // Locks the finding; nullopt unless it is the area's.
  static std::optional<FindingRow> FindingForUpdate(Tx& tx, int64_t area_id,
                                                    int64_t id);
  // The same without the lock.
  static std::optional<FindingRow> Finding(Tx& tx, int64_t area_id, int64_t id);
  // Status, follow-up and resolved_at of `row`.
  static void UpdateFinding(Tx& tx, const FindingRow& row);
  static void InsertFindingPhoto(Tx& tx, const FindingPhotoRow& row,
                                 int64_t added_by);
  // nullopt unless finding `finding_id` is the area's and has a photo.
  static std::optional<FindingPhotoRow> FindingPhoto(Tx& tx, int64_t area_id,
                                                     int64_t finding_id);
  // The area's findings (only those not resolved when `only_open`), by
  // round and id.
  static std::vector<FindingRow> Findings(Tx& tx, int64_t area_id,
                                          bool only_open);
  // The schouw photo retention's (schouw_photo_retention.h) questions:
  // findings with a photo resolved before `cutoff`, by id; the same, their
  // photos deleted and photo_deleted_at set to `now`; the earliest
  // resolution at or after `cutoff` of a finding with a photo.
  static std::vector<DuePhotoRow> PhotosResolvedBefore(Tx& tx,
                                                       absl::Time cutoff);
  static std::vector<DuePhotoRow> DeletePhotosResolvedBefore(Tx& tx,
                                                             absl::Time cutoff,
                                                             absl::Time now);
  static std::optional<absl::Time> FirstResolutionWithPhoto(Tx& tx,
                                                            absl::Time cutoff);

  // By area, then stars.
  static std::vector<CertificateRow> Certificates(
      Tx& tx, const std::vector<int64_t>& area_ids, bool all = false);
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_PG_CYCLE_STORE_H_
