#ifndef KVO_SERVICES_REGISTRY_PERSON_HOLDS_H_
#define KVO_SERVICES_REGISTRY_PERSON_HOLDS_H_

#include <cstdint>

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::registry {

// Another module's reason to keep a person whose cards have ended: a
// nuisance-donation claim still linked to them (kept until paid plus
// donations.delete_after_payment_days, at most
// donations.max_retention_unpaid_days). The registry owns this interface;
// the module with the reason implements it and kvod wires it. Runs in the
// retention job's transaction; thread-safe.
class PersonHolds {
 public:
  virtual ~PersonHolds() = default;
  virtual bool Holds(pqxx::transaction_base& tx, int64_t person_id) const = 0;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PERSON_HOLDS_H_
