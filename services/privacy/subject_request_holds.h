#ifndef KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_HOLDS_H_
#define KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_HOLDS_H_

#include <cstdint>

#include "services/registry/person_holds.h"

namespace kvo::privacy {

// The registry's retention keeps a person while a data-subject request
// about them is open: the answer (an access export, a rectification, an
// erasure with its record) needs the record until the request is closed.
// kvod wires it into registry::PersonRetention. Thread-safe.
class OpenRequestHolds final : public registry::PersonHolds {
 public:
  bool Holds(pqxx::transaction_base& tx, int64_t person_id) const override;
};

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_HOLDS_H_
