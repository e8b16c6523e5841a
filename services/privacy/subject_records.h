#ifndef KVO_SERVICES_PRIVACY_SUBJECT_RECORDS_H_
#define KVO_SERVICES_PRIVACY_SUBJECT_RECORDS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::privacy {

// What the privacy module needs of the registry, the gallery and the audit
// log, in plain types. The privacy module owns these interfaces; the
// modules that hold the data implement them (registry::RegistrySubjects,
// gallery::GallerySubjectPhotos) and kvod wires them, so privacy never
// includes a module above it and never runs SQL on their tables. Every
// call runs in the privacy use case's transaction; implementations must be
// thread-safe and must not commit.

// A person's record as found: no personal data.
struct SubjectRef {
  int64_t person_id = 0;
  std::string pseudonym;  // as the audit log names them ("person:" + it)
  int64_t registered_area_id = 0;
  bool erased = false;
};

struct SubjectCard {
  int64_t card_id = 0;
  std::string kind;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  absl::Time valid_from;
  absl::Time valid_until;
  bool revoked = false;
  std::string revoke_reason;
  std::string rule;
  std::vector<std::string> shops;
};

struct SubjectIncident {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  absl::Time occurred_at;
  std::string offence_type;
  int64_t damage_cents = 0;
  std::string description;  // opened
  std::string police_report_number;
};

struct SubjectObjection {
  int64_t id = 0;
  int64_t card_id = 0;
  std::string grounds;  // opened
  absl::Time filed_at;
  std::string decision;  // "" while open
  std::string reasons;
  std::optional<absl::Time> decided_at;
};

// Everything the registry holds about a person, opened.
struct SubjectData {
  SubjectRef ref;
  std::map<std::string, std::string> fields;  // every field the record has
  std::vector<SubjectCard> cards;
  std::vector<SubjectIncident> incidents;
  std::vector<SubjectObjection> objections;
};

// What an erasure did, for ErasureCommitted once the caller committed.
struct SubjectErasure {
  int64_t person_id = 0;
  int cards_revoked = 0;
  // Opaque to privacy: what the registry reports after the commit.
  std::shared_ptr<void> after_commit;
};

// What a rectification changed, for RectificationCommitted once the caller
// committed.
struct SubjectRectification {
  // Opaque to privacy: what the registry reports after the commit (the
  // person's cards in force, so the doors show the rectified fields).
  std::shared_ptr<void> after_commit;
};

class SubjectRecords {
 public:
  virtual ~SubjectRecords() = default;

  // Through the blind index: INVALID_ARGUMENT naming the field for a name
  // or date that cannot be normalised.
  virtual absl::StatusOr<std::vector<SubjectRef>> FindByNameAndBirth(
      pqxx::transaction_base& tx, const std::string& given_names,
      const std::string& surname_prefix, const std::string& surname,
      const std::string& date_of_birth) const = 0;
  virtual std::optional<SubjectRef> ByPseudonym(
      pqxx::transaction_base& tx, const std::string& pseudonym) const = 0;
  virtual std::optional<SubjectRef> ById(pqxx::transaction_base& tx,
                                         int64_t person_id) const = 0;
  // Every card of the person, any area, newest first.
  virtual std::vector<SubjectCard> Cards(pqxx::transaction_base& tx,
                                         int64_t person_id) const = 0;
  // The named fields that exist, opened. NOT_FOUND for an erased person,
  // DATA_LOSS when a value does not open.
  virtual absl::StatusOr<std::map<std::string, std::string>> Fields(
      pqxx::transaction_base& tx, const SubjectRef& ref,
      const std::vector<std::string>& fields) const = 0;
  // Fields, cards, incidents (facts and texts) and objections.
  virtual absl::StatusOr<SubjectData> Everything(
      pqxx::transaction_base& tx, const SubjectRef& ref) const = 0;
  // Validates and re-seals `changes` (field -> new value, "" clears an
  // optional field) with the person's data key; a new name or date of
  // birth also changes the blind index; the person's cards in force are
  // reported changed, so door galleries show the new fields.
  // INVALID_ARGUMENT naming the field.
  virtual absl::StatusOr<SubjectRectification> Rectify(
      pqxx::transaction_base& tx, const SubjectRef& ref,
      const std::map<std::string, std::string>& changes) const = 0;
  // After the rectification's transaction committed: door galleries hear
  // of it (their versions move, their caches retire what they showed).
  virtual void RectificationCommitted(
      const SubjectRectification& rectification) = 0;
  // The registry's erasure (cards revoked, photo and fields gone) by
  // `principal_id` at `now`; FAILED_PRECONDITION when erased already.
  virtual absl::StatusOr<SubjectErasure> Erase(pqxx::transaction_base& tx,
                                               const SubjectRef& ref,
                                               int64_t principal_id,
                                               absl::Time now) = 0;
  // After the erasure's transaction committed: door galleries purge, the
  // data key is destroyed.
  virtual void ErasureCommitted(const SubjectErasure& erasure) = 0;
  // A data-subject request's note ("Jan van der Berg, Kerkstraat 12 wil
  // gewist worden") sealed like the person's fields, with their data key,
  // bound to `binding` (which request, which note) and the person, so it
  // goes with their erasure. NOT_FOUND for an erased person.
  virtual absl::StatusOr<std::string> SealNote(
      pqxx::transaction_base& tx, const SubjectRef& ref,
      const std::string& binding, const std::string& plain) const = 0;
  // Opens what SealNote sealed. NOT_FOUND for an erased person (the note
  // went with them), DATA_LOSS when it does not open (moved, changed, or
  // their key is gone from the key store).
  virtual absl::StatusOr<std::string> OpenNote(
      pqxx::transaction_base& tx, const SubjectRef& ref,
      const std::string& binding, const std::string& sealed) const = 0;
};

struct SubjectPhoto {
  std::string jpeg;
  int width = 0;
  int height = 0;
};

class SubjectPhotos {
 public:
  virtual ~SubjectPhotos() = default;
  // The person's photo, opened; nullopt without one.
  virtual absl::StatusOr<std::optional<SubjectPhoto>> PhotoOf(
      pqxx::transaction_base& tx, const SubjectRef& ref) const = 0;
};

// One access to a person's data as the audit log recorded it: by role and
// organisation (the areas of the principal), never by name.
struct SubjectAccess {
  absl::Time at;
  std::string role;
  std::vector<std::string> areas;
  std::string action;
  std::string purpose;
};

class AccessHistory {
 public:
  virtual ~AccessHistory() = default;
  // Successful accesses whose audit entry names `subject`
  // ("person:<pseudonym>"), oldest first.
  virtual std::vector<SubjectAccess> OfSubject(
      pqxx::transaction_base& tx, const std::string& subject) const = 0;
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_SUBJECT_RECORDS_H_
