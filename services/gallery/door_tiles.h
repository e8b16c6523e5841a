#ifndef KVO_SERVICES_GALLERY_DOOR_TILES_H_
#define KVO_SERVICES_GALLERY_DOOR_TILES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace kvo::gallery {

// A collective card in force, as far as choosing a person's door tile
// needs it.
struct DoorCard {
  int64_t person_id = 0;
  int64_t card_id = 0;
  bool ban = false;  // collective ban; else collective warning
  absl::Time valid_until;
};

// Whether `a` is the card the door shows rather than `b` (of one person): a
// collective ban over a collective warning; among equals the later end;
// among those the later card (the higher id), so the choice never depends
// on the order the cards come in.
bool Stronger(const DoorCard& a, const DoorCard& b);

// One tile per person: the index in `cards` of each person's strongest
// card, ordered by person id.
std::vector<size_t> StrongestPerPerson(const std::vector<DoorCard>& cards);

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_TILES_H_
