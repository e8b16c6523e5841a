#ifndef KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
#define KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/rate_limiter.h"
#include "services/gallery/door_admission.h"
#include "services/gallery/door_cache.h"
#include "services/gallery/gallery_versions.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"

namespace kvo::gallery {

// The gRPC adapter of photos and the door gallery. Photos go through
// photos::ProcessPhoto (checked, upright, stripped, normalised) and are
// sealed with the person's data key. A sync that finds nothing new for the
// caller's areas is answered from GalleryVersions without the database and
// writes no audit entry; one that discloses N entries writes one entry
// naming the N pseudonymous ids; every photo view is audited. Per-principal
// limits of policy/ rate_limits give RESOURCE_EXHAUSTED with when to retry.
// What is in force is decided at `clock`'s now. Neither a sync nor a photo
// is served unless `admission` lets the caller in (licence first):
// FAILED_PRECONDITION, audited, with its reason. Thread-safe.
class GalleryServiceImpl final : public kvo::v1::GalleryService::Service {
 public:
  GalleryServiceImpl(const kvo::v1::Policy& policy, common::DbPool& pool,
                     identity::RpcGuard& guard, const registry::KeyRing& keys,
                     GalleryVersions& versions, DoorAdmission& admission,
                     const common::Clock& clock);

  grpc::Status UploadPhoto(
      grpc::ServerContext* context,
      grpc::ServerReader<kvo::v1::UploadPhotoRequest>* reader,
      kvo::v1::PhotoInfo* response) override;
  grpc::Status SyncGallery(
      grpc::ServerContext* context, const kvo::v1::SyncGalleryRequest* request,
      grpc::ServerWriter<kvo::v1::GalleryUpdate>* writer) override;
  grpc::Status GetPhoto(grpc::ServerContext* context,
                        const kvo::v1::GetPhotoRequest* request,
                        kvo::v1::Photo* response) override;

 private:
  static constexpr size_t kDoorCacheBytes = 256 << 20;
  static constexpr size_t kThumbnailCacheBytes = 128 << 20;

  // A full sync answered from DoorCache, if every area has a current
  // snapshot: the audit entry is its only database work.
  std::optional<grpc::Status> FullSyncFromCache(
      const identity::Call& call, const GalleryVersions::View& view,
      grpc::ServerWriter<kvo::v1::GalleryUpdate>* writer);
  // The admission's answer; a refusal is audited first.
  absl::Status Admit(const identity::Call& call, absl::string_view action);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const registry::KeyRing& keys_;
  GalleryVersions& versions_;
  DoorAdmission& admission_;
  const common::Clock& clock_;
  DoorCache door_{kDoorCacheBytes};
  ThumbnailCache thumbnails_{kThumbnailCacheBytes};
  common::RateLimiter limiter_{std::chrono::hours(1)};
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
