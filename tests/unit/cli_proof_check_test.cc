// The client's audit checks against proofs built here from the RFC 6962
// definitions (an implementation independent of services/audit), and
// against every way kvod could answer wrongly.
#include <sodium.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/proof_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace kvo::cli {
namespace {

using ::testing::HasSubstr;

std::string Sha256(absl::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return out;
}
std::string Leaf(absl::string_view entry) {
  return Sha256(absl::StrCat(std::string(1, '\0'), entry));
}
std::string Node(const std::string& l, const std::string& r) {
  return Sha256(absl::StrCat("\x01", l, r));
}

// Largest power of two smaller than n (n > 1).
size_t Split(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[lo:hi]) over leaf hashes.
std::string Mth(const std::vector<std::string>& d, size_t lo, size_t hi) {
  if (hi - lo == 1) return d[lo];
  const size_t k = Split(hi - lo);
  return Node(Mth(d, lo, lo + k), Mth(d, lo + k, hi));
}

// PATH(m, D[lo:hi]) of RFC 6962 2.1.1.
std::vector<std::string> Path(const std::vector<std::string>& d, size_t m,
                              size_t lo, size_t hi) {
  if (hi - lo == 1) return {};
  const size_t k = Split(hi - lo);
  std::vector<std::string> out;
  if (m < k) {
    out = Path(d, m, lo, lo + k);
    out.push_back(Mth(d, lo + k, hi));
  } else {
    out = Path(d, m - k, lo + k, hi);
    out.push_back(Mth(d, lo, lo + k));
  }
  return out;
}

// SUBPROOF(m, D[lo:hi], b) of RFC 6962 2.1.2.
std::vector<std::string> SubProof(const std::vector<std::string>& d, size_t m,
                                  size_t lo, size_t hi, bool b) {
  const size_t n = hi - lo;
  if (m == n) {
    if (b) return {};
    return {Mth(d, lo, hi)};
  }
  const size_t k = Split(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = SubProof(d, m, lo, lo + k, b);
    out.push_back(Mth(d, lo + k, hi));
  } else {
    out = SubProof(d, m - k, lo + k, hi, false);
    out.push_back(Mth(d, lo, lo + k));
  }
  return out;
}

class ProofCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(kvo::common::InitCrypto()); }

  ProofCheckTest()
      : signer_(kvo::audit::TreeHeadSigner::FromSeed(std::string(32, 's'))) {
    for (int i = 0; i < kMaxSize; ++i) {
      entries_.push_back(absl::StrCat("entry ", i));
      leaves_.push_back(Leaf(entries_.back()));
    }
  }

  kvo::v1::SignedTreeHead Head(size_t size,
                               const kvo::audit::TreeHeadSigner& signer) {
    kvo::v1::SignedTreeHead head;
    head.set_tree_size(size);
    head.set_root_hash(Mth(leaves_, 0, size));
    head.set_timestamp_ms(1795000000000 + size);
    kvo::audit::TreeHead th;
    th.tree_size = size;
    std::copy(head.root_hash().begin(), head.root_hash().end(),
              th.root.begin());
    th.timestamp_ms = head.timestamp_ms();
    head.set_signature(signer.Sign(th));
    head.set_public_key(signer.public_key());
    return head;
  }

  kvo::v1::InclusionProof Inclusion(size_t index, size_t size) {
    kvo::v1::InclusionProof proof;
    proof.set_index(index);
    proof.set_entry(entries_[index]);
    proof.set_leaf_hash(leaves_[index]);
    for (auto& p : Path(leaves_, index, 0, size)) proof.add_path(p);
    *proof.mutable_tree_head() = Head(size, signer_);
    return proof;
  }

  kvo::v1::ConsistencyProof Consistency(size_t first, size_t second) {
    kvo::v1::ConsistencyProof proof;
    *proof.mutable_first() = Head(first, signer_);
    *proof.mutable_second() = Head(second, signer_);
    if (first < second) {
      for (auto& p : SubProof(leaves_, first, 0, second, true)) {
        proof.add_path(p);
      }
    }
    return proof;
  }

  static constexpr int kMaxSize = 33;
  kvo::audit::TreeHeadSigner signer_;
  std::vector<std::string> entries_;
  std::vector<std::string> leaves_;
};

TEST_F(ProofCheckTest, AcceptsEveryInclusionProofOfSmallTrees) {
  for (size_t size = 1; size <= kMaxSize; ++size) {
    for (size_t index = 0; index < size; ++index) {
      auto proof = Inclusion(index, size);
      EXPECT_TRUE(CheckInclusionProof(proof, index, size, "").ok())
          << index << " in " << size;
      EXPECT_TRUE(CheckInclusionProof(proof, index, 0, "").ok());
    }
  }
}

TEST_F(ProofCheckTest, RejectsEveryAlteredInclusionPathElement) {
  for (size_t size : {2, 7, 16, 33}) {
    for (size_t index = 0; index < size; ++index) {
      auto proof = Inclusion(index, size);
      for (int i = 0; i < proof.path_size(); ++i) {
        auto bad = proof;
        (*bad.mutable_path(i))[5] ^= 1;
        EXPECT_FALSE(CheckInclusionProof(bad, index, size, "").ok());
      }
      auto shorter = proof;
      shorter.mutable_path()->RemoveLast();
      EXPECT_FALSE(CheckInclusionProof(shorter, index, size, "").ok());
      auto longer = proof;
      longer.add_path(leaves_[0]);
      EXPECT_FALSE(CheckInclusionProof(longer, index, size, "").ok());
    }
  }
}

TEST_F(ProofCheckTest, InclusionNeedsTheEntryBytesThatHashToTheLeaf) {
  auto proof = Inclusion(3, 10);
  auto edited = proof;
  edited.set_entry("entry 4");
  EXPECT_THAT(CheckInclusionProof(edited, 3, 10, "").message(),
              HasSubstr("do not hash to the leaf hash"));
  // A consistent lie about entry and leaf still fails on the path.
  edited.set_leaf_hash(Leaf("entry 4"));
  EXPECT_THAT(CheckInclusionProof(edited, 3, 10, "").message(),
              HasSubstr("does not lead to the root"));
  auto empty = proof;
  empty.clear_entry();
  EXPECT_THAT(CheckInclusionProof(empty, 3, 10, "").message(),
              HasSubstr("no entry bytes"));
}

TEST_F(ProofCheckTest, InclusionMustAnswerTheQuestionAsked) {
  auto proof = Inclusion(3, 10);
  EXPECT_THAT(CheckInclusionProof(proof, 4, 10, "").message(),
              HasSubstr("answered for entry 3"));
  EXPECT_THAT(CheckInclusionProof(proof, 3, 11, "").message(),
              HasSubstr("tree of size 10"));
  // A proof for another position of the same leaf does not hold.
  auto moved = proof;
  moved.set_index(4);
  EXPECT_FALSE(CheckInclusionProof(moved, 4, 10, "").ok());
  auto outside = Inclusion(3, 10);
  outside.set_index(10);
  EXPECT_THAT(CheckInclusionProof(outside, 10, 0, "").message(),
              HasSubstr("not in the signed tree"));
}

TEST_F(ProofCheckTest, RejectsMalformedHashes) {
  auto proof = Inclusion(3, 10);
  auto short_element = proof;
  short_element.mutable_path(0)->pop_back();
  EXPECT_THAT(CheckInclusionProof(short_element, 3, 10, "").message(),
              HasSubstr("inclusion path element 0 is 31 bytes"));
  auto short_root = proof;
  short_root.mutable_tree_head()->mutable_root_hash()->pop_back();
  EXPECT_FALSE(CheckInclusionProof(short_root, 3, 10, "").ok());
}

TEST_F(ProofCheckTest, TreeHeadSignatureCoversSizeTimeAndRoot) {
  auto head = Head(10, signer_);
  EXPECT_TRUE(CheckTreeHead(head, "").ok());
  auto size = head;
  size.set_tree_size(11);
  EXPECT_THAT(CheckTreeHead(size, "").message(), HasSubstr("does not verify"));
  auto time = head;
  time.set_timestamp_ms(head.timestamp_ms() + 1);
  EXPECT_FALSE(CheckTreeHead(time, "").ok());
  auto root = head;
  (*root.mutable_root_hash())[0] ^= 1;
  EXPECT_FALSE(CheckTreeHead(root, "").ok());
  auto signature = head;
  (*signature.mutable_signature())[0] ^= 1;
  EXPECT_FALSE(CheckTreeHead(signature, "").ok());
  auto unsigned_head = head;
  unsigned_head.clear_signature();
  EXPECT_FALSE(CheckTreeHead(unsigned_head, "").ok());
}

// The signing bytes as the contract spells them, signed here with libsodium
// directly: "kvo-audit-sth-v1" || size BE64 || timestamp_ms BE64 || root.
TEST_F(ProofCheckTest, TreeHeadSigningBytesFollowTheContract) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  kvo::v1::SignedTreeHead head;
  head.set_tree_size(0x0102030405060708ULL);
  head.set_timestamp_ms(1795000000123);
  head.set_root_hash(Sha256("root"));
  std::string message = "kvo-audit-sth-v1";
  for (uint64_t v :
       {head.tree_size(), static_cast<uint64_t>(head.timestamp_ms())}) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      message.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  message += head.root_hash();
  ASSERT_EQ(message.size(), 64u);
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()),
                       nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  head.set_signature(signature);
  head.set_public_key(std::string(reinterpret_cast<char*>(pk), sizeof pk));
  EXPECT_TRUE(CheckTreeHead(head, "").ok());
}

TEST_F(ProofCheckTest, PinnedKeyMustBeTheSigner) {
  auto other = kvo::audit::TreeHeadSigner::FromSeed(std::string(32, 'o'));
  auto proof = Inclusion(2, 5);
  EXPECT_TRUE(CheckInclusionProof(proof, 2, 5, signer_.public_key()).ok());
  EXPECT_THAT(CheckInclusionProof(proof, 2, 5, other.public_key()).message(),
              HasSubstr("not the pinned key"));
  // A head re-signed by another key verifies on its own, not against a pin.
  *proof.mutable_tree_head() = Head(5, other);
  EXPECT_TRUE(CheckInclusionProof(proof, 2, 5, "").ok());
  EXPECT_FALSE(CheckInclusionProof(proof, 2, 5, signer_.public_key()).ok());
}

TEST_F(ProofCheckTest, AcceptsEveryConsistencyProofOfSmallTrees) {
  for (size_t second = 1; second <= kMaxSize; ++second) {
    for (size_t first = 1; first <= second; ++first) {
      EXPECT_TRUE(
          CheckConsistencyProof(Consistency(first, second), first, second, "")
              .ok())
          << first << " -> " << second;
    }
  }
}

TEST_F(ProofCheckTest, RejectsEveryAlteredConsistencyProof) {
  for (size_t second : {3, 8, 13, 33}) {
    for (size_t first = 1; first < second; ++first) {
      auto proof = Consistency(first, second);
      for (int i = 0; i < proof.path_size(); ++i) {
        auto bad = proof;
        (*bad.mutable_path(i))[7] ^= 1;
        EXPECT_FALSE(CheckConsistencyProof(bad, first, second, "").ok())
            << first << " -> " << second << " element " << i;
      }
      auto shorter = proof;
      shorter.mutable_path()->RemoveLast();
      EXPECT_FALSE(CheckConsistencyProof(shorter, first, second, "").ok());
      auto empty = proof;
      empty.clear_path();
      EXPECT_FALSE(CheckConsistencyProof(empty, first, second, "").ok());
    }
  }
}

TEST_F(ProofCheckTest, ConsistencyOfARewrittenHistoryFails) {
  // The second head is honestly signed, but over a log whose entry 2 was
  // changed: no path can reconcile it with the first head.
  auto proof = Consistency(4, 9);
  leaves_[2] = Leaf("entry 2, rewritten");
  auto rewritten = Consistency(4, 9);
  *proof.mutable_second() = rewritten.second();
  EXPECT_THAT(CheckConsistencyProof(proof, 4, 9, "").message(),
              HasSubstr("is a prefix of"));
}

TEST_F(ProofCheckTest, ConsistencyHeadsMustMatchAndShareOneSigner) {
  auto proof = Consistency(4, 9);
  EXPECT_THAT(CheckConsistencyProof(proof, 4, 10, "").message(),
              HasSubstr("answered for sizes 4 and 9"));
  auto other = kvo::audit::TreeHeadSigner::FromSeed(std::string(32, 'o'));
  auto two_keys = proof;
  *two_keys.mutable_second() = Head(9, other);
  EXPECT_THAT(CheckConsistencyProof(two_keys, 4, 9, "").message(),
              HasSubstr("different keys"));
  auto bad_signature = proof;
  (*bad_signature.mutable_first()->mutable_signature())[3] ^= 1;
  EXPECT_FALSE(CheckConsistencyProof(bad_signature, 4, 9, "").ok());
  EXPECT_FALSE(CheckConsistencyProof(proof, 4, 9, other.public_key()).ok());
  // Equal sizes: no path, and the roots must agree.
  auto same = Consistency(5, 5);
  EXPECT_TRUE(CheckConsistencyProof(same, 5, 5, "").ok());
  same.add_path(leaves_[0]);
  EXPECT_FALSE(CheckConsistencyProof(same, 5, 5, "").ok());
}

}  // namespace
}  // namespace kvo::cli
