#ifndef KVO_SERVICES_DONATIONS_DONATION_NOTICE_H_
#define KVO_SERVICES_DONATIONS_DONATION_NOTICE_H_

#include "services/registry/notice_claims.h"

namespace kvo::donations {

// The donations side of the card's written notice (the interface the
// registry owns): a claim that still takes payments is stated with what
// is owed, where to pay it (the area's payee and IBAN), the next due date,
// the payment reference and what follows when it is not paid. Stateless;
// thread-safe.
class DonationNoticeClaims final : public registry::NoticeClaims {
 public:
  absl::StatusOr<registry::NoticeClaim> ForIncident(
      pqxx::transaction_base& tx, int64_t incident_id, int64_t person_id,
      const std::string& language,
      const notice::Letterhead& sender) const override;
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_DONATION_NOTICE_H_
