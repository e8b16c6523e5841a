#include "services/audit/integrity_alarm.h"

#include <string>

#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"

namespace kvo::audit {

void RaiseIntegrityAlarm(pqxx::transaction_base& tx, AuditRecord record,
                         absl::string_view what, absl::string_view detail) {
  const std::string principal = std::to_string(record.principal_id);
  common::LogError("integrity check failed; not used",
                   {{"alarm", "integrity"},
                    {"subject", record.subject},
                    {"what", what},
                    {"principal", principal},
                    {"request_id", record.request_id},
                    {"detail", detail}});
  record.action = "integrity.alarm";
  record.purpose = std::string(what);
  record.outcome = Outcome::kError;
  PgAuditStore::Append(tx, record);
}

}  // namespace kvo::audit
