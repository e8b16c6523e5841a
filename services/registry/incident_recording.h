#ifndef KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_
#define KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_

#include <cstdint>
#include <pqxx/pqxx>
#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// The shop named by a request's shop_id, or NOT_FOUND naming the field.
absl::StatusOr<ShopRow> FindShop(pqxx::transaction_base& tx, int64_t shop_id);

// Recording an incident, for every adapter (gRPC and the door page): a
// shopkeeper records incidents of their own shop only; the guard decides
// the shop's area (audited when refused) before the rest of the request is
// judged; the description and police report number are sealed with the
// person's key; one audit entry in the same transaction. INVALID_ARGUMENT
// naming the field, NOT_FOUND, PERMISSION_DENIED. Thread-safe.
class IncidentRecording final {
 public:
  IncidentRecording(const kvo::v1::Policy& policy, common::DbPool& pool,
                    identity::RpcGuard& guard, const KeyRing& keys,
                    const common::Clock& clock);

  absl::StatusOr<kvo::v1::Incident> Record(
      const identity::Call& call,
      const kvo::v1::RecordIncidentRequest& request);
  // The shops the caller is a member of, by name.
  absl::StatusOr<std::vector<ShopRow>> ShopsOfCaller(
      const identity::Call& call);

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_
