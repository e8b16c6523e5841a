#ifndef KVO_SERVICES_REGISTRY_OBJECTION_HANDLING_H_
#define KVO_SERVICES_REGISTRY_OBJECTION_HANDLING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// Objections to cards, on the person's behalf: filed (grounds sealed with
// the person's key, answered within privacy.subject_request_days),
// decided by a coordinator with reasons, listed per area. An objection
// does not suspend the card; one upheld revokes it and every collective
// ban resting on it (a ban escalated from an objected warning has lost
// its ground), each reported to the door like any revocation. Each call
// is one transaction with its audit entry. INVALID_ARGUMENT naming the
// field, NOT_FOUND, FAILED_PRECONDITION (decided already),
// PERMISSION_DENIED (the guard's area check). Thread-safe.
class ObjectionHandling final {
 public:
  ObjectionHandling(const kvo::v1::Policy& policy, common::DbPool& pool,
                    identity::RpcGuard& guard, const KeyRing& keys,
                    CardChangeSink& card_changes, const common::Clock& clock);

  absl::StatusOr<kvo::v1::Objection> File(
      const identity::Call& call, const kvo::v1::FileObjectionRequest& request);
  absl::StatusOr<kvo::v1::Objection> Decide(
      const identity::Call& call,
      const kvo::v1::DecideObjectionRequest& request);
  absl::StatusOr<std::vector<kvo::v1::Objection>> List(
      const identity::Call& call,
      const kvo::v1::ListObjectionsRequest& request);

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_OBJECTION_HANDLING_H_
