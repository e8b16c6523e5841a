#include "services/audit/audit_integrity.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

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
  common::LogError("ALARM: audit integrity failure; kvod refuses disclosures",
                   {{"alarm", "audit_integrity"}, {"detail", reason}});
}

void AuditIntegrity::Publish() {
  ok_.store(reason_.empty() && stalled_.empty(), std::memory_order_release);
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
