#ifndef KVO_SERVICES_REGISTRY_INTEGRITY_ALARM_H_
#define KVO_SERVICES_REGISTRY_INTEGRITY_ALARM_H_

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// What a list does when one person's sealed record does not open: it skips
// that person and goes on, so that one damaged ciphertext does not take a
// whole area's door (card list, gallery sync) down. Reading that record on
// its own still answers DATA_LOSS.
//
// True for the failures a list skips: a sealed value or data key that does
// not open (DATA_LOSS). Anything else still fails the list.
inline bool SkipInList(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDataLoss;
}

// Raises the integrity alarm for `person`, skipped by the list `list_action`
// ("registry.list_cards"): a log line with an "alarm" field and an audit
// entry (action "integrity.alarm", outcome error, the person by pseudonym
// only) appended to `tx`, the list's own transaction.
void RaiseIntegrityAlarm(pqxx::transaction_base& tx,
                         const identity::RpcGuard& guard,
                         const identity::Call& call,
                         absl::string_view list_action, const PersonRow& person,
                         const absl::Status& status);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_INTEGRITY_ALARM_H_
