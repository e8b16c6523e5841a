#ifndef KVO_SERVICES_PRIVACY_AUDIT_ACCESS_HISTORY_H_
#define KVO_SERVICES_PRIVACY_AUDIT_ACCESS_HISTORY_H_

#include "services/privacy/subject_records.h"

namespace kvo::privacy {

// Who accessed a subject's data, from the audit log
// (audit::PgAuditStore::AccessesOfSubject). Thread-safe.
class AuditAccessHistory final : public AccessHistory {
 public:
  std::vector<SubjectAccess> OfSubject(
      pqxx::transaction_base& tx, const std::string& subject) const override;
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_AUDIT_ACCESS_HISTORY_H_
