#ifndef KVO_SERVICES_IDENTITY_ACCESS_CONTROL_H_
#define KVO_SERVICES_IDENTITY_ACCESS_CONTROL_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kvo/v1/policy.pb.h"

namespace kvo::identity {

// Who is calling, once authenticated.
struct Caller {
  int64_t principal_id = 0;
  kvo::v1::Role role = kvo::v1::ROLE_UNSPECIFIED;
  std::vector<int64_t> area_ids;
  std::string login;

  bool InArea(int64_t area_id) const;
};

// The access table of policy/ (role x action x area scope) as a decision,
// without I/O. Deny by default: a method with no rule is refused to all.
// Immutable after construction; thread-safe.
class AccessControl final {
 public:
  explicit AccessControl(const kvo::v1::Policy& policy);

  // Whether `method` ("kvo.v1.IdentityService/Login") needs no token.
  bool IsPublic(absl::string_view method) const;

  // The role may call `method` at all (for some area). PERMISSION_DENIED
  // naming the role and the method otherwise.
  absl::Status CheckRole(const Caller& caller, absl::string_view method) const;

  // The role may call `method` about every one of `areas`: roles granted
  // any_area always may; own_areas roles only for areas they belong to.
  // PERMISSION_DENIED naming the first area refused.
  absl::Status CheckAreas(const Caller& caller, absl::string_view method,
                          absl::Span<const int64_t> areas) const;

  // Whether the role's grant for `method` is limited to its own areas.
  bool LimitedToOwnAreas(const Caller& caller, absl::string_view method) const;

 private:
  const kvo::v1::AccessRule* Find(absl::string_view method) const;
  std::unordered_map<std::string, kvo::v1::AccessRule> rules_;
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_ACCESS_CONTROL_H_
