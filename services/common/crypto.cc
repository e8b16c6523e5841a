#include "services/common/crypto.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace kvo::common {

Sha256Digest Sha256(absl::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(),
                 nullptr) != 1) {
    // Only an OpenSSL installation without SHA-256 can get here.
    throw std::runtime_error("SHA-256 unavailable in OpenSSL");
  }
  return out;
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::string HexEncode(const Sha256Digest& digest) {
  return HexEncode(absl::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace kvo::common
