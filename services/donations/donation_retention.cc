#include "services/donations/donation_retention.h"

#include "absl/strings/str_cat.h"
#include "services/common/local_time.h"
#include "services/donations/pg_donation_store.h"

namespace kvo::donations {

common::RetentionItem ClaimLinkRetention::Collect(pqxx::transaction_base& tx,
                                                  absl::Time now, bool apply) {
  const absl::CivilDay today = absl::ToCivilDay(now, common::Amsterdam());
  common::RetentionItem item;
  item.kind = kind();
  const auto due =
      PgDonationStore::LinksDue(tx, today, after_settled_days_, max_days_);
  std::vector<int64_t> ids;
  for (const auto& [claim_id, person_id] : due) {
    ids.push_back(claim_id);
    if (item.subjects.size() < common::kMaxSubjects) {
      if (auto person = parties_.Person(tx, person_id)) {
        item.subjects.push_back(absl::StrCat("person:", person->pseudonym));
      }
    }
  }
  item.count = ids.size();
  if (apply && !ids.empty()) PgDonationStore::Unlink(tx, ids, now);
  if (auto next =
          PgDonationStore::NextLinkDue(tx, after_settled_days_, max_days_)) {
    item.next_due = absl::FromCivil(*next, common::Amsterdam());
  }
  return item;
}

common::RetentionItem ClaimLinkRetention::Due(pqxx::transaction_base& tx,
                                              absl::Time now) {
  return Collect(tx, now, false);
}

common::RetentionItem ClaimLinkRetention::Apply(pqxx::transaction_base& tx,
                                                absl::Time now) {
  return Collect(tx, now, true);
}

bool ClaimPersonHolds::Holds(pqxx::transaction_base& tx,
                             int64_t person_id) const {
  return PgDonationStore::LinkedToPerson(tx, person_id);
}

}  // namespace kvo::donations
