#ifndef KVO_SERVICES_AUDIT_AUDIT_REQUESTS_H_
#define KVO_SERVICES_AUDIT_AUDIT_REQUESTS_H_

#include "absl/status/status.h"
#include "kvo/v1/audit.pb.h"

namespace kvo::audit {

// What each audit request must hold on its own, before the log is read:
// sizes a PostgreSQL bigint can count, and 0 < first <= second for a
// consistency proof. OK, or INVALID_ARGUMENT naming kvo's flag. Pure;
// thread-safe. (Whether an index lies below the tree size needs the tree.)
absl::Status ValidateGetTreeHeadRequest(const kvo::v1::GetTreeHeadRequest& r);
absl::Status ValidateInclusionProofRequest(
    const kvo::v1::InclusionProofRequest& r);
absl::Status ValidateConsistencyProofRequest(
    const kvo::v1::ConsistencyProofRequest& r);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_REQUESTS_H_
