#ifndef KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
#define KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/worker_pool.h"
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
// decided at `clock`'s now. SyncGallery, the most frequent call, is on
// gRPC's callback API: a sync that finds nothing new is answered on the
// thread that received it, one that needs the database on a worker of
// this service's own (gRPC's threads never wait on the database); the
// other methods are on the synchronous API. Thread-safe.
// Writes one sync's messages in order and ends the call with OK after the
// last, or with a refusal; deletes itself when gRPC is done with it.
class SyncWriter final
    : public grpc::ServerWriteReactor<kvo::v1::GalleryUpdate> {
 public:
  ~SyncWriter() override;
  // `updates` may point at entries of `held` (unsafe_arena_set_allocated):
  // they are sent from where they are, and given back before either goes.
  void Send(std::vector<kvo::v1::GalleryUpdate> updates,
            std::vector<std::shared_ptr<const kvo::v1::GalleryEntry>> held);
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void Next();
  // Takes the borrowed entries out of updates_, so their destructors
  // leave them to held_ (and the door cache).
  void GiveBack();

  std::vector<std::shared_ptr<const kvo::v1::GalleryEntry>> held_;
  std::vector<kvo::v1::GalleryUpdate> updates_;
  size_t next_ = 0;
};

class GalleryServiceImpl final
    : public kvo::v1::GalleryService::WithCallbackMethod_SyncGallery<
          kvo::v1::GalleryService::Service> {
 public:
  GalleryServiceImpl(const kvo::v1::Policy& policy, common::DbPool& pool,
                     identity::RpcGuard& guard, const registry::KeyRing& keys,
                     GalleryVersions& versions, const common::Clock& clock,
                     DoorGallery& door);

  grpc::Status UploadPhoto(
      grpc::ServerContext* context,
      grpc::ServerReader<kvo::v1::UploadPhotoRequest>* reader,
      kvo::v1::PhotoInfo* response) override;
  grpc::ServerWriteReactor<kvo::v1::GalleryUpdate>* SyncGallery(
      grpc::CallbackServerContext* context,
      const kvo::v1::SyncGalleryRequest* request) override;
  grpc::Status GetPhoto(grpc::ServerContext* context,
                        const kvo::v1::GetPhotoRequest* request,
                        kvo::v1::Photo* response) override;

 private:
  // Sends `sync` (or its refusal) through `writer`.
  void Answer(grpc::CallbackServerContext& context, SyncWriter& writer,
              absl::StatusOr<DoorSync> sync, int64_t retry_after) const;

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const registry::KeyRing& keys_;
  GalleryVersions& versions_;
  const common::Clock& clock_;
  DoorGallery& door_;
  // Syncs that need the database; last, so it ends (running what was
  // given to it) before the rest goes.
  static constexpr int kSyncWorkers = 8;
  common::WorkerPool sync_workers_{kSyncWorkers};
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_SERVICE_H_
