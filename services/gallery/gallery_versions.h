#ifndef KVO_SERVICES_GALLERY_GALLERY_VERSIONS_H_
#define KVO_SERVICES_GALLERY_GALLERY_VERSIONS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/common/db_pool.h"
#include "services/gallery/pg_gallery_store.h"

namespace kvo::gallery {

// The gallery's versions per area, in memory, so that a sync that finds
// nothing new costs no query. Kept current by the writers of this process
// (Advance) and, across replicas, by LISTEN on PgGalleryStore::kChannel: a
// listener thread on its own connection re-reads the areas it hears about.
// While the listener is down (the database restarted) the state is not
// trusted and Lookup answers nullopt, so callers read the database instead.
// Thread-safe.
class GalleryVersions final {
 public:
  explicit GalleryVersions(common::DbPool& pool);
  ~GalleryVersions() { Stop(); }

  // Starts the listener, which loads every area once it listens.
  void Start();
  void Stop();

  struct View {
    int64_t version = 0;      // the newest version that touched the areas
    int64_t newest = 0;       // the newest version of the registry
    bool expiry_due = false;  // a card of the areas expired since: sweep
    std::vector<int64_t> area_versions;  // each area's, in the order asked
  };
  // nullopt while the state is not trusted.
  std::optional<View> Lookup(absl::Span<const int64_t> areas,
                             absl::Time now) const;
  // While the listener is down: the state as it was when it went down, if
  // that was less than `within` ago (else nullopt). Only for a caller that
  // could not reach the database either: during a failover nothing can
  // change the gallery, so a door at this version is still current.
  std::optional<View> LastKnown(absl::Span<const int64_t> areas, absl::Time now,
                                absl::Duration within) const;

  // The areas whose next expiry is at or before `now`.
  std::vector<int64_t> DueAreas(absl::Time now) const;

  // A writer of this process committed `version` touching `area`; a card
  // there now expires at `expiry` (if given).
  void Advance(int64_t area, int64_t version,
               std::optional<absl::Time> expiry = std::nullopt);
  // Asks the sequencer thread to version the changes the caller committed
  // in `areas` (and any a crash left behind), without waiting: one round
  // serves every writer that asked meanwhile, in one transaction, so writers
  // never queue on the version counter one by one.
  void RequestSequencing(absl::Span<const int64_t> areas);
  // Waits (at most a second) until every round asked for so far for one of
  // `areas` is done and this process's state advanced: a sync after a change
  // made through this process sees it, and a door never waits for changes
  // in areas it does not see. Costs a mutex when nothing is pending there.
  void AwaitSequencing(absl::Span<const int64_t> areas);
  // Whether AwaitSequencing(areas) would wait now (never waits itself).
  bool SequencingPending(absl::Span<const int64_t> areas) const;

  // Replaces the state of the areas with what the database says.
  void Set(const std::map<int64_t, AreaState>& states, int64_t newest = 0);

  // Waits until the listener has loaded the state (tests, start-up).
  bool WaitUntilTrusted(absl::Duration timeout) const;

  // Called from the listener thread when a replica announced that door
  // admission changed (AnnounceAdmissionChange), and each time the
  // listener (re)connects (what it missed meanwhile). Set before Start.
  void OnAdmissionChange(std::function<void()> fn) {
    on_admission_change_ = std::move(fn);
  }
  // This process committed an admission change (and announced it): what
  // is kept is forgotten now, so the caller's next request sees it, not
  // only once the announcement comes back through the listener.
  void AdmissionChangedHere() {
    if (on_admission_change_) on_admission_change_();
  }

 private:
  void Listen();
  void Sequence();
  // With mu_ held.
  View ViewOf(absl::Span<const int64_t> areas, absl::Time now) const;

  common::DbPool& pool_;
  std::function<void()> on_admission_change_;
  // Tags this process's sequencing rounds in their notifications.
  const std::string origin_;
  mutable std::mutex mu_;
  std::map<int64_t, AreaState> areas_;  // guarded by mu_
  int64_t newest_ = 0;                  // guarded by mu_
  bool trusted_ = false;                // guarded by mu_
  // When trusted_ last went from true to false.
  std::chrono::steady_clock::time_point lost_at_;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread listener_;
  std::thread sequencer_;
  mutable std::mutex seq_mu_;
  std::condition_variable seq_cv_;
  uint64_t seq_requested_ = 0;  // guarded by seq_mu_
  uint64_t seq_completed_ = 0;  // guarded by seq_mu_
  // The last round each area asked for.
  std::map<int64_t, uint64_t> seq_asked_;  // guarded by seq_mu_
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_VERSIONS_H_
