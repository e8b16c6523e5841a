#include "services/gallery/door_changes.h"

#include <gtest/gtest.h>

namespace kvo::gallery {
namespace {

registry::ChangedCard Card(int64_t id, const std::string& kind,
                           bool revoked = false) {
  registry::ChangedCard c;
  c.card_id = id;
  c.area_id = 7;
  c.person_id = 3;
  c.kind = kind;
  c.revoked = revoked;
  return c;
}

std::vector<int64_t> Ids(const std::vector<registry::ChangedCard>& cards) {
  std::vector<int64_t> ids;
  for (const auto& c : cards) ids.push_back(c.card_id);
  return ids;
}

TEST(DoorChangesTest, KeepsCollectiveCardsInOrderAndDropsIndividualBans) {
  EXPECT_EQ(Ids(DoorCards({Card(1, "collective_ban"), Card(2, "individual_ban"),
                           Card(3, "collective_warning")})),
            (std::vector<int64_t>{1, 3}));
}

TEST(DoorChangesTest, RevokedCollectiveCardsStaySoTheDoorPurgesThem) {
  const auto door = DoorCards(
      {Card(4, "collective_warning", true), Card(5, "individual_ban", true)});
  ASSERT_EQ(Ids(door), (std::vector<int64_t>{4}));
  EXPECT_TRUE(door.front().revoked);
}

TEST(DoorChangesTest, NothingForTheDoorWhenOnlyIndividualBansChanged) {
  EXPECT_TRUE(DoorCards({Card(6, "individual_ban")}).empty());
  EXPECT_TRUE(DoorCards({}).empty());
}

}  // namespace
}  // namespace kvo::gallery
