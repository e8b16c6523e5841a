#include "services/registry/card_revoking.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/registry/card_lookup.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {

using Store = PgRegistryStore;

absl::StatusOr<kvo::v1::Card> CardRevoking::Revoke(
    const identity::Call& call, const kvo::v1::RevokeCardRequest& request) {
  auto card = ReadCard(pool_, request.card_id());
  if (!card.ok()) return card.status();
  for (auto s : {guard_.CheckAreas(call, {card->area_id}),
                 ValidateRevokeCardRequest(request)}) {
    if (!s.ok()) return s;
  }
  std::vector<ChangedCard> changes;
  auto revoked = pool_.InTransaction(
      "revoke card", [&](pqxx::work& tx) -> absl::StatusOr<CardRow> {
        if (!Store::RevokeCard(tx, card->id, call.caller.principal_id,
                               request.reason(), clock_.Now())) {
          return absl::FailedPreconditionError(
              absl::StrCat("card ", card->id, " is revoked already"));
        }
        auto person = Store::PersonById(tx, card->person_id);
        audit::PgAuditStore::Append(
            tx,
            guard_.Record(call, "registry.revoke_card", AuditSubject(*person),
                          absl::StrCat("card ", card->id, " revoked")));
        CardRow now = *Store::CardById(tx, card->id);
        changes = ReportChanges(card_changes_, tx, {now});
        return now;
      });
  if (!revoked.ok()) return revoked.status();
  card_changes_.CardsCommitted(changes);
  return CardToProto(*revoked);
}

}  // namespace kvo::registry
