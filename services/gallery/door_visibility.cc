#include "services/gallery/door_visibility.h"

#include <algorithm>

namespace kvo::gallery {

bool SeesOwnBans(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER;
}

std::vector<int64_t> OwnBanShops(
    kvo::v1::Role role, absl::FunctionRef<std::vector<int64_t>()> member_of) {
  if (!SeesOwnBans(role)) return {};
  std::vector<int64_t> out = member_of();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SharedAtDoor(absl::string_view kind) { return kind != "individual_ban"; }

}  // namespace kvo::gallery
