#ifndef KVO_SERVICES_REGISTRY_KEY_RING_H_
#define KVO_SERVICES_REGISTRY_KEY_RING_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/common/db_pool.h"
#include "services/common/envelope.h"
#include "services/keystore/pg_key_store.h"

namespace kvo::registry {

// Where a key rotation stands.
struct KeyStatus {
  int32_t current_version = 0;
  std::vector<keystore::KekRow> versions;  // wrapped keys left out
  int64_t data_keys_behind = 0;  // wrapped by an older version than current
  std::string root_key_id;       // names the root key in use (not the key)
  std::optional<absl::Time> root_rotated_at;
};

// The registry's keys: the key-encryption keys (KEKs, kept in the key
// store only wrapped by the root key) in memory, persons' data keys in the
// key store (wrapped by a KEK), and the blind-index key (derived from the
// root key, never stored). Thread-safe: a KEK version another kvod added
// is loaded when first met.
class KeyRing final {
 public:
  // Unwraps every KEK, creating version 1 in a new key store.
  // FAILED_PRECONDITION when the root key does not open them: the wrong key
  // file or KVO_ROOT_KEY, or another kvod rotated it. `root_file` is where
  // `root` came from (empty: KVO_ROOT_KEY); a root key rotation that
  // stopped half-way there is finished or dropped first.
  static absl::StatusOr<std::unique_ptr<KeyRing>> Open(
      const common::SecretKey& root, keystore::PgKeyStore& store,
      const std::filesystem::path& root_file = {});

  int32_t current_version() const;
  const common::SecretKey& blind_key() const { return blind_; }
  // A key for sealing data that belongs to no person (a schouw photo):
  // derived (crypto_kdf, `context8` exactly 8 characters) from the secret
  // the key store keeps wrapped by the root key, so it lives only there
  // and survives root rotation. Not erasable per record.
  common::SecretKey PurposeKey(absl::string_view context8) const {
    return common::DeriveKey(blind_, 1, context8);
  }

  // A new data key for a person, stored (wrapped by the newest KEK) in the
  // key store before this returns.
  absl::StatusOr<common::SecretKey> CreateDataKey(int64_t person_id) const;
  // The data keys of `person_ids` that the key store still has; a person
  // without one was erased (or the key store is not this data's).
  // DATA_LOSS when a wrapped key does not open.
  absl::StatusOr<std::map<int64_t, common::SecretKey>> OpenDataKeys(
      const std::vector<int64_t>& person_ids) const;
  // Crypto-shredding: the data keys of `person_ids` are deleted (the key
  // store keeps their ids as erased).
  absl::Status DestroyDataKeys(const std::vector<int64_t>& person_ids) const;
  // The persons whose data key the key store deleted: erased, whatever a
  // restored dump of the data says.
  absl::StatusOr<std::vector<int64_t>> ErasedPersons() const;
  // Records `person_ids` (erased, their keys gone) in the key store as
  // erased: erasures made before it kept them.
  absl::Status RecordErased(const std::vector<int64_t>& person_ids) const;

  // Key rotation: a new KEK version becomes current (FAILED_PRECONDITION
  // while an earlier rotation's rewrap is still running).
  absl::StatusOr<int32_t> Rotate() const;
  // Rewraps at most `limit` data keys to the current version and retires
  // versions nothing uses any more; how many keys moved.
  absl::StatusOr<int> RewrapStep(int limit) const;
  absl::StatusOr<KeyStatus> Status() const;
  // Root key rotation: a new root key rewraps every KEK and the blind-index
  // key in one key-store transaction, then replaces the root key file.
  // FAILED_PRECONDITION when the root key comes from KVO_ROOT_KEY or
  // another kvod rotated it first. Other kvods need the new file before
  // they next start.
  absl::Status RotateRoot() const;

 private:
  KeyRing(common::SecretKey root, keystore::PgKeyStore& store,
          std::filesystem::path root_file);
  std::shared_ptr<const common::SecretKey> Root() const;
  // Unwraps KEK versions not yet in memory.
  absl::Status Load() const;
  // A data key from its wrapping; DATA_LOSS when its KEK version is
  // unknown or it does not open.
  absl::StatusOr<common::SecretKey> Unwrap(
      const keystore::WrappedKey& wrapped) const;
  // The KEK of `version`, loading it when another kvod added it.
  absl::StatusOr<std::string> WrapWith(int32_t version,
                                       const common::SecretKey& key,
                                       int64_t person_id) const;

  keystore::PgKeyStore& store_;
  const std::filesystem::path root_file_;
  common::SecretKey blind_;  // set by Open, never changed
  mutable absl::Mutex rotate_mu_;
  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const common::SecretKey> root_ ABSL_GUARDED_BY(mu_);
  mutable std::map<int32_t, std::shared_ptr<const common::SecretKey>> keks_
      ABSL_GUARDED_BY(mu_);
  // An older version than the newest is not retired yet (as last loaded).
  mutable bool old_versions_in_use_ ABSL_GUARDED_BY(mu_) = false;

  std::shared_ptr<const common::SecretKey> Kek(int32_t version) const;
};

// Moves the keys an older kvod kept in the data database (`data`) to the
// key store, then deletes them there. Idempotent; run before KeyRing::Open.
absl::Status MoveKeysToKeyStore(common::DbPool& data,
                                keystore::PgKeyStore& store);

// Associated data binding a sealed value to its person and field, so a
// ciphertext moved to another row or field does not open.
std::string FieldBinding(int64_t person_id, absl::string_view field);

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_KEY_RING_H_
