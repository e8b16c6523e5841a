#ifndef KVO_SERVICES_KEYSTORE_PG_KEY_STORE_H_
#define KVO_SERVICES_KEYSTORE_PG_KEY_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/db_pool.h"

namespace kvo::keystore {

// A person's data key as the key store holds it: wrapped by a
// key-encryption key (KEK) version.
struct WrappedKey {
  int64_t person_id = 0;
  int32_t kek_version = 0;
  std::string wrapped;
};

// Which root key wraps the KEKs, and the blind-index key it wraps.
struct RootRow {
  std::string root_id;  // a keyed hash of the root key, not the key
  std::string wrapped_blind_key;
  std::optional<absl::Time> rotated_at;
};

struct KekRow {
  int32_t version = 0;
  std::optional<std::string> wrapped;  // nullopt: retired
  absl::Time created_at;
  std::optional<absl::Time> retired_at;
  int64_t data_keys = 0;  // how many data keys it wraps
};

// The key store: its own database (migrations/keystore/), apart from the
// data, so that a dump of the data never holds a key. The only SQL on its
// tables. Thread-safe. Errors: UNAVAILABLE when its database cannot be
// reached, FAILED_PRECONDITION as documented per method.
class PgKeyStore final {
 public:
  explicit PgKeyStore(common::DbPool& pool) : pool_(pool) {}

  // Every KEK version, oldest first; with the number of data keys each
  // wraps when `count` (a scan of the data keys' index).
  absl::StatusOr<std::vector<KekRow>> Keks(bool count);
  // Version 1 of a new key store unless it has one (two kvods starting
  // together agree on one).
  absl::Status CreateFirstKek(const std::string& wrapped);
  // A new KEK version (the newest plus one), wrapped by `wrap(version)`
  // with the root key `root_id` names. FAILED_PRECONDITION while data keys
  // are still wrapped by an older version than the newest (a rotation is
  // still running), or when another root key wraps the KEKs now.
  absl::StatusOr<int32_t> AddKek(
      const std::string& root_id,
      const std::function<std::string(int32_t)>& wrap);

  // The root row; nullopt in a key store made before root rotation.
  absl::StatusOr<std::optional<RootRow>> Root();
  // Writes the root row unless there is one (two kvods starting together).
  absl::Status CreateRoot(const RootRow& row);
  // Root key rotation, in one transaction: every KEK not retired is
  // rewrapped by `rewrap_kek(version, wrapped)` and the blind key replaced,
  // and the row names `new_id`. FAILED_PRECONDITION when `old_id` is not
  // the root key in use (another kvod rotated it).
  absl::Status RotateRoot(const std::string& old_id, const std::string& new_id,
                          const std::string& wrapped_blind_key,
                          const std::function<absl::StatusOr<std::string>(
                              int32_t, const std::string&)>& rewrap_kek);

  // Stores a new data key. FAILED_PRECONDITION when its KEK version is no
  // longer the newest (another kvod rotated): wrap it again and retry.
  absl::Status PutDataKey(const WrappedKey& key);
  // The data keys of `person_ids` that exist; a missing one was erased.
  absl::StatusOr<std::map<int64_t, WrappedKey>> DataKeys(
      const std::vector<int64_t>& person_ids);
  // Deletes the data keys of `person_ids` (crypto-shredding); ids without
  // a key are fine. Their ids are kept (not the keys) as erased, so a
  // restored older dump of the data can be erased again (Erased), until a
  // new key is stored for the same id.
  absl::Status DeleteDataKeys(const std::vector<int64_t>& person_ids);
  // Records `person_ids` as erased (their keys are gone already): for
  // erasures made before the key store kept them.
  absl::Status RecordErased(const std::vector<int64_t>& person_ids);
  // The ids of every person whose data key was deleted, ascending.
  absl::StatusOr<std::vector<int64_t>> Erased();
  // Rewrites the key tables (VACUUM FULL) so a deleted key's bytes leave
  // its dead row in the table's pages, then switches the WAL to a new
  // segment and checkpoints (best effort: it needs the rights), so the
  // segments that hold it are deleted: when a data key was deleted through
  // this store since the last compaction, or `always`. Whether it ran. A
  // short exclusive lock on the key tables while it runs.
  absl::StatusOr<bool> Compact(bool always);

  // Rewraps at most `limit` data keys wrapped by a version older than
  // `version` with `rewrap` (skipping rows another kvod holds); how many.
  absl::StatusOr<int> RewrapBatch(
      int32_t version, int limit,
      const std::function<absl::StatusOr<std::string>(const WrappedKey&)>&
          rewrap);
  // Retires every version older than the newest that wraps no data key:
  // its wrapped KEK is deleted. The versions retired.
  absl::StatusOr<std::vector<int32_t>> RetireUnused();

  // Moves keys from an older layout (the data database held them): keeps
  // what the key store has already. Idempotent.
  absl::Status Import(const std::map<int32_t, std::string>& keks,
                      const std::vector<WrappedKey>& data_keys);

 private:
  common::DbPool& pool_;
  std::atomic<bool> deleted_since_compaction_{false};
  std::atomic<bool> wal_warned_{false};
};

}  // namespace kvo::keystore

#endif  // KVO_SERVICES_KEYSTORE_PG_KEY_STORE_H_
