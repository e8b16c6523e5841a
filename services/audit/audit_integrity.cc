#include "services/audit/audit_integrity.h"

#include "absl/strings/str_cat.h"
#include "services/audit/integrity_alarm.h"
#include "services/common/log.h"
#include "services/common/metrics.h"

namespace kvo::audit {

void AuditIntegrity::Trip(absl::string_view reason) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    first = reason_.empty();
    if (first) reason_ = std::string(reason);
    Publish();
  }
  if (first && listener_) listener_(reason);
  CountIntegrityAlarm("audit_integrity");
  common::LogError("ALARM: audit integrity failure; kvod refuses disclosures",
                   {{"alarm", "audit_integrity"}, {"detail", reason}});
}

void AuditIntegrity::Publish() {
  const bool ok = reason_.empty() && stalled_.empty();
  ok_.store(ok, std::memory_order_release);
  static common::Gauge& trusted = common::ProcessMetrics().GetGauge(
      "kvo_audit_log_trusted",
      "1 while this kvod trusts the audit log (sealed, no contradiction), "
      "else 0: it refuses disclosures.");
  trusted.Set(ok ? 1 : 0);
}

void AuditIntegrity::SetSealing(bool sealing, absl::string_view reason) {
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    changed = stalled_.empty() == !sealing;
    stalled_ = sealing ? "" : std::string(reason.empty() ? "stalled" : reason);
    Publish();
  }
  if (!changed) return;
  if (listener_) listener_(reason);
  if (sealing) {
    common::LogInfo("audit log sealed again; kvod serves disclosures again");
  } else {
    CountIntegrityAlarm("audit_sealing");
    common::LogError(
        "ALARM: the audit log is not being sealed; kvod refuses disclosures",
        {{"alarm", "audit_sealing"}, {"detail", reason}});
  }
}

bool AuditIntegrity::tripped() const {
  std::lock_guard lock(mu_);
  return !reason_.empty();
}

std::string AuditIntegrity::reason() const {
  std::lock_guard lock(mu_);
  return reason_.empty() ? stalled_ : reason_;
}

absl::Status AuditIntegrity::Check() const {
  if (ok()) return absl::OkStatus();
  if (!tripped()) {
    return absl::UnavailableError(absl::StrCat(
        "audit log not sealed: ", reason(),
        "; kvod refuses to disclose or change personal data until every "
        "entry is under a signed tree head again (see kvo audit verify and "
        "kvod's log)"));
  }
  return absl::UnavailableError(absl::StrCat(
      "audit integrity failure: ", reason(),
      "; kvod refuses to disclose or change personal data until the log is "
      "whole again (kvo audit verify names what is wrong; restore the "
      "database from a backup its witness file agrees with)"));
}

}  // namespace kvo::audit
