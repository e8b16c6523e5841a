#include "services/audit/audit_requests.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace kvo::audit {
namespace {

// Sizes travel as uint64 but PostgreSQL counts in bigint.
constexpr uint64_t kMaxTreeSize = uint64_t{1} << 62;

absl::Status CheckSize(absl::string_view flag, uint64_t size) {
  if (size <= kMaxTreeSize) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " ", size, ": no audit log is that large"));
}

}  // namespace

absl::Status ValidateGetTreeHeadRequest(const kvo::v1::GetTreeHeadRequest& r) {
  return CheckSize("--size", r.tree_size());
}

absl::Status ValidateInclusionProofRequest(
    const kvo::v1::InclusionProofRequest& r) {
  return CheckSize("--size", r.tree_size());
}

absl::Status ValidateConsistencyProofRequest(
    const kvo::v1::ConsistencyProofRequest& r) {
  if (r.first_size() == 0 || r.first_size() > r.second_size()) {
    return absl::InvalidArgumentError("--from, --to: need 0 < --from <= --to");
  }
  return CheckSize("--to", r.second_size());
}

}  // namespace kvo::audit
