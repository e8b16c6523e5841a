// Envelope encryption and the blind index: what a tampered, moved or
// foreign ciphertext does, and how the root key file is kept.
#include "services/common/envelope.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/crypto.h"
#include "tests/support/pg_environment.h"

namespace kvo::common {
namespace {

using ::testing::HasSubstr;

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto()); }
};

TEST_F(EnvelopeTest, SealOpensOnlyWithTheSameKeyAndBinding) {
  const SecretKey key = SecretKey::Generate();
  const std::string sealed = Seal(key, "Jan van der Berg", "person:1/surname");
  EXPECT_EQ(sealed.size(), 24u + 16u + 16u);
  EXPECT_EQ(sealed.find("Berg"), std::string::npos);
  auto plain = Open(key, sealed, "person:1/surname", "surname");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, "Jan van der Berg");
  // Two seals of one value differ (random nonce).
  EXPECT_NE(Seal(key, "x", "a"), Seal(key, "x", "a"));

  for (const char* binding : {"person:2/surname", "person:1/address", ""}) {
    auto moved = Open(key, sealed, binding, "surname");
    EXPECT_EQ(moved.status().code(), absl::StatusCode::kDataLoss) << binding;
    EXPECT_THAT(moved.status().message(), HasSubstr("cannot decrypt surname"));
  }
  EXPECT_EQ(Open(SecretKey::Generate(), sealed, "person:1/surname", "s")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string flipped = sealed;
    flipped[i] ^= 0x01;
    EXPECT_EQ(Open(key, flipped, "person:1/surname", "s").status().code(),
              absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
  EXPECT_EQ(
      Open(key, sealed.substr(0, 30), "person:1/surname", "s").status().code(),
      absl::StatusCode::kDataLoss);
}

TEST_F(EnvelopeTest, WrappedKeysUnwrapOnlyForTheirOwner) {
  const SecretKey kek = SecretKey::Generate();
  const SecretKey dek = SecretKey::Generate();
  const std::string wrapped = WrapKey(kek, dek, "person:7/dek");
  auto back = UnwrapKey(kek, wrapped, "person:7/dek");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->bytes(), dek.bytes());
  EXPECT_EQ(UnwrapKey(kek, wrapped, "person:8/dek").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(EnvelopeTest, DerivedKeysAndBlindIndexAreStableAndKeyed) {
  const SecretKey root = SecretKey::Generate();
  const SecretKey a = DeriveKey(root, 1, "kvoblind");
  EXPECT_EQ(a.bytes(), DeriveKey(root, 1, "kvoblind").bytes());
  EXPECT_NE(a.bytes(), DeriveKey(root, 2, "kvoblind").bytes());
  EXPECT_NE(a.bytes(), DeriveKey(root, 1, "kvoother").bytes());
  const std::string index = BlindIndex(a, "jan|berg|1990-04-01");
  EXPECT_EQ(index.size(), 32u);
  EXPECT_EQ(index, BlindIndex(a, "jan|berg|1990-04-01"));
  EXPECT_NE(index, BlindIndex(a, "jan|berg|1990-04-02"));
  EXPECT_NE(index,
            BlindIndex(DeriveKey(root, 2, "kvoblind"), "jan|berg|1990-04-01"));
  EXPECT_FALSE(SecretKey::FromBytes("short").ok());
}

TEST_F(EnvelopeTest, RootKeyFileIsPrivateAndReloaded) {
  kvo::testing::TempDir dir;
  const auto file = dir.path() / "keys" / "root.key";
  auto first = LoadOrCreateRootKey(file, "");
  ASSERT_TRUE(first.ok()) << first.status();
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto again = LoadOrCreateRootKey(file, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes(), first->bytes());

  ::chmod(file.c_str(), 0644);
  auto open = LoadOrCreateRootKey(file, "");
  EXPECT_EQ(open.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.status().message(), HasSubstr("chmod 600"));
  ::chmod(file.c_str(), 0600);
  std::ofstream(file, std::ios::trunc) << "too short";
  EXPECT_THAT(LoadOrCreateRootKey(file, "").status().message(),
              HasSubstr("damaged"));

  const std::string hex(64, 'a');
  auto env = LoadOrCreateRootKey(file, hex);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(HexEncode(env->bytes()), hex);
  EXPECT_EQ(LoadOrCreateRootKey(file, "xyz").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A photo's hex comes through HexDecode (table-driven): every byte value
// comes back, either case reads, anything else refuses the whole string.
TEST(HexTest, DecodesEveryByteAndRefusesWhatIsNotHex) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(HexDecode(HexEncode(all)), all);
  EXPECT_EQ(HexDecode("0aFf"), std::string("\x0a\xff", 2));
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  for (const char* bad : {"0g", "g0", "0 ", "\xff\x30", "0\x80", "-1"}) {
    EXPECT_EQ(HexDecode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace kvo::common
