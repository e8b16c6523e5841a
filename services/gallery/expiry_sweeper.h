#ifndef KVO_SERVICES_GALLERY_EXPIRY_SWEEPER_H_
#define KVO_SERVICES_GALLERY_EXPIRY_SWEEPER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/gallery/gallery_versions.h"
#include "services/gallery/pg_gallery_store.h"

namespace kvo::gallery {

// What happens when time passes, in the caller's transaction: the areas'
// collective cards that ended by `now` are logged as removals and sequenced
// (moving the version), and photos no card in force needs any more (after
// `grace_days`, policy retention.card_grace_days) are deleted. Returns the
// areas' new states for GalleryVersions.
std::map<int64_t, AreaState> SweepExpired(pqxx::transaction_base& tx,
                                          const std::vector<int64_t>& areas,
                                          absl::Time now, int grace_days);

// Runs SweepExpired every `interval` for the areas whose next expiry has
// come by `clock`, so versions move and photos go even when no device
// syncs. Every replica may run one: a card is logged once, whoever comes
// first.
class ExpirySweeper final {
 public:
  ExpirySweeper(common::DbPool& pool, GalleryVersions& versions,
                const common::Clock& clock, int grace_days,
                std::chrono::milliseconds interval)
      : pool_(pool),
        versions_(versions),
        clock_(clock),
        grace_days_(grace_days),
        interval_(interval) {}
  ~ExpirySweeper() { Stop(); }

  void Start();
  void Stop();
  // One sweep at the clock's now: the areas swept (tests, and the thread's
  // loop).
  absl::StatusOr<std::vector<int64_t>> RunOnce();

 private:
  common::DbPool& pool_;
  GalleryVersions& versions_;
  const common::Clock& clock_;
  const int grace_days_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_EXPIRY_SWEEPER_H_
