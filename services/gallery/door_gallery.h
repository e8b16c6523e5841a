#ifndef KVO_SERVICES_GALLERY_DOOR_GALLERY_H_
#define KVO_SERVICES_GALLERY_DOOR_GALLERY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/foreground_calls.h"
#include "services/common/metrics.h"
#include "services/common/rate_limiter.h"
#include "services/gallery/door_admission.h"
#include "services/gallery/door_cache.h"
#include "services/gallery/gallery_versions.h"
#include "services/gallery/pg_gallery_store.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"

namespace kvo::gallery {

// What one sync tells a device: one entry per person (the strongest card in
// force that the caller's door shows: collective cards of their areas, a
// shopkeeper's own shops' individual bans), the persons to purge, and the
// version it now holds.
struct DoorSync {
  // Read only: an entry of the door's cache is shared with it, not copied
  // (a full sync's thumbnails are most of its bytes).
  std::vector<std::shared_ptr<const kvo::v1::GalleryEntry>> entries;
  std::vector<int64_t> removed;  // persons (entry ids)
  int64_t version = 0;
  // The device's version was newer than the server's: drop everything and
  // keep what this sync sent.
  bool reset = false;
  // Nothing for the device and no damaged record met: counted, not logged.
  bool no_change = false;
};

// The door's use cases, for every adapter (gRPC and the door page): the
// per-person delta sync of the caller's areas and the audited full photo.
// A sync that finds nothing new is answered from GalleryVersions without the
// database and writes no audit entry; one that discloses N persons writes
// one entry naming them; every photo view is audited with the purpose the
// adapter names. Per-principal hourly limits of policy/ rate_limits give
// RESOURCE_EXHAUSTED and set `*retry_after_s`: photo views are counted in
// `photo_limit` (kvod's holds across replicas: common::PgRateLimiter; when
// it cannot count, the view is refused UNAVAILABLE), syncs in this
// process's memory, because a no-change sync must not reach the database
// (with N replicas a device may sync N times as often; a sync discloses
// nothing a device does not already hold unless the registry changed, and
// every disclosure is audited). What is in force is decided
// at `clock`'s now. Neither a sync nor a photo is served unless `admission`
// lets the caller in (licence first): FAILED_PRECONDITION, audited, with
// its reason. Every sync's outcome is counted in common::ProcessMetrics()
// (kvo_door_syncs_total). Thread-safe.
class DoorGallery final {
 public:
  DoorGallery(const kvo::v1::Policy& policy, common::DbPool& pool,
              identity::RpcGuard& guard, const registry::KeyRing& keys,
              GalleryVersions& versions, DoorAdmission& admission,
              const common::Clock& clock, common::RateLimit& photo_limit,
              common::ForegroundCalls* foreground = nullptr);

  absl::StatusOr<DoorSync> Sync(const identity::Call& call,
                                const kvo::v1::SyncGalleryRequest& request,
                                int64_t* retry_after_s);
  // Sync in two halves, for an adapter that must not block its thread on
  // the database: SyncFromMemory answers what needs no database (a refusal
  // by the limit, the request or the admission, which answers from memory
  // nearly always, and a sync that finds nothing new) and nullopt for the
  // rest, which SyncFromDatabase then does on a thread that may block. The
  // two together are Sync; each counts what it answered.
  std::optional<absl::StatusOr<DoorSync>> SyncFromMemory(
      const identity::Call& call, const kvo::v1::SyncGalleryRequest& request,
      int64_t* retry_after_s);
  absl::StatusOr<DoorSync> SyncFromDatabase(
      const identity::Call& call, const kvo::v1::SyncGalleryRequest& request);
  // NOT_FOUND for a person not shown at the caller's door (no collective
  // card in force in the caller's areas, no individual ban of the caller's
  // own shop in force: door_visibility.h) or without a photo; the refusal
  // is audited.
  absl::StatusOr<kvo::v1::Photo> GetPhoto(
      const identity::Call& call, const kvo::v1::GetPhotoRequest& request,
      absl::string_view purpose, int64_t* retry_after_s);

 private:
  static constexpr size_t kDoorCacheBytes = 256 << 20;
  static constexpr size_t kThumbnailCacheBytes = 128 << 20;
  static constexpr size_t kPhotoCacheBytes = 64 << 20;

  // SyncFromMemory without counting its outcome.
  std::optional<absl::StatusOr<DoorSync>> AnswerFromMemory(
      const identity::Call& call, const kvo::v1::SyncGalleryRequest& request,
      int64_t* retry_after_s);
  // SyncFromDatabase without counting its outcome.
  absl::StatusOr<DoorSync> SyncUncounted(
      const identity::Call& call, const kvo::v1::SyncGalleryRequest& request);
  // The answer to a device at `since` when GalleryVersions knows nothing
  // changed for `areas`.
  std::optional<DoorSync> NoChange(const std::vector<int64_t>& areas,
                                   int64_t since, absl::Time now) const;
  // kvo_door_syncs_total, by what `out` was.
  void Count(const kvo::v1::SyncGalleryRequest& request,
             const absl::StatusOr<DoorSync>& out);
  // A full sync answered from DoorCache, if every area has a current
  // snapshot: the audit entry is its only database work.
  std::optional<absl::StatusOr<DoorSync>> FullSyncFromCache(
      const identity::Call& call, const GalleryVersions::View& view);
  // The admission's answer; a refusal is audited first.
  absl::Status Admit(const identity::Call& call, absl::string_view action);
  absl::Status Limit(common::RateLimit& limit, const identity::Call& call,
                     absl::string_view what, int per_hour,
                     int64_t* retry_after_s);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const registry::KeyRing& keys_;
  GalleryVersions& versions_;
  DoorAdmission& admission_;
  const common::Clock& clock_;
  // Syncs and photo views are marked in flight here (may be null).
  common::ForegroundCalls* foreground_;
  DoorCache door_{kDoorCacheBytes};
  ThumbnailCache thumbnails_{kThumbnailCacheBytes};
  SealedCache<SealedPhoto> photos_{kPhotoCacheBytes};
  common::RateLimiter sync_limiter_{std::chrono::hours(1)};
  common::RateLimit& photo_limiter_;
  // kvo_door_syncs_total by outcome: no_change, delta, full, refused.
  common::Counter& synced_no_change_;
  common::Counter& synced_delta_;
  common::Counter& synced_full_;
  common::Counter& sync_refused_;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_GALLERY_H_
