#include "services/audit/integrity_alarm.h"

#include <string>

#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"
#include "services/common/metrics.h"

namespace kvo::audit {

namespace {

common::Counter& AlarmCounter(absl::string_view alarm) {
  return common::ProcessMetrics().GetCounter(
      "kvo_integrity_alarms_total",
      "Integrity alarms raised, by kind: record (a stored value that does "
      "not check out), audit_integrity (the log contradicts the witness), "
      "audit_sealing (the log stopped being sealed).",
      {{"alarm", std::string(alarm)}});
}

// Every kind has its series from the start: a dashboard shows 0, not
// nothing, until the first alarm.
const bool kAlarmKindsRegistered = [] {
  for (const char* alarm : {"record", "audit_integrity", "audit_sealing"}) {
    AlarmCounter(alarm);
  }
  return true;
}();

}  // namespace

void CountIntegrityAlarm(absl::string_view alarm) {
  // Rare: the registry's lock per alarm is no cost.
  AlarmCounter(alarm).Increment();
}

void RaiseIntegrityAlarm(pqxx::transaction_base& tx, AuditRecord record,
                         absl::string_view what, absl::string_view detail) {
  CountIntegrityAlarm("record");
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
