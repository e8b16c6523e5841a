#include "services/registry/integrity_alarm.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"
#include "services/registry/vault.h"

namespace kvo::registry {

void RaiseIntegrityAlarm(pqxx::transaction_base& tx,
                         const identity::RpcGuard& guard,
                         const identity::Call& call,
                         absl::string_view list_action, const PersonRow& person,
                         const absl::Status& status) {
  const std::string subject = AuditSubject(person);
  const std::string principal = std::to_string(call.caller.principal_id);
  // The status names the person by id and the field, never a value.
  common::LogError("sealed person record does not open; skipped in a list",
                   {{"alarm", "integrity"},
                    {"subject", subject},
                    {"list", list_action},
                    {"principal", principal},
                    {"request_id", call.request_id},
                    {"detail", status.message()}});
  audit::PgAuditStore::Append(
      tx, guard.Record(call, "integrity.alarm", subject,
                       absl::StrCat(list_action,
                                    ": sealed record does not open, skipped"),
                       audit::Outcome::kError));
}

}  // namespace kvo::registry
