#include "services/cycle/schouw_photo_retention.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/local_time.h"
#include "services/cycle/pg_cycle_store.h"
#include "services/cycle/schouw_photo_rules.h"

namespace kvo::cycle {
namespace {

common::RetentionItem Item(pqxx::transaction_base& tx, const std::string& kind,
                           const std::vector<DuePhotoRow>& rows,
                           absl::Time cutoff, int days) {
  common::RetentionItem item;
  item.kind = kind;
  item.count = rows.size();
  for (const DuePhotoRow& r : rows) {
    if (item.subjects.size() >= common::kMaxSubjects) break;
    item.subjects.push_back(absl::StrCat("schouw-finding:", r.finding_id));
  }
  if (auto first = PgCycleStore::FirstResolutionWithPhoto(tx, cutoff)) {
    item.next_due =
        absl::FromCivil(SchouwPhotoDueOn(*first, days), common::Amsterdam());
  }
  return item;
}

}  // namespace

common::RetentionItem SchouwPhotoRetention::Due(pqxx::transaction_base& tx,
                                                absl::Time now) {
  const absl::Time cutoff = SchouwPhotoCutoff(now, days_);
  return Item(tx, kind(), PgCycleStore::PhotosResolvedBefore(tx, cutoff),
              cutoff, days_);
}

common::RetentionItem SchouwPhotoRetention::Apply(pqxx::transaction_base& tx,
                                                  absl::Time now) {
  const absl::Time cutoff = SchouwPhotoCutoff(now, days_);
  return Item(tx, kind(),
              PgCycleStore::DeletePhotosResolvedBefore(tx, cutoff, now), cutoff,
              days_);
}

}  // namespace kvo::cycle
