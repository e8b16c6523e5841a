#ifndef KVO_SERVICES_REGISTRY_CARD_REVOKING_H_
#define KVO_SERVICES_REGISTRY_CARD_REVOKING_H_

#include "absl/status/statusor.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/card_changes.h"

namespace kvo::registry {

// Revoking a card by hand (police or coordinator of its area, with a
// reason): the card, its audit entry and its change for the door in one
// transaction; the door hears of it once committed. INVALID_ARGUMENT
// naming the field, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION
// (revoked already). Thread-safe.
class CardRevoking final {
 public:
  CardRevoking(common::DbPool& pool, identity::RpcGuard& guard,
               CardChangeSink& card_changes, const common::Clock& clock)
      : pool_(pool),
        guard_(guard),
        card_changes_(card_changes),
        clock_(clock) {}

  absl::StatusOr<kvo::v1::Card> Revoke(
      const identity::Call& call, const kvo::v1::RevokeCardRequest& request);

 private:
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_CARD_REVOKING_H_
