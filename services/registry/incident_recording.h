#ifndef KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_
#define KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_

#include <cstdint>
#include <mutex>
#include <pqxx/pqxx>
#include <unordered_map>
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
//
// The shops of a caller (the door page asks on every load) are kept per
// principal, for the role and areas they were read with, at most
// `shops_ttl` and `shops_bytes` in all: an added membership takes effect
// at once through Forget (kvod wires it to the registry's announcement of
// membership changes, this replica's own at its commit), a row changed
// by SQL within the TTL. Only memberships whose seals check out are kept;
// recording an incident still checks the membership in the database.
class IncidentRecording final {
 public:
  static constexpr int64_t kShopsBytes = 4 << 20;

  IncidentRecording(const kvo::v1::Policy& policy, common::DbPool& pool,
                    identity::RpcGuard& guard, const KeyRing& keys,
                    const common::Clock& clock,
                    absl::Duration shops_ttl = absl::Seconds(5),
                    int64_t shops_bytes = kShopsBytes);

  absl::StatusOr<kvo::v1::Incident> Record(
      const identity::Call& call,
      const kvo::v1::RecordIncidentRequest& request);
  // The shops the caller is a member of, by name.
  absl::StatusOr<std::vector<ShopRow>> ShopsOfCaller(
      const identity::Call& call);
  // Drops the shops kept: a shop membership changed.
  void Forget();

 private:
  struct KeptShops {
    absl::Time read_at;
    uint64_t generation = 0;
    kvo::v1::Role role = kvo::v1::ROLE_UNSPECIFIED;
    std::vector<int64_t> area_ids;
    std::vector<ShopRow> shops;
    int64_t bytes = 0;
  };
  absl::StatusOr<std::vector<ShopRow>> ReadShopsOfCaller(
      const identity::Call& call);
  void KeepShops(int64_t principal_id, KeptShops kept);

  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  const common::Clock& clock_;
  const absl::Duration shops_ttl_;
  const int64_t shops_bytes_;
  std::mutex shops_mu_;
  uint64_t shops_generation_ = 0;                           // shops_mu_
  int64_t shops_kept_bytes_ = 0;                            // shops_mu_
  std::unordered_map<int64_t, KeptShops> shops_of_caller_;  // shops_mu_
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_INCIDENT_RECORDING_H_
