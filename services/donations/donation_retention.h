#ifndef KVO_SERVICES_DONATIONS_DONATION_RETENTION_H_
#define KVO_SERVICES_DONATIONS_DONATION_RETENTION_H_

#include "services/common/retention_rule.h"
#include "services/donations/claim_parties.h"
#include "services/registry/person_holds.h"

namespace kvo::donations {

// Kind "claim_link", plugged into the one retention job: the personal data
// of a claim is its link to the person. It goes delete_after_payment_days
// after the claim was settled (paid, waived, lapsed, refunded) and at the
// latest max_retention_unpaid_days after the claim was created, unpaid or
// not (then the bailiff has it). The money facts stay for the reports.
// Days are Europe/Amsterdam days of the job's clock. Subjects are
// "person:<pseudonym>".
class ClaimLinkRetention final : public common::RetentionRule {
 public:
  ClaimLinkRetention(int after_settled_days, int max_days,
                     const ClaimParties& parties)
      : after_settled_days_(after_settled_days),
        max_days_(max_days),
        parties_(parties) {}
  std::string kind() const override { return "claim_link"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  common::RetentionItem Collect(pqxx::transaction_base& tx, absl::Time now,
                                bool apply);

  const int after_settled_days_;
  const int max_days_;
  const ClaimParties& parties_;
};

// The registry keeps a person whose cards ended while a claim is still
// linked to them: the claim's own rule above decides when that ends.
class ClaimPersonHolds final : public registry::PersonHolds {
 public:
  bool Holds(pqxx::transaction_base& tx, int64_t person_id) const override;
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_DONATION_RETENTION_H_
