#include "services/gallery/expiry_sweeper.h"

#include "services/common/log.h"

namespace kvo::gallery {

std::map<int64_t, AreaState> SweepExpired(pqxx::transaction_base& tx,
                                          const std::vector<int64_t>& areas,
                                          absl::Time now, int grace_days) {
  PgGalleryStore::RecordChanges(tx,
                                PgGalleryStore::SweepExpired(tx, areas, now));
  // Sequenced in the same transaction: a sync that swept reports the
  // removals under the version it answers with.
  PgGalleryStore::SequencePending(tx);
  PgGalleryStore::DeletePhotosPastRetention(tx, now, grace_days);
  return PgGalleryStore::AreaStates(tx, areas);
}

void ExpirySweeper::Start() {
  stop_ = false;
  thread_ = std::thread([this] {
    while (!stop_) {
      if (auto swept = RunOnce(); !swept.ok()) {
        common::LogWarn("expiry sweep failed",
                        {{"detail", swept.status().message()}});
      }
      const auto until = std::chrono::steady_clock::now() + interval_;
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
}

void ExpirySweeper::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::vector<int64_t>> ExpirySweeper::RunOnce() {
  const absl::Time now = clock_.Now();
  const std::vector<int64_t> due = versions_.DueAreas(now);
  auto states = pool_.InTransaction(
      "sweep expired cards",
      [&](pqxx::work& tx) -> absl::StatusOr<std::map<int64_t, AreaState>> {
        if (due.empty()) {
          // Nothing ended: changes a crash left unsequenced, and photos
          // whose grace period ran out.
          PgGalleryStore::SequencePending(tx);
          PgGalleryStore::DeletePhotosPastRetention(tx, now, grace_days_);
          return std::map<int64_t, AreaState>{};
        }
        return SweepExpired(tx, due, now, grace_days_);
      });
  if (!states.ok()) return states.status();
  versions_.Set(*states);
  return due;
}

}  // namespace kvo::gallery
