#include "services/audit/merkle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

Hash FromHex(absl::string_view hex) {
  std::optional<std::string> bytes = common::HexDecode(hex);
  EXPECT_TRUE(bytes.has_value() && bytes->size() == 32) << hex;
  Hash out{};
  if (bytes && bytes->size() == 32) {
    std::copy(bytes->begin(), bytes->end(), out.begin());
  }
  return out;
}

std::string Hex(const Hash& hash) { return common::HexEncode(hash); }

std::string Raw(absl::string_view hex) { return *common::HexDecode(hex); }

// The leaves and roots of the Certificate Transparency reference test
// (certificate-transparency merkle_tree_test.cc, also transparency-dev/merkle
// testonly): RootHashes()[n] is the root of the first n leaves.
const std::vector<std::string>& CtLeaves() {
  static const auto* kLeaves = new std::vector<std::string>{
      Raw(""),
      Raw("00"),
      Raw("10"),
      Raw("2021"),
      Raw("3031"),
      Raw("40414243"),
      Raw("5051525354555657"),
      Raw("606162636465666768696a6b6c6d6e6f"),
  };
  return *kLeaves;
}

const std::vector<std::string>& CtRoots() {
  static const auto* kRoots = new std::vector<std::string>{
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  return *kRoots;
}

std::vector<Hash> CtLeafHashes() {
  std::vector<Hash> hashes;
  for (const std::string& leaf : CtLeaves()) hashes.push_back(LeafHash(leaf));
  return hashes;
}

std::vector<Hash> HexHashes(const std::vector<std::string>& hexes) {
  std::vector<Hash> out;
  for (const std::string& hex : hexes) out.push_back(FromHex(hex));
  return out;
}

// MTH written straight from RFC 6962 2.1, independent of the code under test.
Hash ReferenceRoot(const Hash* leaves, uint64_t n) {
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[0];
  const uint64_t k = std::bit_floor(n - 1);
  return NodeHash(ReferenceRoot(leaves, k), ReferenceRoot(leaves + k, n - k));
}

std::vector<Hash> SyntheticLeaves(int n) {
  std::vector<Hash> leaves;
  for (int i = 0; i < n; ++i) {
    leaves.push_back(LeafHash(absl::StrCat("audit entry #", i)));
  }
  return leaves;
}

std::vector<Hash> Prefix(const std::vector<Hash>& leaves, uint64_t n) {
  return std::vector<Hash>(leaves.begin(), leaves.begin() + n);
}

TEST(MerkleKnownAnswerTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(Hex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(RootOf({}), EmptyRoot());
  EXPECT_EQ(CompactTree().Root(), EmptyRoot());
}

TEST(MerkleKnownAnswerTest, LeafAndNodeHashesUseDomainPrefixes) {
  // SHA-256 of the single byte 0x00, i.e. the leaf hash of an empty entry.
  EXPECT_EQ(Hex(LeafHash("")), CtRoots()[1]);
  EXPECT_EQ(Hex(LeafHash(Raw("00"))),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(Hex(NodeHash(LeafHash(""), LeafHash(Raw("00")))), CtRoots()[2]);
  // The prefix separates leaves from nodes: a leaf whose bytes spell out two
  // child hashes must not hash like that node.
  const Hash left = LeafHash("l");
  const Hash right = LeafHash("r");
  std::string spelled(left.begin(), left.end());
  spelled.append(right.begin(), right.end());
  EXPECT_NE(LeafHash(spelled), NodeHash(left, right));
}

TEST(MerkleKnownAnswerTest, RootsOfCertificateTransparencyReferenceTree) {
  const std::vector<Hash> leaves = CtLeafHashes();
  CompactTree tree;
  for (uint64_t n = 0; n <= leaves.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_EQ(Hex(RootOf(Prefix(leaves, n))), CtRoots()[n]);
    EXPECT_EQ(Hex(tree.Root()), CtRoots()[n]);
    EXPECT_EQ(tree.size(), n);
    if (n < leaves.size()) tree.Append(leaves[n]);
  }
}

TEST(MerkleKnownAnswerTest, InclusionProofsOfReferenceTree) {
  struct Case {
    uint64_t index;
    uint64_t size;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       3,
       {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<Hash> leaves = CtLeafHashes();
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("index ", c.index, " size ", c.size));
    const std::vector<Hash> expected = HexHashes(c.proof);
    EXPECT_EQ(InclusionProof(leaves, c.index, c.size), expected);
    EXPECT_TRUE(VerifyInclusion(leaves[c.index], c.index, c.size, expected,
                                FromHex(CtRoots()[c.size])));
  }
}

TEST(MerkleKnownAnswerTest, ConsistencyProofsOfReferenceTree) {
  struct Case {
    uint64_t first;
    uint64_t second;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  const std::vector<Hash> leaves = CtLeafHashes();
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("first ", c.first, " second ", c.second));
    const std::vector<Hash> expected = HexHashes(c.proof);
    EXPECT_EQ(ConsistencyProof(leaves, c.first, c.second), expected);
    EXPECT_TRUE(VerifyConsistency(c.first, c.second,
                                  FromHex(CtRoots()[c.first]),
                                  FromHex(CtRoots()[c.second]), expected));
  }
}

TEST(MerkleTreeTest, RootOfMatchesCompactTreeAndRfcDefinitionUpTo70) {
  const std::vector<Hash> leaves = SyntheticLeaves(70);
  CompactTree tree;
  for (uint64_t n = 0; n <= leaves.size(); ++n) {
    SCOPED_TRACE(n);
    const Hash reference = ReferenceRoot(leaves.data(), n);
    EXPECT_EQ(RootOf(Prefix(leaves, n)), reference);
    ASSERT_EQ(tree.size(), n);
    EXPECT_EQ(tree.Root(), reference);
    // Root() must not disturb later appends.
    EXPECT_EQ(tree.Root(), reference);
    if (n < leaves.size()) tree.Append(leaves[n]);
  }
}

TEST(MerkleTreeTest, CompactTreeCopyIsAnIndependentSnapshot) {
  const std::vector<Hash> leaves = SyntheticLeaves(1000);
  CompactTree tree;
  CompactTree snapshot;
  for (size_t i = 0; i < leaves.size(); ++i) {
    tree.Append(leaves[i]);
    if (i == 499) snapshot = tree;
  }
  EXPECT_EQ(tree.Root(), RootOf(leaves));
  EXPECT_EQ(snapshot.size(), 500u);
  EXPECT_EQ(snapshot.Root(), RootOf(Prefix(leaves, 500)));
  snapshot.Append(leaves[0]);
  EXPECT_EQ(tree.Root(), RootOf(leaves));
}

TEST(MerkleTreeTest, ChangedRemovedOrReorderedEntryChangesRoot) {
  std::vector<Hash> leaves = SyntheticLeaves(37);
  const Hash root = RootOf(leaves);
  std::vector<Hash> changed = leaves;
  changed[17] = LeafHash("audit entry #17 (edited)");
  EXPECT_NE(RootOf(changed), root);
  std::vector<Hash> removed = leaves;
  removed.erase(removed.begin() + 5);
  EXPECT_NE(RootOf(removed), root);
  std::vector<Hash> reordered = leaves;
  std::swap(reordered[3], reordered[4]);
  EXPECT_NE(RootOf(reordered), root);
}

TEST(InclusionProofTest, EveryProofUpTo40VerifiesAndRejectsTampering) {
  const std::vector<Hash> leaves = SyntheticLeaves(40);
  for (uint64_t size = 1; size <= 40; ++size) {
    const Hash root = RootOf(Prefix(leaves, size));
    Hash wrong_root = root;
    wrong_root[31] ^= 0x01;
    for (uint64_t index = 0; index < size; ++index) {
      SCOPED_TRACE(absl::StrCat("index ", index, " size ", size));
      const std::vector<Hash> proof = InclusionProof(leaves, index, size);
      ASSERT_TRUE(VerifyInclusion(leaves[index], index, size, proof, root));
      // Only the first `size` leaves may matter.
      EXPECT_EQ(proof, InclusionProof(Prefix(leaves, size), index, size));

      for (size_t i = 0; i < proof.size(); ++i) {
        for (size_t byte : {size_t{0}, size_t{31}}) {
          std::vector<Hash> flipped = proof;
          flipped[i][byte] ^= 0x80;
          EXPECT_FALSE(
              VerifyInclusion(leaves[index], index, size, flipped, root))
              << "flipped byte " << byte << " of proof[" << i << "]";
        }
      }
      for (uint64_t other = 0; other <= size; ++other) {
        if (other == index) continue;
        EXPECT_FALSE(VerifyInclusion(leaves[index], other, size, proof, root))
            << "wrong index " << other;
      }
      EXPECT_FALSE(
          VerifyInclusion(leaves[index], index, size, proof, wrong_root));
      EXPECT_FALSE(
          VerifyInclusion(leaves[(index + 1) % 40], index, size, proof, root))
          << "wrong leaf";
      if (!proof.empty()) {
        EXPECT_FALSE(VerifyInclusion(
            leaves[index], index, size,
            std::vector<Hash>(proof.begin(), proof.end() - 1), root))
            << "truncated proof";
      }
      std::vector<Hash> extended = proof;
      extended.push_back(root);
      EXPECT_FALSE(VerifyInclusion(leaves[index], index, size, extended, root))
          << "extended proof";
    }
  }
}

TEST(InclusionProofTest, RejectsImpossibleArguments) {
  const std::vector<Hash> leaves = SyntheticLeaves(8);
  EXPECT_THAT(InclusionProof(leaves, 8, 8), IsEmpty());
  EXPECT_THAT(InclusionProof(leaves, 0, 9), IsEmpty());
  EXPECT_THAT(InclusionProof(leaves, 0, 0), IsEmpty());
  EXPECT_FALSE(VerifyInclusion(leaves[0], 0, 0, {}, EmptyRoot()));
  EXPECT_FALSE(VerifyInclusion(leaves[0], 0, 0, {}, leaves[0]));
  EXPECT_FALSE(VerifyInclusion(leaves[0], 1, 1, {}, leaves[0]));
  EXPECT_TRUE(VerifyInclusion(leaves[0], 0, 1, {}, leaves[0]));
  // Large sizes need long proofs; a short one must not be accepted.
  EXPECT_FALSE(VerifyInclusion(leaves[0], 0, uint64_t{1} << 63,
                               {leaves[1], leaves[2]}, leaves[0]));
}

TEST(ConsistencyProofTest, EveryProofUpTo40VerifiesAndRejectsForgery) {
  const std::vector<Hash> leaves = SyntheticLeaves(40);
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= 40; ++n) roots.push_back(RootOf(Prefix(leaves, n)));
  for (uint64_t second = 1; second <= 40; ++second) {
    for (uint64_t first = 1; first <= second; ++first) {
      SCOPED_TRACE(absl::StrCat("first ", first, " second ", second));
      const std::vector<Hash> proof = ConsistencyProof(leaves, first, second);
      ASSERT_TRUE(
          VerifyConsistency(first, second, roots[first], roots[second], proof));
      EXPECT_EQ(proof.empty(), first == second);

      Hash forged_old = roots[first];
      forged_old[0] ^= 0x01;
      EXPECT_FALSE(
          VerifyConsistency(first, second, forged_old, roots[second], proof))
          << "forged old root";
      Hash forged_new = roots[second];
      forged_new[31] ^= 0x01;
      EXPECT_FALSE(
          VerifyConsistency(first, second, roots[first], forged_new, proof))
          << "forged new root";
      // A log that rewrote history: same sizes, an old entry changed.
      std::vector<Hash> rewritten = leaves;
      rewritten[first - 1] = LeafHash("rewritten");
      EXPECT_FALSE(VerifyConsistency(
          first, second, roots[first], RootOf(Prefix(rewritten, second)),
          ConsistencyProof(rewritten, first, second)))
          << "rewritten history";

      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> flipped = proof;
        flipped[i][7] ^= 0x10;
        EXPECT_FALSE(VerifyConsistency(first, second, roots[first],
                                       roots[second], flipped))
            << "flipped proof[" << i << "]";
      }
      if (!proof.empty()) {
        EXPECT_FALSE(VerifyConsistency(
            first, second, roots[first], roots[second],
            std::vector<Hash>(proof.begin(), proof.end() - 1)))
            << "truncated proof";
      }
      std::vector<Hash> extended = proof;
      extended.push_back(roots[second]);
      EXPECT_FALSE(VerifyConsistency(first, second, roots[first], roots[second],
                                     extended))
          << "extended proof";
      for (uint64_t other = 1; other <= second; ++other) {
        if (other == first) continue;
        EXPECT_FALSE(VerifyConsistency(other, second, roots[first],
                                       roots[second], proof))
            << "wrong old size " << other;
      }
      if (first != second) {
        EXPECT_FALSE(VerifyConsistency(second, first, roots[second],
                                       roots[first], proof))
            << "sizes swapped";
      }
    }
  }
}

TEST(ConsistencyProofTest, EmptyAndEqualTrees) {
  const std::vector<Hash> leaves = SyntheticLeaves(5);
  const Hash root5 = RootOf(leaves);
  EXPECT_THAT(ConsistencyProof(leaves, 0, 5), IsEmpty());
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), root5, {}));
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}));
  EXPECT_FALSE(VerifyConsistency(0, 5, root5, root5, {}));
  EXPECT_FALSE(VerifyConsistency(0, 5, EmptyRoot(), root5, {root5}));
  EXPECT_FALSE(VerifyConsistency(5, 5, root5, EmptyRoot(), {}));
  EXPECT_FALSE(VerifyConsistency(5, 5, root5, root5, {root5}));
  EXPECT_FALSE(VerifyConsistency(5, 4, root5, root5, {}));
  EXPECT_FALSE(VerifyConsistency(2, 5, RootOf(Prefix(leaves, 2)), root5, {}));
  EXPECT_THAT(ConsistencyProof(leaves, 3, 6), IsEmpty());
  EXPECT_THAT(ConsistencyProof(leaves, 4, 3), IsEmpty());
}

class TreeHeadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(common::InitCrypto()); }

  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/tree_head_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static TreeHead SampleHead() {
    TreeHead head;
    head.tree_size = 0x0102030405060708;
    head.root = LeafHash("sample");
    head.timestamp_ms = 1700000000123;
    return head;
  }

  static mode_t Mode(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  static void WriteFile(const std::filesystem::path& path,
                        absl::string_view bytes, mode_t mode) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  std::filesystem::path dir_;
};

// RFC 8032 section 7.1, TEST 1.
constexpr absl::string_view kRfc8032Seed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr absl::string_view kRfc8032PublicKey =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST_F(TreeHeadTest, SigningBytesLayout) {
  TreeHead head;
  head.tree_size = 0x0102030405060708;
  head.timestamp_ms = -2;
  head.root.fill(0xab);
  const std::string bytes = TreeHeadSigningBytes(head);
  ASSERT_THAT(bytes, SizeIs(64));
  EXPECT_EQ(bytes.substr(0, 16), "kvo-audit-sth-v1");
  EXPECT_EQ(common::HexEncode(bytes.substr(16, 8)), "0102030405060708");
  EXPECT_EQ(common::HexEncode(bytes.substr(24, 8)), "fffffffffffffffe");
  EXPECT_EQ(bytes.substr(32), std::string(32, '\xab'));
}

TEST_F(TreeHeadTest, FromSeedMatchesRfc8032) {
  const TreeHeadSigner signer = TreeHeadSigner::FromSeed(Raw(kRfc8032Seed));
  EXPECT_EQ(common::HexEncode(signer.public_key()), kRfc8032PublicKey);
  // Ed25519 is deterministic.
  EXPECT_EQ(signer.Sign(SampleHead()),
            TreeHeadSigner::FromSeed(Raw(kRfc8032Seed)).Sign(SampleHead()));
}

TEST_F(TreeHeadTest, SignedHeadVerifiesAndAnyChangeFails) {
  const TreeHeadSigner signer = TreeHeadSigner::FromSeed(std::string(32, 'k'));
  const TreeHead head = SampleHead();
  const std::string signature = signer.Sign(head);
  ASSERT_THAT(signature, SizeIs(64));
  ASSERT_THAT(signer.public_key(), SizeIs(32));
  EXPECT_TRUE(VerifyTreeHead(head, signature, signer.public_key()));

  TreeHead changed = head;
  changed.tree_size += 1;
  EXPECT_FALSE(VerifyTreeHead(changed, signature, signer.public_key()));
  changed = head;
  changed.root[13] ^= 0x04;
  EXPECT_FALSE(VerifyTreeHead(changed, signature, signer.public_key()));
  changed = head;
  changed.timestamp_ms -= 1;
  EXPECT_FALSE(VerifyTreeHead(changed, signature, signer.public_key()));

  const TreeHeadSigner other = TreeHeadSigner::FromSeed(std::string(32, 'o'));
  EXPECT_FALSE(VerifyTreeHead(head, signature, other.public_key()));
  EXPECT_FALSE(VerifyTreeHead(head, other.Sign(head), signer.public_key()));

  std::string bad_signature = signature;
  bad_signature[40] ^= 0x01;
  EXPECT_FALSE(VerifyTreeHead(head, bad_signature, signer.public_key()));
  EXPECT_FALSE(
      VerifyTreeHead(head, signature.substr(0, 63), signer.public_key()));
  EXPECT_FALSE(VerifyTreeHead(head, signature, signer.public_key().substr(1)));
  EXPECT_FALSE(VerifyTreeHead(head, "", ""));
}

TEST_F(TreeHeadTest, MovedSignerKeepsTheKey) {
  TreeHeadSigner original = TreeHeadSigner::FromSeed(std::string(32, 'm'));
  const std::string public_key = original.public_key();
  TreeHeadSigner moved = std::move(original);
  EXPECT_EQ(moved.public_key(), public_key);
  EXPECT_TRUE(
      VerifyTreeHead(SampleHead(), moved.Sign(SampleHead()), public_key));
  TreeHeadSigner assigned = TreeHeadSigner::FromSeed(std::string(32, 'a'));
  assigned = std::move(moved);
  EXPECT_TRUE(
      VerifyTreeHead(SampleHead(), assigned.Sign(SampleHead()), public_key));
}

TEST_F(TreeHeadTest, LoadOrCreateCreatesPrivateFileAndReloadsSameKey) {
  const std::filesystem::path key = dir_ / "keys" / "audit" / "sth.key";
  absl::StatusOr<TreeHeadSigner> created = TreeHeadSigner::LoadOrCreate(key);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(Mode(key), 0600);
  EXPECT_EQ(std::filesystem::file_size(key), 64u);
  EXPECT_EQ(Mode(dir_ / "keys"), 0700);
  EXPECT_EQ(Mode(dir_ / "keys" / "audit"), 0700);
  // Nothing but the key is left behind.
  EXPECT_EQ(
      std::distance(std::filesystem::directory_iterator(key.parent_path()),
                    std::filesystem::directory_iterator()),
      1);

  absl::StatusOr<TreeHeadSigner> reloaded = TreeHeadSigner::LoadOrCreate(key);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->public_key(), created->public_key());
  EXPECT_TRUE(VerifyTreeHead(SampleHead(), reloaded->Sign(SampleHead()),
                             created->public_key()));
  EXPECT_EQ(reloaded->Sign(SampleHead()), created->Sign(SampleHead()));

  // A different file holds a different key.
  absl::StatusOr<TreeHeadSigner> another =
      TreeHeadSigner::LoadOrCreate(dir_ / "another.key");
  ASSERT_TRUE(another.ok()) << another.status();
  EXPECT_NE(another->public_key(), created->public_key());
}

TEST_F(TreeHeadTest, LoadOrCreateRejectsBadKeyFiles) {
  const std::filesystem::path key = dir_ / "sth.key";

  WriteFile(key, std::string(63, 'x'), 0600);
  absl::StatusOr<TreeHeadSigner> result = TreeHeadSigner::LoadOrCreate(key);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr(key.string()));
  EXPECT_THAT(result.status().message(), HasSubstr("63 bytes"));

  // 64 bytes whose second half is not the public key of the first.
  WriteFile(key, std::string(64, 'x'), 0600);
  result = TreeHeadSigner::LoadOrCreate(key);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr(key.string()));

  // A valid key that others may read.
  ASSERT_TRUE(TreeHeadSigner::LoadOrCreate(dir_ / "valid.key").ok());
  std::filesystem::copy_file(dir_ / "valid.key", key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  result = TreeHeadSigner::LoadOrCreate(key);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("0644"));
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(TreeHeadSigner::LoadOrCreate(key).ok());

  result = TreeHeadSigner::LoadOrCreate(dir_);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("not a regular file"));

  // A parent that is a file cannot hold the key.
  WriteFile(dir_ / "plain", "x", 0600);
  result = TreeHeadSigner::LoadOrCreate(dir_ / "plain" / "sth.key");
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("plain"));
}

}  // namespace
}  // namespace kvo::audit
