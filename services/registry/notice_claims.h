#ifndef KVO_SERVICES_REGISTRY_NOTICE_CLAIMS_H_
#define KVO_SERVICES_REGISTRY_NOTICE_CLAIMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/notice/letterhead.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::registry {

// What the written notice of a card says about a nuisance donation claimed
// from the person for the card's incident. The registry owns this
// interface; the donations module implements it and kvod wires it, so the
// registry never reads the donation tables. Runs in the notice's
// transaction; thread-safe.
struct NoticeClaim {
  std::string heading;
  std::vector<std::string> lines;  // empty: no claim
};

class NoticeClaims {
 public:
  virtual ~NoticeClaims() = default;
  // `language`: "nl" or "en". A claim still to be paid is stated with
  // the amount, the area's payee and IBAN (from `sender`), the payment
  // reference and the due date; when the area has no payee or IBAN
  // recorded: FAILED_PRECONDITION naming what to record (a notice that
  // asks for money must say where to pay it).
  virtual absl::StatusOr<NoticeClaim> ForIncident(
      pqxx::transaction_base& tx, int64_t incident_id, int64_t person_id,
      const std::string& language, const notice::Letterhead& sender) const = 0;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_NOTICE_CLAIMS_H_
