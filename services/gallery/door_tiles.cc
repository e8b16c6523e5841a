#include "services/gallery/door_tiles.h"

#include <map>
#include <tuple>

namespace kvo::gallery {

bool Stronger(const DoorCard& a, const DoorCard& b) {
  return std::tie(a.ban, a.valid_until, a.card_id) >
         std::tie(b.ban, b.valid_until, b.card_id);
}

std::vector<size_t> StrongestPerPerson(const std::vector<DoorCard>& cards) {
  std::map<int64_t, size_t> best;
  for (size_t i = 0; i < cards.size(); ++i) {
    auto [it, first] = best.try_emplace(cards[i].person_id, i);
    if (!first && Stronger(cards[i], cards[it->second])) it->second = i;
  }
  std::vector<size_t> out;
  out.reserve(best.size());
  for (const auto& [person, index] : best) out.push_back(index);
  return out;
}

}  // namespace kvo::gallery
