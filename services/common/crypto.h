#ifndef KVO_SERVICES_COMMON_CRYPTO_H_
#define KVO_SERVICES_COMMON_CRYPTO_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace kvo::common {

// The one place for cryptographic primitives (OpenSSL for hashes; libsodium
// arrives with the modules that seal data). Thread-safe.
using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(absl::string_view data);
std::string HexEncode(absl::string_view bytes);
std::string HexEncode(const Sha256Digest& digest);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_CRYPTO_H_
