// The canonical bytes of sealed rows: every field and the table count, so
// no change to a row, and no moving of bytes between fields or tables,
// keeps its seal.
#include "services/common/row_seal.h"

#include "gtest/gtest.h"
#include "services/common/crypto.h"

namespace kvo::common {
namespace {

RowSeal Seal(char fill) {
  EXPECT_TRUE(InitCrypto());
  return RowSeal(SecretKey::FromBytes(std::string(32, fill)).value());
}

TEST(RowSealTest, EveryFieldOfAPrincipalCounts) {
  const RowSeal seal = Seal('k');
  const std::string base = seal.Principal(7, "bakker", "shopkeeper", "active",
                                          "$argon2id$x", {1, 2});
  EXPECT_EQ(base.size(), 32u);
  EXPECT_EQ(base, seal.Principal(7, "bakker", "shopkeeper", "active",
                                 "$argon2id$x", {2, 1}))
      << "areas are a set";
  EXPECT_NE(base, seal.Principal(8, "bakker", "shopkeeper", "active",
                                 "$argon2id$x", {1, 2}));
  EXPECT_NE(base, seal.Principal(7, "bakker2", "shopkeeper", "active",
                                 "$argon2id$x", {1, 2}));
  EXPECT_NE(base, seal.Principal(7, "bakker", "privacy_officer", "active",
                                 "$argon2id$x", {1, 2}));
  EXPECT_NE(base, seal.Principal(7, "bakker", "shopkeeper", "suspended",
                                 "$argon2id$x", {1, 2}));
  EXPECT_NE(base, seal.Principal(7, "bakker", "shopkeeper", "active",
                                 "$argon2id$y", {1, 2}));
  EXPECT_NE(base, seal.Principal(7, "bakker", "shopkeeper", "active",
                                 "$argon2id$x", {1, 2, 3}));
  EXPECT_NE(base, Seal('o').Principal(7, "bakker", "shopkeeper", "active",
                                      "$argon2id$x", {1, 2}))
      << "another key";
}

TEST(RowSealTest, BytesCannotMoveBetweenFieldsOrTables) {
  const RowSeal seal = Seal('k');
  EXPECT_NE(seal.Participant(1, "2026-01-01", ""),
            seal.Participant(1, "", "2026-01-01"));
  EXPECT_NE(seal.ShopMember(12, 3), seal.ShopMember(1, 23));
  EXPECT_NE(seal.SecretHash("session", "abc"), seal.SecretHash("code", "abc"));
  EXPECT_NE(seal.Session("h", 1, 1000), seal.Session("h", 1, 1001));
  EXPECT_NE(seal.Session("h", 1, 1000), seal.Session("h", 2, 1000));
  EXPECT_NE(seal.Licence(1, 2, "ap", "N", "H", "2026-01-01", "2027-01-01"),
            seal.Licence(1, 2, "ap", "N", "H", "2026-01-01", "2028-01-01"));
}

TEST(RowSealTest, MatchesIsExact) {
  const RowSeal seal = Seal('k');
  const std::string mac = seal.ShopMember(1, 2);
  EXPECT_TRUE(RowSeal::Matches(mac, mac));
  EXPECT_FALSE(RowSeal::Matches(mac, ""));
  EXPECT_FALSE(RowSeal::Matches(mac, mac.substr(1)));
  std::string flipped = mac;
  flipped[0] ^= 1;
  EXPECT_FALSE(RowSeal::Matches(mac, flipped));
}

}  // namespace
}  // namespace kvo::common
