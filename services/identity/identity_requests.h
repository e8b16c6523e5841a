#ifndef KVO_SERVICES_IDENTITY_IDENTITY_REQUESTS_H_
#define KVO_SERVICES_IDENTITY_IDENTITY_REQUESTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/identity.pb.h"

namespace kvo::identity {

// What each identity request must hold on its own, before any code,
// principal or area is looked up. The handlers call these first; OK, or
// INVALID_ARGUMENT naming the field and what is allowed. Pure; thread-safe.

// The normalised one-time code of a valid request.
absl::StatusOr<std::string> ValidateBootstrapRequest(
    const kvo::v1::BootstrapRequest& r, int password_min_length);
// The normalised code; the password is checked once the code names whose
// login it must differ from.
absl::StatusOr<std::string> ValidateEnrollRequest(
    const kvo::v1::EnrollRequest& r);
absl::Status ValidateLoginRequest(const kvo::v1::LoginRequest& r);
// The request's area ids without repeats, in the order given: what the
// handler checks access to before it judges the rest.
absl::StatusOr<std::vector<int64_t>> PrincipalAreaIds(
    const kvo::v1::CreatePrincipalRequest& r);
// The area ids as PrincipalAreaIds, and the rest of the request valid.
absl::StatusOr<std::vector<int64_t>> ValidateCreatePrincipalRequest(
    const kvo::v1::CreatePrincipalRequest& r);
// Suspend, reactivate, unlock and reset name a principal and a reason.
absl::Status ValidatePrincipalChange(int64_t principal_id,
                                     absl::string_view reason);
absl::Status ValidateSetPrincipalStatusRequest(
    const kvo::v1::SetPrincipalStatusRequest& r);
absl::Status ValidateResetPasswordRequest(
    const kvo::v1::ResetPasswordRequest& r);
absl::Status ValidateListPrincipalsRequest(
    const kvo::v1::ListPrincipalsRequest& r);
absl::Status ValidateCreateAreaRequest(const kvo::v1::CreateAreaRequest& r);

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_IDENTITY_REQUESTS_H_
