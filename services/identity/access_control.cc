#include "services/identity/access_control.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/identity/identity_rules.h"

namespace kvo::identity {
namespace {

bool Lists(const google::protobuf::RepeatedField<int>& roles,
           kvo::v1::Role role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

bool Caller::InArea(int64_t area_id) const {
  return std::find(area_ids.begin(), area_ids.end(), area_id) != area_ids.end();
}

AccessControl::AccessControl(const kvo::v1::Policy& policy) {
  for (const auto& rule : policy.access()) rules_[rule.method()] = rule;
}

const kvo::v1::AccessRule* AccessControl::Find(absl::string_view method) const {
  auto it = rules_.find(std::string(method));
  return it == rules_.end() ? nullptr : &it->second;
}

bool AccessControl::IsPublic(absl::string_view method) const {
  const auto* rule = Find(method);
  return rule != nullptr && rule->public_();
}

absl::Status AccessControl::CheckRole(const Caller& caller,
                                      absl::string_view method) const {
  const auto* rule = Find(method);
  if (rule != nullptr &&
      (rule->public_() || Lists(rule->any_area(), caller.role) ||
       Lists(rule->own_areas(), caller.role))) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role ", RoleName(caller.role), " may not call ", method));
}

absl::Status AccessControl::CheckAreas(const Caller& caller,
                                       absl::string_view method,
                                       absl::Span<const int64_t> areas) const {
  if (auto s = CheckRole(caller, method); !s.ok()) return s;
  if (!LimitedToOwnAreas(caller, method)) return absl::OkStatus();
  for (int64_t area : areas) {
    if (!caller.InArea(area)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "role ", RoleName(caller.role), " may call ", method,
          " only for its own areas; area ", area, " is not one of them"));
    }
  }
  return absl::OkStatus();
}

bool AccessControl::LimitedToOwnAreas(const Caller& caller,
                                      absl::string_view method) const {
  const auto* rule = Find(method);
  return rule != nullptr && !rule->public_() &&
         !Lists(rule->any_area(), caller.role) &&
         Lists(rule->own_areas(), caller.role);
}

}  // namespace kvo::identity
