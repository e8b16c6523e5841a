#include "services/registry/integrity_alarm.h"

#include "absl/strings/str_cat.h"
#include "services/audit/integrity_alarm.h"
#include "services/registry/vault.h"

namespace kvo::registry {

void RaiseIntegrityAlarm(pqxx::transaction_base& tx,
                         const identity::RpcGuard& guard,
                         const identity::Call& call,
                         absl::string_view list_action, const PersonRow& person,
                         const absl::Status& status) {
  // The status names the person by id and the field, never a value.
  audit::RaiseIntegrityAlarm(
      tx, guard.Record(call, list_action, AuditSubject(person), ""),
      absl::StrCat(list_action, ": sealed record does not open, skipped"),
      status.message());
}

}  // namespace kvo::registry
