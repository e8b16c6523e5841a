#ifndef KVO_SERVICES_REGISTRY_POLICE_REPORTS_H_
#define KVO_SERVICES_REGISTRY_POLICE_REPORTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/notice/letterhead.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// The police report (aangifte) of an incident, for every adapter: recording
// its number after the incident was recorded, and the PDF a shop hands to
// the police. Both are for a shopkeeper or security of the incident's own
// shop, the area's coordinator and police (the access table decides the
// roles, the guard the area, this class the shop; refusals are audited).
//
// Record: the number (format: CheckPoliceReportNumber) is sealed with the
// person's key like the incident's other texts and has_police_report is
// set (the reduction report counts it); the same number again is OK and
// changes nothing, another one once a number is recorded is
// FAILED_PRECONDITION. Audited in the same transaction.
//
// Pdf: Dutch, dated today in the area's place; the person as the shop may
// know them (name and personal description, never beheerder-only fields,
// other incidents or cards); the disclosure is audited in the transaction
// that renders it, so no bytes leave unaudited.
//
// Errors: INVALID_ARGUMENT naming the field and its kvo flag, NOT_FOUND
// (incident), PERMISSION_DENIED (area, another shop), FAILED_PRECONDITION
// (another number recorded; the person was erased). Thread-safe.
class PoliceReports final {
 public:
  PoliceReports(const kvo::v1::Policy& policy, common::DbPool& pool,
                identity::RpcGuard& guard, const KeyRing& keys,
                const common::Clock& clock,
                const notice::Letterheads& letterheads)
      : policy_(policy),
        pool_(pool),
        guard_(guard),
        keys_(keys),
        clock_(clock),
        letterheads_(letterheads) {}

  absl::StatusOr<kvo::v1::Incident> Record(
      const identity::Call& call,
      const kvo::v1::RecordPoliceReportRequest& request);
  absl::StatusOr<std::string> Pdf(
      const identity::Call& call,
      const kvo::v1::GetPoliceReportPdfRequest& request);

 private:
  // NOT_FOUND, or the refusal (audited) of a caller who may not act for
  // the incident's shop; `action` names the audit action.
  absl::Status Authorize(const identity::Call& call, int64_t incident_id,
                         const char* action);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  const common::Clock& clock_;
  const notice::Letterheads& letterheads_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_POLICE_REPORTS_H_
