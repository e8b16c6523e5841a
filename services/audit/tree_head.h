#ifndef KVO_SERVICES_AUDIT_TREE_HEAD_H_
#define KVO_SERVICES_AUDIT_TREE_HEAD_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_entry.h"
#include "services/audit/merkle.h"

namespace kvo::audit {

// A published state of the audit log: its size and Merkle root at a time.
struct TreeHead {
  uint64_t tree_size = 0;
  Hash root{};
  int64_t timestamp_ms = 0;
};

// The exact bytes an Ed25519 tree-head signature covers (64 bytes):
// "kvo-audit-sth-v1" || tree_size (8 bytes big-endian) ||
// timestamp_ms (8 bytes big-endian, two's complement) || root.
std::string TreeHeadSigningBytes(const TreeHead& head);

// Signs tree heads with the log's Ed25519 key. Requires kvo::common::
// InitCrypto() to have run. Move-only; the secret never leaves the object and
// is wiped when it is destroyed or moved from. A moved-from signer must not be
// used. Sign() is const and thread-safe.
class TreeHeadSigner {
 public:
  // Loads the key at `path` (the raw 64-byte libsodium secret key) or, when
  // nothing is there, generates one and creates the file with mode 0600 and
  // any missing parent directories with mode 0700; the file appears
  // atomically, complete or not at all. When another process creates it
  // concurrently, its key is loaded. Errors name the path and the reason:
  // codes mapped from errno (e.g. PERMISSION_DENIED) for I/O failures,
  // FAILED_PRECONDITION when the file is not a regular file or group or others
  // have any access to it, DATA_LOSS when it does not hold a well-formed key.
  static absl::StatusOr<TreeHeadSigner> LoadOrCreate(
      const std::filesystem::path& path);
  // Deterministic key from a 32-byte seed, for tests and benchmarks. Aborts
  // if the seed is not 32 bytes.
  static TreeHeadSigner FromSeed(absl::string_view seed32);

  TreeHeadSigner(TreeHeadSigner&& other) noexcept;
  TreeHeadSigner& operator=(TreeHeadSigner&& other) noexcept;
  TreeHeadSigner(const TreeHeadSigner&) = delete;
  TreeHeadSigner& operator=(const TreeHeadSigner&) = delete;
  ~TreeHeadSigner();

  // Detached Ed25519 signature (64 bytes) over TreeHeadSigningBytes(head).
  std::string Sign(const TreeHead& head) const;
  // The raw 32-byte Ed25519 public key, for VerifyTreeHead.
  const std::string& public_key() const { return public_key_; }

 private:
  TreeHeadSigner() = default;
  void Wipe();

  // libsodium layout: 32-byte seed followed by the 32-byte public key.
  std::array<unsigned char, 64> secret_key_{};
  std::string public_key_;
};

// True iff `signature` is a valid Ed25519 signature by `public_key` over
// TreeHeadSigningBytes(head). False for malformed sizes. Thread-safe.
bool VerifyTreeHead(const TreeHead& head, absl::string_view signature,
                    absl::string_view public_key);
// The same for a head as stored: its own signature under its own public
// key. False for a root that is not 32 bytes.
bool VerifyStoredTreeHead(const StoredTreeHead& head);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_TREE_HEAD_H_
