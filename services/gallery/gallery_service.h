#ifndef KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
#define KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/gallery/door_gallery.h"
#include "services/gallery/gallery_versions.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"

namespace kvo::gallery {

// The gRPC adapter of photos and the door gallery. Photos go through
// photos::ProcessPhoto (checked, upright, stripped, normalised) and are
// sealed with the person's data key. SyncGallery and GetPhoto are `door`'s
// use cases (shared with the door page); past a per-principal limit the
// "retry-after-seconds" trailer says when to retry. What is in force is
// decided at `clock`'s now. Thread-safe.
class GalleryServiceImpl final : public kvo::v1::GalleryService::Service {
 public:
  GalleryServiceImpl(const kvo::v1::Policy& policy, common::DbPool& pool,
                     identity::RpcGuard& guard, const registry::KeyRing& keys,
                     GalleryVersions& versions, const common::Clock& clock,
                     DoorGallery& door);

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
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const registry::KeyRing& keys_;
  GalleryVersions& versions_;
  const common::Clock& clock_;
  DoorGallery& door_;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
