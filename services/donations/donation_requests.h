#ifndef KVO_SERVICES_DONATIONS_DONATION_REQUESTS_H_
#define KVO_SERVICES_DONATIONS_DONATION_REQUESTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/donations.pb.h"
#include "services/donations/claim_rules.h"

namespace kvo::donations {

// What each donation request must hold on its own: ids, amounts (whole
// cents, more than 0), the currency (EUR only), keys, dates, texts. What
// needs the database (the claim's state, the outstanding amount, the
// area) stays with the use cases. OK, or INVALID_ARGUMENT naming the field
// and its kvo flag. Pure; thread-safe.

inline constexpr int kMaxPersonsPerCase = 20;
inline constexpr char kCurrency[] = "EUR";

// The distinct persons of a valid request, in the order given.
absl::StatusOr<std::vector<int64_t>> ValidateCreateCaseRequest(
    const kvo::v1::CreateCaseRequest& r);
absl::Status ValidateGetCaseRequest(const kvo::v1::GetCaseRequest& r);
absl::Status ValidateGetClaimRequest(const kvo::v1::GetClaimRequest& r);
absl::Status ValidateListClaimsRequest(const kvo::v1::ListClaimsRequest& r);
// The payment reference, when given, is returned without spaces.
absl::StatusOr<std::string> ValidateRecordPaymentRequest(
    const kvo::v1::RecordPaymentRequest& r);
absl::StatusOr<std::vector<Instalment>> ValidatePlanInstalmentsRequest(
    const kvo::v1::PlanInstalmentsRequest& r);
absl::Status ValidateWaiveClaimRequest(const kvo::v1::WaiveClaimRequest& r);
absl::Status ValidateDismissClaimRequest(const kvo::v1::DismissClaimRequest& r);
absl::Status ValidateRecordRefundRequest(const kvo::v1::RecordRefundRequest& r);
absl::Status ValidateRemindClaimRequest(const kvo::v1::RemindClaimRequest& r);

struct ReportPeriod {
  absl::CivilDay from;
  absl::CivilDay to;
};
absl::StatusOr<ReportPeriod> ValidateDonationReportRequest(
    const kvo::v1::DonationReportRequest& r);

// The fields a provider event must have before its signature is checked.
absl::Status ValidateProviderEventRequest(
    const kvo::v1::ProviderEventRequest& r);
// The signed body (JSON of ProviderPayment): a valid reference, whole
// cents more than 0 (a fraction does not parse), EUR.
absl::StatusOr<kvo::v1::ProviderPayment> ParseProviderPayment(
    const std::string& body);

// A YYYY-MM-DD date; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text,
                                        const std::string& field);

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_DONATION_REQUESTS_H_
