#ifndef KVO_SERVICES_REGISTRY_CARD_LOOKUP_H_
#define KVO_SERVICES_REGISTRY_CARD_LOOKUP_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "services/common/db_pool.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// The card `card_id` (the request's field card_id), read on its own before
// the guard checks its area: INVALID_ARGUMENT for an id that is no id,
// NOT_FOUND naming card_id.
absl::StatusOr<CardRow> ReadCard(common::DbPool& pool, int64_t card_id);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_CARD_LOOKUP_H_
