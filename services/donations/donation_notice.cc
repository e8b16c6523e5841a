#include "services/donations/donation_notice.h"

#include "services/donations/claim_letters.h"
#include "services/donations/claim_rules.h"
#include "services/donations/pg_donation_store.h"

namespace kvo::donations {

absl::StatusOr<registry::NoticeClaim> DonationNoticeClaims::ForIncident(
    pqxx::transaction_base& tx, int64_t incident_id, int64_t person_id,
    const std::string& language, const notice::Letterhead& sender) const {
  registry::NoticeClaim out;
  auto row = PgDonationStore::ClaimOfIncident(tx, incident_id, person_id);
  if (!row) return out;
  auto due = Deadline(row->claim);
  if (!due) return out;  // settled: nothing to pay
  if (auto s = notice::CheckPaymentDetails(sender); !s.ok()) return s;
  out.heading = NoticeClaimHeading(language);
  out.lines =
      NoticeClaimLines({row->claim.Balance(), *due, row->payment_reference,
                        sender.payee, sender.iban},
                       language);
  return out;
}

}  // namespace kvo::donations
