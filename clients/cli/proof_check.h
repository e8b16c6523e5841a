#ifndef KVO_CLIENTS_CLI_PROOF_CHECK_H_
#define KVO_CLIENTS_CLI_PROOF_CHECK_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/audit.pb.h"

namespace kvo::cli {

// What `kvo audit` checks on the client, so an auditor need not trust kvod.
// The tree math and the signing bytes are services/audit's (merkle.h,
// tree_head.h: RFC 9162 over SHA-256, Ed25519), the same code kvod's own
// verifier runs; this file checks what arrived over the wire against what
// was asked and says which check failed. Each function returns OK, or
// DATA_LOSS with a one-line reason (malformed sizes included: a proof that
// cannot be read does not hold). Requires kvo::common::InitCrypto().
// Thread-safe.

// The head's Ed25519 signature verifies under its own public key, and that
// key is `pinned_key` unless that is empty (raw 32 bytes, not hex).
absl::Status CheckTreeHead(const kvo::v1::SignedTreeHead& head,
                           absl::string_view pinned_key);

// `proof` is for entry `index` in a tree of `tree_size` entries (0: any
// size), its entry bytes hash to its leaf hash, its path leads from that leaf
// to the tree head's root, and the tree head passes CheckTreeHead.
absl::Status CheckInclusionProof(const kvo::v1::InclusionProof& proof,
                                 uint64_t index, uint64_t tree_size,
                                 absl::string_view pinned_key);

// `proof` is between the heads of `first_size` and `second_size`, both heads
// are signed by one key and pass CheckTreeHead, and its path shows the first
// tree is a prefix of the second.
absl::Status CheckConsistencyProof(const kvo::v1::ConsistencyProof& proof,
                                   uint64_t first_size, uint64_t second_size,
                                   absl::string_view pinned_key);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_PROOF_CHECK_H_
