#ifndef KVO_SERVICES_REGISTRY_CARD_CHANGES_H_
#define KVO_SERVICES_REGISTRY_CARD_CHANGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::registry {

// A card as it stands after a change (issued, revoked, revoked because an
// objection was upheld or its person was erased): what a module that
// follows cards needs, without reading the registry's tables.
struct ChangedCard {
  int64_t card_id = 0;
  int64_t area_id = 0;
  int64_t person_id = 0;
  std::string kind;  // "individual_ban", "collective_warning", ...
  bool revoked = false;
  absl::Time valid_until;
};

// How card changes (and shop memberships) leave the registry. The registry owns
// this interface and calls it from every use case that changes a card or erases
// a person; a module above it (the door gallery) implements it and kvod wires
// the two, so the registry never includes that module. Every change is
// reported, of every kind: the sink decides what concerns it. Implementations
// must be thread-safe; the in-transaction calls may run more than once when the
// use case's transaction is retried, and must not commit.
class CardChangeSink {
 public:
  virtual ~CardChangeSink() = default;

  // Inside the use case's transaction: `cards` changed. What the sink
  // writes in `tx` commits or rolls back with the change.
  virtual void CardsChanged(pqxx::transaction_base& tx,
                            const std::vector<ChangedCard>& cards) = 0;
  // Inside the erasure's transaction, before its data key goes: the sink
  // drops what it keeps of the person (the photo).
  virtual void PersonErased(pqxx::transaction_base& tx, int64_t person_id) = 0;
  // After the commit of a transaction that reported `cards` (never after a
  // rollback): the sink may now tell others (versions, NOTIFY).
  virtual void CardsCommitted(const std::vector<ChangedCard>& cards) = 0;
  // Inside the transaction that added a shop member: who may open a door
  // changed, so the sink announces it with the commit (every kvod's door
  // admission then reads it again, not after its cache's time).
  virtual void ShopMembersChanged(pqxx::transaction_base& tx) = 0;
  // After that transaction's commit: this kvod's own admission follows at
  // once, so the member's very next request is let in.
  virtual void ShopMembersCommitted() = 0;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_CARD_CHANGES_H_
