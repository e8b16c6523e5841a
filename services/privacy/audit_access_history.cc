#include "services/privacy/audit_access_history.h"

#include "services/audit/pg_audit_store.h"

namespace kvo::privacy {

std::vector<SubjectAccess> AuditAccessHistory::OfSubject(
    pqxx::transaction_base& tx, const std::string& subject) const {
  std::vector<SubjectAccess> out;
  for (auto& row : audit::PgAuditStore::AccessesOfSubject(tx, subject)) {
    out.push_back({absl::FromUnixMicros(row.at_micros), std::move(row.role),
                   std::move(row.areas), std::move(row.action),
                   std::move(row.purpose)});
  }
  return out;
}

}  // namespace kvo::privacy
