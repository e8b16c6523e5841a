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
  }
  ok_.store(false, std::memory_order_release);
  if (first && listener_) listener_(reason);
  common::LogError("ALARM: audit integrity failure; kvod refuses disclosures",
                   {{"alarm", "audit_integrity"}, {"detail", reason}});
}

std::string AuditIntegrity::reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

absl::Status AuditIntegrity::Check() const {
  if (ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "audit integrity failure: ", reason(),
      "; kvod refuses to disclose or change personal data until the log is "
      "whole again (kvo audit verify names what is wrong; restore the "
      "database from a backup its witness file agrees with)"));
}

}  // namespace kvo::audit
