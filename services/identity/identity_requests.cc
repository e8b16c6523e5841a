#include "services/identity/identity_requests.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/text.h"
#include "services/identity/identity_rules.h"

namespace kvo::identity {
namespace {

constexpr size_t kMaxAreasPerPrincipal = 100;

// Roles whose work is tied to areas need at least one.
bool AreaBound(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER || role == kvo::v1::ROLE_SECURITY ||
         role == kvo::v1::ROLE_POLICE || role == kvo::v1::ROLE_COORDINATOR ||
         role == kvo::v1::ROLE_FIRE_BRIGADE;
}

}  // namespace

absl::StatusOr<std::string> ValidateBootstrapRequest(
    const kvo::v1::BootstrapRequest& r, int password_min_length) {
  const auto code = NormalizeOneTimeCode(r.code());
  if (!code.has_value()) {
    return absl::InvalidArgumentError(
        "code: the 20-character code kvod printed, "
        "e.g. 7KQ2M-XXXXX-XXXXX-XXXXX");
  }
  for (auto s :
       {ValidateLogin(r.login()), ValidateDisplayName(r.display_name()),
        CheckPassword(r.password(), r.login(), r.display_name(),
                      password_min_length)}) {
    if (!s.ok()) return s;
  }
  return *code;
}

absl::StatusOr<std::string> ValidateEnrollRequest(
    const kvo::v1::EnrollRequest& r) {
  const auto code = NormalizeOneTimeCode(r.code());
  if (!code.has_value()) {
    return absl::InvalidArgumentError(
        "code: the 20-character enrollment code you were given");
  }
  return *code;
}

absl::Status ValidateLoginRequest(const kvo::v1::LoginRequest& r) {
  if (r.login().empty() || r.login().size() > 64 || r.password().empty() ||
      r.password().size() > 256) {
    return absl::InvalidArgumentError(
        "login and password: both required (at most 64 and 256 bytes)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> PrincipalAreaIds(
    const kvo::v1::CreatePrincipalRequest& r) {
  if (static_cast<size_t>(r.area_ids_size()) > kMaxAreasPerPrincipal) {
    return absl::InvalidArgumentError(
        absl::StrCat("area_ids: at most ", kMaxAreasPerPrincipal));
  }
  std::vector<int64_t> areas;
  for (int64_t id : r.area_ids()) {
    if (id <= 0) {
      return absl::InvalidArgumentError("area_ids: ids are positive numbers");
    }
    if (std::find(areas.begin(), areas.end(), id) == areas.end()) {
      areas.push_back(id);
    }
  }
  return areas;
}

absl::StatusOr<std::vector<int64_t>> ValidateCreatePrincipalRequest(
    const kvo::v1::CreatePrincipalRequest& r) {
  auto areas = PrincipalAreaIds(r);
  if (!areas.ok()) return areas;
  const kvo::v1::Role role = r.role();
  if (role == kvo::v1::ROLE_UNSPECIFIED || !kvo::v1::Role_IsValid(role)) {
    return absl::InvalidArgumentError(
        "role: one of shopkeeper, security, police, fire_brigade, "
        "coordinator, privacy_officer, admin");
  }
  for (auto s :
       {ValidateLogin(r.login()), ValidateDisplayName(r.display_name())}) {
    if (!s.ok()) return s;
  }
  if (AreaBound(role) && areas->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "area_ids: a ", RoleName(role), " needs at least one area"));
  }
  return areas;
}

absl::Status ValidatePrincipalChange(int64_t principal_id,
                                     absl::string_view reason) {
  if (auto s = common::CheckText("reason", reason, 0, 500); !s.ok()) return s;
  if (principal_id <= 0) {
    return absl::InvalidArgumentError(
        "principal: the id of a principal (a positive number)");
  }
  return absl::OkStatus();
}

absl::Status ValidateSetPrincipalStatusRequest(
    const kvo::v1::SetPrincipalStatusRequest& r) {
  return ValidatePrincipalChange(r.principal_id(), r.reason());
}

absl::Status ValidateResetPasswordRequest(
    const kvo::v1::ResetPasswordRequest& r) {
  return ValidatePrincipalChange(r.principal_id(), r.reason());
}

absl::Status ValidateListPrincipalsRequest(
    const kvo::v1::ListPrincipalsRequest& r) {
  if (r.area_id() < 0) {
    return absl::InvalidArgumentError("area_id: must be >= 0");
  }
  return absl::OkStatus();
}

absl::Status ValidateCreateAreaRequest(const kvo::v1::CreateAreaRequest& r) {
  for (auto s : {common::CheckText("name", r.name(), 1, 200),
                 common::CheckText("municipality", r.municipality(), 1, 200)}) {
    if (!s.ok()) return s;
  }
  if (r.kind() != kvo::v1::AREA_KIND_SHOPPING_AREA &&
      r.kind() != kvo::v1::AREA_KIND_BUSINESS_PARK) {
    return absl::InvalidArgumentError(
        "kind: shopping_area (KVO-W) or business_park (KVO-B)");
  }
  return absl::OkStatus();
}

}  // namespace kvo::identity
