#ifndef KVO_SERVICES_DONATIONS_CLAIM_PARTIES_H_
#define KVO_SERVICES_DONATIONS_CLAIM_PARTIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::donations {

// What the donations module needs of the registry, in plain types: the
// incident a case is about, the persons it names and the shops. The
// donations module owns this interface; the registry implements it
// (registry::RegistryClaimParties) and kvod wires it, so donations never
// runs SQL on the registry's tables and never sees a name. Every call runs
// in the donation use case's transaction; implementations must be
// thread-safe and must not commit.

struct PartyIncident {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  int64_t person_id = 0;  // 0 once the link went (retention)
};

struct PartyPerson {
  int64_t id = 0;
  std::string pseudonym;  // as the audit log names them ("person:" + it)
  bool erased = false;
};

struct PartyShop {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string name;
};

class ClaimParties {
 public:
  virtual ~ClaimParties() = default;
  virtual std::optional<PartyIncident> Incident(pqxx::transaction_base& tx,
                                                int64_t incident_id) const = 0;
  virtual std::optional<PartyPerson> Person(pqxx::transaction_base& tx,
                                            int64_t person_id) const = 0;
  virtual std::optional<PartyShop> Shop(pqxx::transaction_base& tx,
                                        int64_t shop_id) const = 0;
  // The shops a principal (a shopkeeper) is a member of.
  virtual std::vector<int64_t> ShopsOf(pqxx::transaction_base& tx,
                                       int64_t principal_id) const = 0;
};

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_CLAIM_PARTIES_H_
