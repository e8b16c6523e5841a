#ifndef KVO_SERVICES_REGISTRY_KEY_SERVICE_H_
#define KVO_SERVICES_REGISTRY_KEY_SERVICE_H_

#include <chrono>

#include "kvo/v1/keys.grpc.pb.h"
#include "services/common/db_pool.h"
#include "services/common/periodic_task.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// The background rewrap: every `interval` it moves data keys still wrapped
// by an older KEK version to the current one in batches, until none is
// left; then the old version is retired. Every kvod runs one (rows another
// holds are skipped), so a rotation completes while kvod keeps serving.
class KeyRewrap final {
 public:
  static constexpr int kBatch = 500;
  explicit KeyRewrap(const KeyRing& keys) : keys_(keys) {}
  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }
  // One round: rewraps until nothing is behind; how many keys moved.
  absl::StatusOr<int64_t> RunOnce();

 private:
  const KeyRing& keys_;
  common::PeriodicTask task_;
};

// The gRPC adapter of key rotation. Status codes: the guard's,
// INVALID_ARGUMENT for a missing reason, FAILED_PRECONDITION while a
// rotation runs, UNAVAILABLE when the key store cannot be reached.
class KeyServiceImpl final : public kvo::v1::KeyService::Service {
 public:
  KeyServiceImpl(common::DbPool& pool, identity::RpcGuard& guard,
                 const KeyRing& keys)
      : pool_(pool), guard_(guard), keys_(keys) {}

  grpc::Status RotateKeys(grpc::ServerContext* context,
                          const kvo::v1::RotateKeysRequest* request,
                          kvo::v1::KeyStatus* response) override;
  grpc::Status GetKeyStatus(grpc::ServerContext* context,
                            const kvo::v1::GetKeyStatusRequest* request,
                            kvo::v1::KeyStatus* response) override;

 private:
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_KEY_SERVICE_H_
