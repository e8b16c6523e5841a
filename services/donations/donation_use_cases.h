#ifndef KVO_SERVICES_DONATIONS_DONATION_USE_CASES_H_
#define KVO_SERVICES_DONATIONS_DONATION_USE_CASES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kvo/v1/donations.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/audit/audit_entry.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/donations/claim_parties.h"
#include "services/donations/claim_rules.h"
#include "services/notice/letterhead.h"

namespace kvo::donations {

// Who calls a use case, as the gRPC adapter knows it.
struct Actor {
  // The caller's audit record (the use case sets action and subject).
  audit::AuditRecord who;
  int64_t principal_id = 0;
  kvo::v1::Role role = kvo::v1::ROLE_UNSPECIFIED;
  // OK when the caller may act on `area_id` (the access table's own_areas
  // grant); a refusal is appended to the transaction, which the use case
  // commits before it returns the refusal.
  std::function<absl::Status(pqxx::transaction_base&, int64_t area_id)>
      check_area;
};

// Where the provider's shared secret comes from (--donations-secret-file,
// KVO_DONATIONS_SECRET); empty: provider events are refused.
struct ProviderConfig {
  std::string secret;
};

// The donation use cases: each owns its transaction, calls the pure rules
// (claim_rules.h), records through PgDonationStore and appends its audit
// entry there, naming the persons by pseudonym ("person:<pseudonym>").
// A refusal of bad input (INVALID_ARGUMENT, NOT_FOUND,
// FAILED_PRECONDITION, ALREADY_EXISTS, each naming the field or flag)
// writes nothing but its audit entry (outcome "denied"); so does a letter
// (reminder, collection, refund) for an area without a payee, IBAN and
// contact address: FAILED_PRECONDITION naming what to record. Results are
// kvo.v1 messages (plain data; no gRPC). Thread-safe.
class DonationUseCases final {
 public:
  DonationUseCases(const kvo::v1::Policy& policy, common::DbPool& pool,
                   const ClaimParties& parties,
                   const notice::Letterheads& letterheads,
                   const common::Clock& clock, ProviderConfig provider);

  absl::StatusOr<kvo::v1::DonationCase> CreateCase(
      const Actor& actor, const kvo::v1::CreateCaseRequest& in);
  absl::StatusOr<kvo::v1::DonationCase> GetCase(const Actor& actor,
                                                int64_t case_id);
  absl::StatusOr<kvo::v1::Claim> GetClaim(const Actor& actor, int64_t claim_id);
  absl::StatusOr<kvo::v1::ListClaimsResponse> ListClaims(
      const Actor& actor, const kvo::v1::ListClaimsRequest& in);
  absl::StatusOr<kvo::v1::PaymentResult> RecordPayment(
      const Actor& actor, const kvo::v1::RecordPaymentRequest& in);
  absl::StatusOr<kvo::v1::Claim> PlanInstalments(
      const Actor& actor, const kvo::v1::PlanInstalmentsRequest& in);
  absl::StatusOr<kvo::v1::Claim> Waive(const Actor& actor,
                                       const kvo::v1::WaiveClaimRequest& in);
  absl::StatusOr<kvo::v1::ClaimLetter> Dismiss(
      const Actor& actor, const kvo::v1::DismissClaimRequest& in);
  absl::StatusOr<kvo::v1::Claim> RecordRefund(
      const Actor& actor, const kvo::v1::RecordRefundRequest& in);
  absl::StatusOr<kvo::v1::ClaimLetter> Remind(
      const Actor& actor, const kvo::v1::RemindClaimRequest& in);
  absl::StatusOr<kvo::v1::DonationReport> Report(
      const Actor& actor, const kvo::v1::DonationReportRequest& in);
  // `who`: an unauthenticated record of the call (its peer and request id).
  // Refusals before the signature is verified go to `audit_unverified`
  // when given (the guard's per-address throttle: anyone can post here),
  // else are audited one by one.
  absl::StatusOr<kvo::v1::PaymentResult> ProviderEvent(
      audit::AuditRecord who, const kvo::v1::ProviderEventRequest& in,
      const std::function<void(const audit::AuditRecord&)>& audit_unverified =
          {});

 private:
  // One step on one claim: lock, area, the rule, record, audit.
  absl::StatusOr<kvo::v1::ClaimLetter> ChangeClaim(
      const Actor& actor, int64_t claim_id, const std::string& action,
      const std::function<absl::StatusOr<Step>(const Claim&, absl::CivilDay)>&
          rule,
      const std::string& dismiss_reason, const std::string& letter_kind);
  absl::Status Refused(const audit::AuditRecord& who, const std::string& action,
                       absl::Status status);
  absl::CivilDay Today() const;

  const kvo::v1::Policy& policy_;
  const DonationTerms terms_;
  common::DbPool& pool_;
  const ClaimParties& parties_;
  const notice::Letterheads& letterheads_;
  const common::Clock& clock_;
  const ProviderConfig provider_;
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_DONATION_USE_CASES_H_
