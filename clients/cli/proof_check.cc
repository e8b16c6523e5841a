#include "clients/cli/proof_check.h"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace kvo::cli {
namespace {

using kvo::audit::Hash;
using kvo::common::HexEncode;

std::optional<Hash> ToHash(absl::string_view bytes) {
  Hash hash;
  if (bytes.size() != hash.size()) return std::nullopt;
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

absl::Status Bad(absl::string_view why) { return absl::DataLossError(why); }

absl::Status WrongSize(absl::string_view what, size_t size) {
  return Bad(absl::StrCat(what, " is ", size, " bytes, not 32"));
}

// The path elements as hashes, or why not.
absl::Status ToPath(absl::string_view what,
                    const google::protobuf::RepeatedPtrField<std::string>& in,
                    std::vector<Hash>* out) {
  for (int i = 0; i < in.size(); ++i) {
    auto hash = ToHash(in[i]);
    if (!hash) {
      return WrongSize(absl::StrCat(what, " element ", i), in[i].size());
    }
    out->push_back(*hash);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTreeHead(const kvo::v1::SignedTreeHead& head,
                           absl::string_view pinned_key) {
  auto root = ToHash(head.root_hash());
  if (!root) {
    return WrongSize(
        absl::StrCat("the root of the tree head of size ", head.tree_size()),
        head.root_hash().size());
  }
  if (!pinned_key.empty() && head.public_key() != pinned_key) {
    return Bad(absl::StrCat("the tree head of size ", head.tree_size(),
                            " is signed by key ", HexEncode(head.public_key()),
                            ", not the pinned key ", HexEncode(pinned_key)));
  }
  kvo::audit::TreeHead signed_head;
  signed_head.tree_size = head.tree_size();
  signed_head.root = *root;
  signed_head.timestamp_ms = head.timestamp_ms();
  if (!kvo::audit::VerifyTreeHead(signed_head, head.signature(),
                                  head.public_key())) {
    return Bad(absl::StrCat("the signature of the tree head of size ",
                            head.tree_size(), " does not verify"));
  }
  return absl::OkStatus();
}

absl::Status CheckInclusionProof(const kvo::v1::InclusionProof& proof,
                                 uint64_t index, uint64_t tree_size,
                                 absl::string_view pinned_key) {
  const kvo::v1::SignedTreeHead& head = proof.tree_head();
  if (proof.index() != index) {
    return Bad(absl::StrCat("kvod answered for entry ", proof.index()));
  }
  if (tree_size != 0 && head.tree_size() != tree_size) {
    return Bad(
        absl::StrCat("kvod answered for a tree of size ", head.tree_size()));
  }
  if (index >= head.tree_size()) {
    return Bad(absl::StrCat("entry ", index, " is not in the signed tree of ",
                            head.tree_size(), " entries"));
  }
  // kvod's leaf hash is only a cross-check: the path is walked from the hash
  // of the entry bytes themselves, unless retention emptied the entry (then
  // the leaf hash is all that is left of it).
  Hash leaf{};
  if (proof.content_erased()) {
    auto stored = ToHash(proof.leaf_hash());
    if (!stored) return WrongSize("the leaf hash", proof.leaf_hash().size());
    leaf = *stored;
  } else {
    if (proof.entry().empty()) return Bad("kvod sent no entry bytes");
    leaf = kvo::audit::LeafHash(proof.entry());
    if (proof.leaf_hash().size() != leaf.size() ||
        std::memcmp(proof.leaf_hash().data(), leaf.data(), leaf.size()) != 0) {
      return Bad("the entry bytes do not hash to the leaf hash kvod sent");
    }
  }
  std::vector<Hash> path;
  if (auto s = ToPath("inclusion path", proof.path(), &path); !s.ok()) {
    return s;
  }
  auto root = ToHash(head.root_hash());
  if (!root) return WrongSize("the root hash", head.root_hash().size());
  if (!kvo::audit::VerifyInclusion(leaf, index, head.tree_size(), path,
                                   *root)) {
    return Bad(
        absl::StrCat("the inclusion path does not lead to the root of "
                     "the signed tree of ",
                     head.tree_size(), " entries"));
  }
  return CheckTreeHead(head, pinned_key);
}

absl::Status CheckConsistencyProof(const kvo::v1::ConsistencyProof& proof,
                                   uint64_t first_size, uint64_t second_size,
                                   absl::string_view pinned_key) {
  const kvo::v1::SignedTreeHead& first = proof.first();
  const kvo::v1::SignedTreeHead& second = proof.second();
  if (first.tree_size() != first_size || second.tree_size() != second_size) {
    return Bad(absl::StrCat("kvod answered for sizes ", first.tree_size(),
                            " and ", second.tree_size()));
  }
  // Without a pinned key, at least both heads must come from one signer.
  if (first.public_key() != second.public_key()) {
    return Bad("the two tree heads are signed by different keys");
  }
  if (auto s = CheckTreeHead(first, pinned_key); !s.ok()) return s;
  if (auto s = CheckTreeHead(second, pinned_key); !s.ok()) return s;
  std::vector<Hash> path;
  if (auto s = ToPath("consistency path", proof.path(), &path); !s.ok()) {
    return s;
  }
  // Both roots are 32 bytes: CheckTreeHead passed.
  if (!kvo::audit::VerifyConsistency(first_size, second_size,
                                     *ToHash(first.root_hash()),
                                     *ToHash(second.root_hash()), path)) {
    return Bad(absl::StrCat("the consistency path does not show the tree of ",
                            first_size, " entries is a prefix of the tree of ",
                            second_size));
  }
  return absl::OkStatus();
}

}  // namespace kvo::cli
