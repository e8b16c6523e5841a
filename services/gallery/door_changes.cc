#include "services/gallery/door_changes.h"

namespace kvo::gallery {

std::vector<registry::ChangedCard> DoorCards(
    const std::vector<registry::ChangedCard>& cards) {
  std::vector<registry::ChangedCard> out;
  for (const auto& c : cards) {
    if (c.kind != "individual_ban") out.push_back(c);
  }
  return out;
}

}  // namespace kvo::gallery
