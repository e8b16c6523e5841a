#ifndef KVO_SERVICES_GALLERY_DOOR_VISIBILITY_H_
#define KVO_SERVICES_GALLERY_DOOR_VISIBILITY_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/common.pb.h"

namespace kvo::gallery {

// Who sees which card at the door, without I/O. A collective card is shown
// at every door of its area; an individual ban (winkelverbod of one shop)
// only at the door of the shop that issued it: to the shopkeepers of that
// shop, never to another shop of the area, a shop of the same chain
// elsewhere, or a guard of the area. The same rule decides which photos a
// caller may see (a person shown at their door). Pure; thread-safe.

// Whether `role` sees any individual ban at the door (a shopkeeper, those
// of their own shops); every other role sees collective cards only.
bool SeesOwnBans(kvo::v1::Role role);

// The shops whose individual bans `role` sees at the door: the shops the
// caller is a member of (`member_of`, asked only when the role sees own
// bans at all; sealed memberships only) for a shopkeeper, none otherwise.
std::vector<int64_t> OwnBanShops(
    kvo::v1::Role role, absl::FunctionRef<std::vector<int64_t>()> member_of);

// Whether a card of `kind` ("individual_ban", "collective_warning",
// "collective_ban") is shown at every door of its area (a collective card)
// rather than at its own shop's door only (an individual ban).
bool SharedAtDoor(absl::string_view kind);

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_VISIBILITY_H_
