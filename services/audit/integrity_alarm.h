#ifndef KVO_SERVICES_AUDIT_INTEGRITY_ALARM_H_
#define KVO_SERVICES_AUDIT_INTEGRITY_ALARM_H_

#include <pqxx/pqxx>

#include "absl/strings/string_view.h"
#include "services/audit/audit_entry.h"

namespace kvo::audit {

// The integrity alarm of every module: something kvod stored does not check
// out (a sealed value that does not open, a row changed outside kvod) and
// was not used. Logs an error line with "alarm": "integrity", the record's
// subject, principal and request, `what` and `detail`; and appends `record`
// to `tx` as action "integrity.alarm", outcome error, `what` as its purpose.
// `record` names the row by pseudonymous id ("principal:12"), `what` and
// `detail` never hold a value of the row.
// Counts it in common::ProcessMetrics() as
// kvo_integrity_alarms_total{alarm="record"}.
void RaiseIntegrityAlarm(pqxx::transaction_base& tx, AuditRecord record,
                         absl::string_view what, absl::string_view detail = "");

// Counts one alarm of kind `alarm` (the log line's "alarm" field: "record",
// "audit_integrity", "audit_sealing") in kvo_integrity_alarms_total.
void CountIntegrityAlarm(absl::string_view alarm);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_INTEGRITY_ALARM_H_
