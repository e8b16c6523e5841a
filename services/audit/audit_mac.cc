#include "services/audit/audit_mac.h"

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

std::shared_ptr<const AuditMac>& ProcessMacSlot() {
  static std::shared_ptr<const AuditMac> mac;
  return mac;
}

}  // namespace

std::string AuditMac::EntryMac(const SequencedEntry& entry) const {
  return common::Mac(key_, WrittenBytes(entry));
}

std::string AuditMac::SequenceMac(uint64_t index, int64_t at_micros,
                                  absl::string_view leaf_hash) const {
  return common::Mac(key_, absl::StrCat("kvo-audit-seq-v1|", index, "|",
                                        at_micros, "|", leaf_hash));
}

bool AuditMac::EntryMacOk(const SequencedEntry& entry,
                          absl::string_view mac) const {
  return common::SecretsEqual(EntryMac(entry), mac);
}

bool AuditMac::SequenceMacOk(uint64_t index, int64_t at_micros,
                             absl::string_view leaf_hash,
                             absl::string_view mac) const {
  return common::SecretsEqual(SequenceMac(index, at_micros, leaf_hash), mac);
}

void InstallProcessAuditMac(std::shared_ptr<const AuditMac> mac) {
  ProcessMacSlot() = std::move(mac);
}

const AuditMac* ProcessAuditMac() { return ProcessMacSlot().get(); }

}  // namespace kvo::audit
