#ifndef KVO_SERVICES_REGISTRY_CARD_ISSUING_H_
#define KVO_SERVICES_REGISTRY_CARD_ISSUING_H_

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"

namespace kvo::registry {

// Issuing a card for an incident, the registry's most frequent write: the
// person is locked (a second officer waits and then sees the first card:
// escalation, never a double ban), the guard decides the incident's area
// (a refusal commits alone with its audit entry), a shopkeeper issues
// individual bans for their own shop only, the card rules (card_rules.h)
// decide kind and term from the person's history in the area, and the card,
// its audit entry and its gallery change go in one transaction. The card
// shows the person as the caller's role may see them. INVALID_ARGUMENT
// naming the field, NOT_FOUND, ALREADY_EXISTS (the incident has a card),
// PERMISSION_DENIED. Thread-safe.
class CardIssuing final {
 public:
  CardIssuing(const kvo::v1::Policy& policy, common::DbPool& pool,
              identity::RpcGuard& guard, const KeyRing& keys,
              CardChangeSink& card_changes, const common::Clock& clock);

  absl::StatusOr<kvo::v1::Card> Issue(const identity::Call& call,
                                      const kvo::v1::IssueCardRequest& request);

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_CARD_ISSUING_H_
