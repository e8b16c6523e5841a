#include "services/audit/audit_mac.h"

#include <sodium.h>

#include <array>
#include <cstring>

#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

std::shared_ptr<const AuditMac>& ProcessMacSlot() {
  static std::shared_ptr<const AuditMac> mac;
  return mac;
}

constexpr size_t kMacBytes = crypto_generichash_BYTES;  // 32

// Verify checks one per entry, so no allocation: 16-byte tag, index and
// time big-endian, then the leaf hash (32 bytes) — one BLAKE2b block.
std::array<unsigned char, kMacBytes> SeqMac(absl::string_view key,
                                            uint64_t index, int64_t at_micros,
                                            absl::string_view leaf_hash) {
  unsigned char in[16 + 8 + 8 + 32] = "kvo-audit-seq-2";
  for (int i = 0; i < 8; ++i) {
    in[16 + i] = static_cast<unsigned char>(index >> (56 - 8 * i));
    in[24 + i] = static_cast<unsigned char>(static_cast<uint64_t>(at_micros) >>
                                            (56 - 8 * i));
  }
  std::memcpy(in + 32, leaf_hash.data(),
              std::min<size_t>(32, leaf_hash.size()));
  std::array<unsigned char, kMacBytes> out;
  crypto_generichash(out.data(), out.size(), in, sizeof in,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     key.size());
  return out;
}

}  // namespace

std::string AuditMac::EntryMac(const SequencedEntry& entry) const {
  return common::Mac(key_, WrittenBytes(entry));
}

std::string AuditMac::SequenceMac(uint64_t index, int64_t at_micros,
                                  absl::string_view leaf_hash) const {
  const auto mac = SeqMac(key_.bytes(), index, at_micros, leaf_hash);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

bool AuditMac::EntryMacOk(const SequencedEntry& entry,
                          absl::string_view mac) const {
  return common::SecretsEqual(EntryMac(entry), mac);
}

bool AuditMac::SequenceMacOk(uint64_t index, int64_t at_micros,
                             absl::string_view leaf_hash,
                             absl::string_view mac) const {
  if (leaf_hash.size() != 32 || mac.size() != kMacBytes) return false;
  const auto expected = SeqMac(key_.bytes(), index, at_micros, leaf_hash);
  return sodium_memcmp(expected.data(), mac.data(), kMacBytes) == 0;
}

void InstallProcessAuditMac(std::shared_ptr<const AuditMac> mac) {
  ProcessMacSlot() = std::move(mac);
}

const AuditMac* ProcessAuditMac() { return ProcessMacSlot().get(); }

}  // namespace kvo::audit
