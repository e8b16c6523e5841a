#include "services/registry/card_lookup.h"

#include "absl/strings/str_cat.h"
#include "services/registry/registry_requests.h"

namespace kvo::registry {

absl::StatusOr<CardRow> ReadCard(common::DbPool& pool, int64_t card_id) {
  if (auto s = RequireId("card_id", card_id); !s.ok()) return s;
  return pool.InTransaction(
      "read card", [&](pqxx::work& tx) -> absl::StatusOr<CardRow> {
        auto card = PgRegistryStore::CardById(tx, card_id);
        if (!card) {
          return absl::NotFoundError(
              absl::StrCat("card_id: card ", card_id, " not found"));
        }
        return *card;
      });
}

}  // namespace kvo::registry
