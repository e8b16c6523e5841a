#include "services/gallery/door_tiles.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kvo::gallery {
namespace {

const absl::Time kNov2027 = absl::FromUnixSeconds(1827532800);  // 30 nov 2027

DoorCard Card(int64_t person, int64_t card, bool ban, int days_after) {
  return {person, card, ban, kNov2027 + absl::Hours(24 * days_after)};
}

std::vector<int64_t> Chosen(const std::vector<DoorCard>& cards) {
  std::vector<int64_t> ids;
  for (size_t i : StrongestPerPerson(cards)) ids.push_back(cards[i].card_id);
  return ids;
}

struct Case {
  const char* rule;
  std::vector<DoorCard> cards;
  std::vector<int64_t> shown;  // card ids, by person
};

TEST(DoorTilesTest, OneTilePerPersonWithTheStrongestCard) {
  const std::vector<Case> cases = {
      {"nothing in force, no tile", {}, {}},
      {"a single warning", {Card(1, 10, false, 0)}, {10}},
      {"a ban over a warning",
       {Card(1, 10, false, 0), Card(1, 11, true, 0)},
       {11}},
      {"a ban over a warning that ends later",
       {Card(1, 10, false, 300), Card(1, 11, true, 0)},
       {11}},
      {"a ban over a warning, whatever the order",
       {Card(1, 11, true, 0), Card(1, 10, false, 300)},
       {11}},
      {"of two bans the later end",
       {Card(1, 12, true, 200), Card(1, 13, true, 100)},
       {12}},
      {"of two warnings the later end",
       {Card(1, 13, false, 5), Card(1, 12, false, 9)},
       {12}},
      {"same kind and end: the later card",
       {Card(1, 21, true, 0), Card(1, 20, true, 0)},
       {21}},
      {"each person their own tile, by person",
       {Card(2, 30, false, 0), Card(1, 31, false, 0), Card(2, 32, true, 0)},
       {31, 32}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Chosen(c.cards), c.shown) << c.rule;
    auto reversed = c.cards;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(Chosen(reversed), c.shown) << c.rule << " (reversed input)";
  }
}

TEST(DoorTilesTest, StrongerIsAStrictOrder) {
  const DoorCard warning = Card(1, 1, false, 400);
  const DoorCard ban = Card(1, 2, true, 1);
  EXPECT_TRUE(Stronger(ban, warning));
  EXPECT_FALSE(Stronger(warning, ban));
  EXPECT_FALSE(Stronger(ban, ban));
}

}  // namespace
}  // namespace kvo::gallery
