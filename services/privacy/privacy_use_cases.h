#ifndef KVO_SERVICES_PRIVACY_PRIVACY_USE_CASES_H_
#define KVO_SERVICES_PRIVACY_PRIVACY_USE_CASES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/privacy.pb.h"
#include "services/audit/audit_entry.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/privacy/subject_records.h"

namespace kvo::privacy {

// The privacy officer's use cases: each owns its transaction and appends
// its audit entry there (`who`: the caller's record from the guard; the
// use case sets action, subject and purpose). A refusal of bad input
// (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, each naming the
// field) writes nothing but an audit entry of the refusal (outcome
// "denied") in a transaction of its own. Results are kvo.v1 messages
// (plain data; no gRPC). Thread-safe.
// What SealPlainNotes did.
struct NotesSealed {
  int64_t sealed = 0;   // requests whose notes are now sealed
  int64_t dropped = 0;  // of erased persons: their notes deleted
};

class PrivacyUseCases final {
 public:
  PrivacyUseCases(const kvo::v1::Policy& policy, common::DbPool& pool,
                  SubjectRecords& records, const SubjectPhotos& photos,
                  const AccessHistory& accesses, const common::Clock& clock);

  absl::StatusOr<kvo::v1::FindSubjectResponse> FindSubject(
      const audit::AuditRecord& who, const kvo::v1::FindSubjectRequest& in);
  absl::StatusOr<kvo::v1::ResolvedSubject> ResolvePseudonym(
      const audit::AuditRecord& who, const std::string& pseudonym,
      const std::string& purpose);
  absl::StatusOr<kvo::v1::SubjectRequest> Open(
      const audit::AuditRecord& who,
      const kvo::v1::OpenSubjectRequestRequest& in);
  absl::StatusOr<std::vector<kvo::v1::SubjectRequest>> List(
      bool include_closed);
  absl::StatusOr<kvo::v1::SubjectRequest> Get(int64_t request_id);
  absl::StatusOr<kvo::v1::AccessExport> ExportAccess(
      const audit::AuditRecord& who, int64_t request_id);
  absl::StatusOr<kvo::v1::SubjectRequest> Rectify(
      const audit::AuditRecord& who, int64_t request_id,
      const std::map<std::string, std::string>& changes,
      const std::string& reason);
  absl::StatusOr<kvo::v1::SubjectRequest> Close(const audit::AuditRecord& who,
                                                int64_t request_id,
                                                const std::string& outcome,
                                                const std::string& note,
                                                const std::string& closed_on);
  // Notes written in plain text before they were sealed (V020): sealed now
  // with the person's key, or, for a person erased (here or in the key
  // store), deleted. Run at start, before serving; idempotent.
  absl::StatusOr<NotesSealed> SealPlainNotes();

 private:
  // Audits a refusal of `status` alone and returns it (OK passes through).
  absl::Status Refused(const audit::AuditRecord& who, const std::string& action,
                       const std::string& subject, const std::string& purpose,
                       absl::Status status);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  SubjectRecords& records_;
  const SubjectPhotos& photos_;
  const AccessHistory& accesses_;
  const common::Clock& clock_;
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_PRIVACY_USE_CASES_H_
