#ifndef KVO_SERVICES_PRIVACY_PG_PRIVACY_STORE_H_
#define KVO_SERVICES_PRIVACY_PG_PRIVACY_STORE_H_

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace kvo::privacy {

struct SubjectRequestRow {
  int64_t id = 0;
  int64_t person_id = 0;
  std::string kind;
  absl::CivilDay received_on;
  absl::CivilDay due_on;
  std::string channel;
  // Notes and the outcome's note in plain text as the use case sees them
  // (opened). The store writes them only sealed (sealed_notes,
  // sealed_outcome_note: the person's data key; the privacy use case seals
  // and opens them through SubjectRecords); it reads a plain text only
  // from a row written before they were sealed (SealPlainNotes).
  std::string notes;
  std::vector<std::string> rectified_fields;
  std::optional<absl::CivilDay> closed_on;
  std::string outcome;  // "" while open
  std::string outcome_note;
  std::optional<std::string> sealed_notes;
  std::optional<std::string> sealed_outcome_note;
};

// The only SQL on subject_requests. Every function runs in the caller's
// transaction; libpqxx exceptions pass to the caller's DbPool.
class PgPrivacyStore final {
 public:
  using Tx = pqxx::transaction_base;

  static int64_t InsertRequest(Tx& tx, const SubjectRequestRow& row,
                               int64_t opened_by);
  static std::optional<SubjectRequestRow> RequestById(Tx& tx, int64_t id);
  // Locks the request: one step at a time (close, rectify, export).
  static std::optional<SubjectRequestRow> RequestForUpdate(Tx& tx, int64_t id);
  // Open requests (and closed ones when `include_closed`), unordered.
  static std::vector<SubjectRequestRow> Requests(Tx& tx, bool include_closed);
  // Whether a request about the person is open (not yet closed).
  static bool HasOpenRequest(Tx& tx, int64_t person_id);
  static void AddRectifiedFields(Tx& tx, int64_t id,
                                 const std::vector<std::string>& fields);
  // `sealed_note`: the outcome's note, sealed (nullopt: none).
  static void CloseRequest(Tx& tx, int64_t id, absl::CivilDay closed_on,
                           const std::string& outcome,
                           const std::optional<std::string>& sealed_note,
                           int64_t closed_by);
  // Stores the request's notes sealed (nullopt: none) and clears any plain
  // text.
  static void SetSealedNotes(Tx& tx, int64_t id,
                             const std::optional<std::string>& notes,
                             const std::optional<std::string>& outcome_note);
  // Requests that still hold a note in plain text (written before notes
  // were sealed), at most `limit`, locked.
  static std::vector<SubjectRequestRow> PlainNotes(Tx& tx, int limit);
  // The person was erased: every note of their requests goes with them.
  static void DropNotesOfPerson(Tx& tx, int64_t person_id);
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_PG_PRIVACY_STORE_H_
