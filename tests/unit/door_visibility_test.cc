#include "services/gallery/door_visibility.h"

#include <gtest/gtest.h>

namespace kvo::gallery {
namespace {

using kvo::v1::Role;

TEST(DoorVisibilityTest, OnlyAShopkeeperSeesTheOwnBansOfTheirShops) {
  int asked = 0;
  auto member_of = [&](std::vector<int64_t> shops) {
    return [&asked, shops] {
      ++asked;
      return shops;
    };
  };
  EXPECT_TRUE(SeesOwnBans(Role::ROLE_SHOPKEEPER));
  EXPECT_EQ(OwnBanShops(Role::ROLE_SHOPKEEPER, member_of({9, 4, 9})),
            (std::vector<int64_t>{4, 9}));
  EXPECT_EQ(asked, 1);
  // A guard of the area, police and the coordinator have no shop door:
  // their memberships are not even asked for.
  for (Role role : {Role::ROLE_SECURITY, Role::ROLE_POLICE,
                    Role::ROLE_COORDINATOR, Role::ROLE_PRIVACY_OFFICER}) {
    EXPECT_FALSE(SeesOwnBans(role)) << role;
    EXPECT_TRUE(OwnBanShops(role, member_of({4})).empty()) << role;
  }
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(OwnBanShops(Role::ROLE_SHOPKEEPER, member_of({})).empty());
}

TEST(DoorVisibilityTest, CollectiveCardsAreSharedIndividualBansAreNot) {
  EXPECT_TRUE(SharedAtDoor("collective_warning"));
  EXPECT_TRUE(SharedAtDoor("collective_ban"));
  EXPECT_FALSE(SharedAtDoor("individual_ban"));
}

}  // namespace
}  // namespace kvo::gallery
