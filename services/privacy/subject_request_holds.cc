#include "services/privacy/subject_request_holds.h"

#include "services/privacy/pg_privacy_store.h"

namespace kvo::privacy {

bool OpenRequestHolds::Holds(pqxx::transaction_base& tx,
                             int64_t person_id) const {
  return PgPrivacyStore::HasOpenRequest(tx, person_id);
}

}  // namespace kvo::privacy
