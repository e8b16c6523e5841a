#ifndef KVO_SERVICES_GALLERY_DOOR_CHANGES_H_
#define KVO_SERVICES_GALLERY_DOOR_CHANGES_H_

#include <vector>

#include "services/registry/card_changes.h"

namespace kvo::gallery {

// The changed cards the door gallery shows or must purge: the collective
// ones (an individual ban is for its own shop, never in a gallery). Order
// kept.
std::vector<registry::ChangedCard> DoorCards(
    const std::vector<registry::ChangedCard>& cards);

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_CHANGES_H_
