#ifndef KVO_SERVICES_COMMON_ENVELOPE_H_
#define KVO_SERVICES_COMMON_ENVELOPE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::common {

// Envelope encryption and the blind index (DESIGN.md, "Encryption at rest"):
// libsodium XChaCha20-Poly1305 for sealing, keyed BLAKE2b for the index,
// crypto_kdf for subkeys. InitCrypto() must have run. Thread-safe.

inline constexpr size_t kKeyBytes = 32;

// A 32-byte secret key, wiped when destroyed. Movable, not copyable.
class SecretKey {
 public:
  SecretKey() = default;
  static SecretKey Generate();
  // INVALID_ARGUMENT unless exactly 32 bytes.
  static absl::StatusOr<SecretKey> FromBytes(absl::string_view bytes);
  ~SecretKey();
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;

  absl::string_view bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }

 private:
  void Wipe();
  std::string bytes_;
};

// The root key: from `env_value` (64 hex characters, KVO_ROOT_KEY) when
// given, else from `file` (32 raw bytes, mode 0600 or stricter), created
// with fresh random bytes when missing. One-line errors naming the fix.
absl::StatusOr<SecretKey> LoadOrCreateRootKey(const std::filesystem::path& file,
                                              absl::string_view env_value);

// Creates `file` (mode 0600, its directory 0700 when made) with `bytes`
// and fsyncs it; FAILED_PRECONDITION when it exists or cannot be written.
absl::Status WriteKeyFile(const std::filesystem::path& file,
                          absl::string_view bytes);

// A 32-byte key in `file` (mode 0600 or stricter), created with fresh
// random bytes when missing; `what` names it in errors ("audit MAC key").
absl::StatusOr<SecretKey> LoadOrCreateKeyFile(const std::filesystem::path& file,
                                              absl::string_view what);

// The whole content of an existing secret file (mode 0600 or stricter),
// trailing line breaks dropped; FAILED_PRECONDITION naming `what` and the
// fix when it is missing, empty or readable by others.
absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& file,
                                           absl::string_view what);

// A subkey for one purpose (crypto_kdf; `context8` exactly 8 characters).
SecretKey DeriveKey(const SecretKey& root, uint64_t id,
                    absl::string_view context8);

// nonce (24 random bytes) || ciphertext || tag; `associated_data` is
// authenticated, not stored.
std::string Seal(const SecretKey& key, absl::string_view plaintext,
                 absl::string_view associated_data);
// DATA_LOSS naming `what` when the value was damaged, moved (other
// associated data) or sealed with another key.
absl::StatusOr<std::string> Open(const SecretKey& key, absl::string_view sealed,
                                 absl::string_view associated_data,
                                 absl::string_view what);

std::string WrapKey(const SecretKey& kek, const SecretKey& key,
                    absl::string_view associated_data);
absl::StatusOr<SecretKey> UnwrapKey(const SecretKey& kek,
                                    absl::string_view wrapped,
                                    absl::string_view associated_data);

// Keyed BLAKE2b-256 of `normalized`: 32 raw bytes.
std::string BlindIndex(const SecretKey& key, absl::string_view normalized);

// Keyed BLAKE2b-256 of `data` (a MAC): 32 raw bytes.
std::string Mac(const SecretKey& key, absl::string_view data);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_ENVELOPE_H_
