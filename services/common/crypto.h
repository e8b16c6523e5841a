#ifndef KVO_SERVICES_COMMON_CRYPTO_H_
#define KVO_SERVICES_COMMON_CRYPTO_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kvo::common {

// The one place for cryptographic primitives: OpenSSL for SHA-256, libsodium
// for randomness, Argon2id and signatures. Thread-safe; InitCrypto() must run
// once before anything else here (kvod and the tests' mains do).
using Sha256Digest = std::array<uint8_t, 32>;

// Initialises libsodium. Returns false when no secure randomness exists.
bool InitCrypto();

Sha256Digest Sha256(absl::string_view data);
// HMAC-SHA256 (OpenSSL) of `data` under `key`: 32 raw bytes.
Sha256Digest HmacSha256(absl::string_view key, absl::string_view data);
std::string HexEncode(absl::string_view bytes);
std::string HexEncode(const Sha256Digest& digest);
// Inverse of HexEncode; nullopt for odd length or a non-hex character.
std::optional<std::string> HexDecode(absl::string_view hex);

// `n` bytes from the OS's secure random source.
std::string RandomBytes(size_t n);

// Constant-time comparison of equal-length secrets.
bool SecretsEqual(absl::string_view a, absl::string_view b);

// Argon2id (libsodium crypto_pwhash_str, INTERACTIVE limits): the encoded
// string holds salt and parameters. Hashing costs ~64 MiB and tens of ms on
// purpose. nullopt only when memory runs out.
std::optional<std::string> HashPassword(absl::string_view password);
bool VerifyPassword(absl::string_view encoded_hash, absl::string_view password);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_CRYPTO_H_
