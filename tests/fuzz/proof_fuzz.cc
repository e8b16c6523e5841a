// The audit proof checker: what kvo checks of kvod's answers
// (clients/cli/proof_check) and the Merkle verification under it
// (services/audit/merkle). The first byte chooses:
//   0  an InclusionProof as kvod sends it,
//   1  a ConsistencyProof as kvod sends it,
//   2  VerifyInclusion/VerifyConsistency with raw sizes, hashes and paths,
//   3  proofs built for a tree of up to 256 leaves must verify, and must not
//      once a byte of them is changed.
// With bit 0x80 set, tree heads are signed again with a fixed key so that the
// checks behind the signature are reached.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "clients/cli/proof_check.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace {

using kvo::audit::Hash;

const kvo::audit::TreeHeadSigner& Signer() {
  static const auto* signer = new kvo::audit::TreeHeadSigner(
      kvo::audit::TreeHeadSigner::FromSeed(std::string(32, 'f')));
  return *signer;
}

void Resign(kvo::v1::SignedTreeHead* head) {
  kvo::audit::TreeHead th;
  th.tree_size = head->tree_size();
  th.timestamp_ms = head->timestamp_ms();
  if (head->root_hash().size() == th.root.size()) {
    std::memcpy(th.root.data(), head->root_hash().data(), th.root.size());
  }
  head->set_public_key(Signer().public_key());
  head->set_signature(Signer().Sign(th));
}

// Reads fixed-size values off the front of the input; zeros once it ends.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return v;
  }
  uint8_t Byte() {
    if (in_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  Hash H() {
    Hash h{};
    for (auto& b : h) b = Byte();
    return h;
  }
  std::vector<Hash> Path() {
    std::vector<Hash> path;
    const size_t n = Byte() % 70;
    for (size_t i = 0; i < n && !in_.empty(); ++i) path.push_back(H());
    return path;
  }
  bool empty() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

void WireProofs(uint8_t mode, absl::string_view body) {
  const bool resign = mode & 0x80;
  if ((mode & 0x7f) == 0) {
    kvo::v1::InclusionProof proof;
    if (!proof.ParseFromArray(body.data(), body.size())) return;
    if (resign) Resign(proof.mutable_tree_head());
    auto s = kvo::cli::CheckInclusionProof(proof, proof.index(), 0, "");
    if (!s.ok() && s.code() != absl::StatusCode::kDataLoss) __builtin_trap();
    if (s.ok() && proof.index() >= proof.tree_head().tree_size()) {
      __builtin_trap();
    }
  } else {
    kvo::v1::ConsistencyProof proof;
    if (!proof.ParseFromArray(body.data(), body.size())) return;
    if (resign) {
      Resign(proof.mutable_first());
      Resign(proof.mutable_second());
    }
    auto s = kvo::cli::CheckConsistencyProof(proof, proof.first().tree_size(),
                                             proof.second().tree_size(), "");
    if (!s.ok() && s.code() != absl::StatusCode::kDataLoss) __builtin_trap();
    if (s.ok() && proof.first().tree_size() > proof.second().tree_size()) {
      __builtin_trap();
    }
  }
}

void RawVerify(Reader r) {
  const Hash leaf = r.H();
  const uint64_t index = r.U64();
  const uint64_t size = r.U64();
  const Hash root = r.H();
  const auto path = r.Path();
  if (kvo::audit::VerifyInclusion(leaf, index, size, path, root) &&
      index >= size) {
    __builtin_trap();
  }
  const uint64_t first = r.U64();
  const uint64_t second = r.U64();
  const Hash first_root = r.H();
  const Hash second_root = r.H();
  const auto cpath = r.Path();
  if (kvo::audit::VerifyConsistency(first, second, first_root, second_root,
                                    cpath) &&
      first > second) {
    __builtin_trap();
  }
}

void BuiltProofs(Reader r) {
  const size_t n = 1 + r.Byte();
  std::vector<Hash> leaves;
  kvo::audit::CompactTree compact;
  for (size_t i = 0; i < n; ++i) {
    leaves.push_back(kvo::audit::LeafHash(std::string(1 + i % 3, char(i))));
    compact.Append(leaves.back());
  }
  const Hash root = kvo::audit::RootOf(leaves);
  if (compact.Root() != root) __builtin_trap();
  const uint64_t size = 1 + r.Byte() % n;
  const uint64_t index = r.Byte() % size;
  const Hash size_root =
      kvo::audit::RootOf({leaves.begin(), leaves.begin() + size});
  auto path = kvo::audit::InclusionProof(leaves, index, size);
  if (!kvo::audit::VerifyInclusion(leaves[index], index, size, path,
                                   size_root)) {
    __builtin_trap();
  }
  const size_t flip = r.Byte();
  if (!path.empty()) {
    path[flip % path.size()][flip % 32] ^= 1 + (flip >> 5);
    if (kvo::audit::VerifyInclusion(leaves[index], index, size, path,
                                    size_root)) {
      __builtin_trap();
    }
  }
  const uint64_t first = r.Byte() % (size + 1);
  const Hash first_root =
      kvo::audit::RootOf({leaves.begin(), leaves.begin() + first});
  auto cpath = kvo::audit::ConsistencyProof(leaves, first, size);
  if (!kvo::audit::VerifyConsistency(first, size, first_root, size_root,
                                     cpath)) {
    __builtin_trap();
  }
  if (!cpath.empty()) {
    cpath[flip % cpath.size()][flip % 32] ^= 1 + (flip >> 5);
    if (kvo::audit::VerifyConsistency(first, size, first_root, size_root,
                                      cpath)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ok = kvo::common::InitCrypto();
  if (!ok || size == 0) return 0;
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const uint8_t mode = data[0];
  switch ((mode & 0x7f) % 4) {
    case 0:
    case 1:
      WireProofs(mode & 0x81, body);
      break;
    case 2:
      RawVerify(Reader(body));
      break;
    case 3:
      BuiltProofs(Reader(body));
      break;
  }
  return 0;
}
