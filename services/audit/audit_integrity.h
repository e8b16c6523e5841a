#ifndef KVO_SERVICES_AUDIT_AUDIT_INTEGRITY_H_
#define KVO_SERVICES_AUDIT_AUDIT_INTEGRITY_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kvo::audit {

// Whether this kvod can still trust the audit log. The sequencer trips it
// when the database's log contradicts a head this kvod witnessed (rows
// forged before sequencing are quarantined, not tripped on); from then on
// kvod fails closed: every call that would disclose or change personal data
// answers UNAVAILABLE (see RpcGuard), health reports NOT_SERVING, and an
// alarm is logged. A restart does not clear it while the witness still
// disagrees: the database must be made whole again.
//
// Besides that lasting failure, kvod fails closed the same way, but only
// while it lasts, when the log is not being sealed: entries wait longer
// than the policy's max_unsequenced_seconds for a signed head (SetSealing;
// the AuditWatch decides). Writes kvod cannot seal are not acknowledged.
// Thread-safe; Check() is one atomic load on the hot path.
class AuditIntegrity final {
 public:
  // Trusted until told otherwise; kvo_audit_log_trusted says so from the
  // start.
  AuditIntegrity() { Publish(); }
  // Records the first failure (later ones are logged, not kept) and logs an
  // alarm line. `reason` names what is wrong, never entry contents.
  void Trip(absl::string_view reason);
  // Called once, on the tripping thread, with the reason (health turns
  // NOT_SERVING). Set before any thread can trip it.
  void SetListener(std::function<void(absl::string_view)> listener) {
    listener_ = std::move(listener);
  }
  // Whether the log is being sealed; `reason` (when not) names why. The
  // listener hears every change; the alarm is logged once per stall.
  void SetSealing(bool sealing, absl::string_view reason = "");
  bool ok() const { return ok_.load(std::memory_order_acquire); }
  // Tripped for good (not merely stalled).
  bool tripped() const;
  std::string reason() const;
  // OK, or UNAVAILABLE "audit integrity failure: <reason>; ..." (or "audit
  // log not sealed: <reason>; ..." while only sealing stalls).
  absl::Status Check() const;

 private:
  void Publish();  // ok_ from both conditions; caller holds mu_

  std::atomic<bool> ok_{true};
  mutable std::mutex mu_;
  std::string reason_;
  std::string stalled_;  // non-empty while sealing stalls
  std::function<void(absl::string_view)> listener_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_INTEGRITY_H_
