#ifndef KVO_SERVICES_REGISTRY_KEY_RING_H_
#define KVO_SERVICES_REGISTRY_KEY_RING_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/db_pool.h"
#include "services/common/envelope.h"

namespace kvo::registry {

// The registry's keys in memory: the key-encryption keys (stored in the
// database only wrapped by the root key) and the blind-index key (derived
// from the root key, never stored). Immutable after Open; thread-safe.
class KeyRing final {
 public:
  // Unwraps every key-encryption key, creating version 1 on a new database
  // (two kvods starting together agree on one). FAILED_PRECONDITION when the
  // root key does not open them: the wrong key file or KVO_ROOT_KEY.
  static absl::StatusOr<std::unique_ptr<KeyRing>> Open(
      const common::SecretKey& root, common::DbPool& pool);

  int32_t current_version() const { return keks_.rbegin()->first; }
  const common::SecretKey& blind_key() const { return blind_; }

  // A new data key for a person, and its wrapping under the current
  // key-encryption key.
  std::pair<common::SecretKey, std::string> NewDataKey(int64_t person_id) const;
  // DATA_LOSS when the wrapped key was damaged or belongs to another person.
  absl::StatusOr<common::SecretKey> OpenDataKey(
      int64_t person_id, int32_t kek_version, absl::string_view wrapped) const;

 private:
  KeyRing() = default;
  std::map<int32_t, common::SecretKey> keks_;
  common::SecretKey blind_;
};

// Associated data binding a sealed value to its person and field, so a
// ciphertext moved to another row or field does not open.
std::string FieldBinding(int64_t person_id, absl::string_view field);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_KEY_RING_H_
