#ifndef KVO_SERVICES_AUDIT_MERKLE_H_
#define KVO_SERVICES_AUDIT_MERKLE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace kvo::audit {

// The audit log's Merkle tree, exactly as RFC 6962 section 2.1 (and RFC 9162
// section 2.1) define it over SHA-256, so that an outside auditor can check
// proofs with any Certificate Transparency tooling. Every function here is
// pure and thread-safe; none of them needs InitCrypto().
using Hash = std::array<uint8_t, 32>;

// SHA-256(0x00 || entry_bytes): the hash of one audit entry.
Hash LeafHash(absl::string_view entry_bytes);
// SHA-256(0x01 || left || right): an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""): the root of the empty tree (e3b0c442...).
Hash EmptyRoot();

// MTH(D[0:n]) for the given leaf hashes; EmptyRoot() when there are none.
// O(n) time, O(n) scratch memory.
Hash RootOf(const std::vector<Hash>& leaf_hashes);

// A tree that grows one leaf at a time and keeps only the roots of its
// perfect subtrees (at most 64 hashes), so the root of a log of any length
// can be recomputed while streaming its entries. Not thread-safe; cheap to
// copy.
class CompactTree {
 public:
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  // MTH of the leaves appended so far; EmptyRoot() when there are none.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  // Roots of the perfect subtrees, largest (leftmost) first; one per set bit
  // of size_.
  std::vector<Hash> frontier_;
};

// PATH(index, D[0:tree_size]) of RFC 6962 2.1.1: the sibling hashes from the
// leaf up to the root. `leaves` holds leaf hashes; only the first tree_size
// are used. Requires index < tree_size <= leaves.size(); otherwise returns an
// empty proof, which VerifyInclusion rejects for those arguments. O(tree_size)
// hashing.
std::vector<Hash> InclusionProof(const std::vector<Hash>& leaves,
                                 uint64_t index, uint64_t tree_size);

// RFC 9162 2.1.3.2: true iff `proof` shows that `leaf_hash` is leaf number
// `index` of the tree of `tree_size` leaves whose root is `root`.
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<Hash>& proof, const Hash& root);

// PROOF(first_size, D[0:second_size]) of RFC 6962 2.1.2: shows that the tree
// of the first first_size leaves is a prefix of the tree of second_size
// leaves. Empty when first_size is 0 or equal to second_size. Requires
// first_size <= second_size <= leaves.size(); otherwise returns an empty
// proof, which VerifyConsistency rejects for those arguments. O(second_size)
// hashing.
std::vector<Hash> ConsistencyProof(const std::vector<Hash>& leaves,
                                   uint64_t first_size, uint64_t second_size);

// RFC 9162 2.1.4.2: true iff `proof` shows that the tree with `first_root`
// and `first_size` leaves is a prefix of the tree with `second_root` and
// `second_size` leaves. Equal sizes need an empty proof and equal roots; an
// empty first tree needs an empty proof and first_root == EmptyRoot().
bool VerifyConsistency(uint64_t first_size, uint64_t second_size,
                       const Hash& first_root, const Hash& second_root,
                       const std::vector<Hash>& proof);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_MERKLE_H_
