#include "services/keystore/pg_key_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/sql_values.h"

namespace kvo::keystore {
namespace {

using common::ExecPrepared;
using common::HexEncode;
using common::SqlArray;
using common::SqlBytes;

// Every write of a data key holds this lock shared; adding and retiring a
// KEK version hold it alone, so neither ever misses a data key being
// written under the version it decides about.
#define KVO_KEYS_LOCK "7020061101"

constexpr char kSharedLockSql[] =
    "SELECT pg_advisory_xact_lock_shared(" KVO_KEYS_LOCK ")";
constexpr char kLockSql[] = "SELECT pg_advisory_xact_lock(" KVO_KEYS_LOCK ")";

constexpr char kKeksSql[] =
    "SELECT k.version, encode(k.wrapped_key, 'hex'), " KVO_TS("k.created_at")
    ", " KVO_TS("k.retired_at") ", CASE WHEN $1 THEN (SELECT count(*) FROM "
    "data_keys d WHERE d.kek_version = k.version) ELSE 0 END FROM "
    "key_encryption_keys k ORDER BY version";
constexpr char kInsertKekSql[] =
    "INSERT INTO key_encryption_keys (version, wrapped_key) "
    "VALUES ($1, decode($2, 'hex')) ON CONFLICT (version) DO NOTHING";
constexpr char kNewestSql[] =
    "SELECT COALESCE(max(version), 0) FROM key_encryption_keys";
constexpr char kBehindSql[] =
    "SELECT count(*) FROM data_keys WHERE kek_version < $1";
constexpr char kPutSql[] =
    "INSERT INTO data_keys (person_id, kek_version, wrapped_key) "
    "SELECT $1, $2, decode($3, 'hex') WHERE $2 = (SELECT max(version) FROM "
    "key_encryption_keys)";
constexpr char kDataKeysSql[] =
    "SELECT person_id, kek_version, encode(wrapped_key, 'hex') FROM "
    "data_keys WHERE person_id = ANY($1::bigint[])";
constexpr char kDeleteSql[] =
    "DELETE FROM data_keys WHERE person_id = ANY($1::bigint[])";
// Which persons were erased: ids only, so kvod can finish erasing them in a
// restored older dump of the data (V003__trustdata.sql).
constexpr char kRecordErasedSql[] =
    "INSERT INTO erased_data_keys (person_id) SELECT unnest($1::bigint[]) "
    "ON CONFLICT (person_id) DO NOTHING";
// A new key for an id erased before: the data database was restored to a
// point before that id was handed out, and the id is a new person's now.
constexpr char kForgetErasedSql[] =
    "DELETE FROM erased_data_keys WHERE person_id = $1";
constexpr char kErasedSql[] =
    "SELECT person_id FROM erased_data_keys ORDER BY person_id";
// A deleted row keeps its bytes in the table's pages until the page is
// rewritten; VACUUM FULL writes the live rows to a new file and truncates
// the old one when it commits.
constexpr char kCompactSql[] =
    "VACUUM (FULL) data_keys, key_encryption_keys, root_key";
// The WAL still holds the key as written (and a full-page image of its
// page): a new segment and a checkpoint let PostgreSQL delete the older
// segments (the embedded cluster runs with wal_recycle=off).
constexpr char kSwitchWalSql[] = "SELECT pg_switch_wal()";
constexpr char kCheckpointSql[] = "CHECKPOINT";
constexpr char kBehindBatchSql[] =
    "SELECT person_id, kek_version, encode(wrapped_key, 'hex') FROM "
    "data_keys WHERE kek_version < $1 ORDER BY person_id LIMIT $2 "
    "FOR UPDATE SKIP LOCKED";
constexpr char kRewrapSql[] =
    "UPDATE data_keys SET kek_version = $2, wrapped_key = decode($3, 'hex') "
    "WHERE person_id = $1";
constexpr char kRetireSql[] =
    "UPDATE key_encryption_keys k SET wrapped_key = NULL, retired_at = now() "
    "WHERE k.retired_at IS NULL AND k.version < (SELECT max(version) FROM "
    "key_encryption_keys) AND NOT EXISTS (SELECT 1 FROM data_keys d WHERE "
    "d.kek_version = k.version) RETURNING k.version";
constexpr char kRootSql[] =
    "SELECT encode(root_id, 'hex'), encode(blind_key, 'hex'), " KVO_TS(
        "rotated_at") " FROM root_key";
constexpr char kRootForUpdateSql[] =
    "SELECT encode(root_id, 'hex') FROM root_key FOR UPDATE";
constexpr char kCreateRootSql[] =
    "INSERT INTO root_key (root_id, blind_key) VALUES (decode($1, 'hex'), "
    "decode($2, 'hex')) ON CONFLICT (one) DO NOTHING";
constexpr char kRotateRootSql[] =
    "UPDATE root_key SET root_id = decode($1, 'hex'), blind_key = "
    "decode($2, 'hex'), rotated_at = now()";
constexpr char kLiveKeksSql[] =
    "SELECT version, encode(wrapped_key, 'hex') FROM key_encryption_keys "
    "WHERE wrapped_key IS NOT NULL ORDER BY version";
constexpr char kRewrapKekSql[] =
    "UPDATE key_encryption_keys SET wrapped_key = decode($2, 'hex') WHERE "
    "version = $1";
constexpr char kRootMovedMessage[] =
    "the root key was rotated by another kvod: copy its keys/root.key to "
    "this kvod's data dir and restart it";

constexpr char kImportKeySql[] =
    "INSERT INTO data_keys (person_id, kek_version, wrapped_key) "
    "VALUES ($1, $2, decode($3, 'hex')) ON CONFLICT (person_id) DO NOTHING";

WrappedKey KeyOf(const pqxx::row& r) {
  return {r[0].as<int64_t>(), r[1].as<int32_t>(), SqlBytes(r[2])};
}

}  // namespace

absl::StatusOr<std::vector<KekRow>> PgKeyStore::Keks(bool count) {
  return pool_.InTransaction(
      "read key-encryption keys",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<KekRow>> {
        std::vector<KekRow> out;
        for (const auto& r : tx.exec_params(kKeksSql, count)) {
          KekRow k;
          k.version = r[0].as<int32_t>();
          if (!r[1].is_null()) k.wrapped = SqlBytes(r[1]);
          k.created_at = common::SqlMicros(r[2]);
          if (!r[3].is_null()) k.retired_at = common::SqlMicros(r[3]);
          k.data_keys = r[4].as<int64_t>();
          out.push_back(std::move(k));
        }
        return out;
      });
}

absl::Status PgKeyStore::CreateFirstKek(const std::string& wrapped) {
  return pool_.InTransaction(
      "create the first key-encryption key", [&](pqxx::work& tx) {
        tx.exec(kLockSql);
        if (tx.exec1(kNewestSql)[0].as<int32_t>() == 0) {
          tx.exec_params0(kInsertKekSql, 1, HexEncode(wrapped));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<int32_t> PgKeyStore::AddKek(
    const std::string& root_id,
    const std::function<std::string(int32_t)>& wrap) {
  return pool_.InTransaction(
      "add a key-encryption key",
      [&](pqxx::work& tx) -> absl::StatusOr<int32_t> {
        tx.exec(kLockSql);
        auto root = tx.exec(kRootForUpdateSql);
        if (root.empty() || SqlBytes(root[0][0]) != root_id) {
          return absl::FailedPreconditionError(kRootMovedMessage);
        }
        const int32_t newest = tx.exec1(kNewestSql)[0].as<int32_t>();
        const int64_t behind =
            tx.exec_params1(kBehindSql, newest)[0].as<int64_t>();
        if (behind > 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              "a key rotation is still running: ", behind,
              " data keys are not yet rewrapped to key-encryption key version ",
              newest,
              "; see kvo keys status and rotate again when it is done"));
        }
        const int32_t version = newest + 1;
        tx.exec_params0(kInsertKekSql, version, HexEncode(wrap(version)));
        return version;
      });
}

absl::Status PgKeyStore::PutDataKey(const WrappedKey& key) {
  return pool_.InTransaction("store a data key", [&](pqxx::work& tx) {
    tx.exec(kSharedLockSql);
    auto r = ExecPrepared(tx, kPutSql, key.person_id, key.kek_version,
                          HexEncode(key.wrapped));
    if (r.affected_rows() > 0) {
      ExecPrepared(tx, kForgetErasedSql, key.person_id);
    }
    if (r.affected_rows() == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("key-encryption key version ", key.kek_version,
                       " is no longer the newest"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<int64_t, WrappedKey>> PgKeyStore::DataKeys(
    const std::vector<int64_t>& person_ids) {
  if (person_ids.empty()) return std::map<int64_t, WrappedKey>{};
  // One statement, no BEGIN/COMMIT: every read of a person pays for it.
  return pool_.InTransaction<pqxx::nontransaction>(
      "read data keys",
      [&](pqxx::nontransaction& tx)
          -> absl::StatusOr<std::map<int64_t, WrappedKey>> {
        std::map<int64_t, WrappedKey> out;
        for (const auto& r :
             ExecPrepared(tx, kDataKeysSql, SqlArray(person_ids))) {
          WrappedKey k = KeyOf(r);
          out.emplace(k.person_id, std::move(k));
        }
        return out;
      });
}

absl::Status PgKeyStore::DeleteDataKeys(
    const std::vector<int64_t>& person_ids) {
  if (person_ids.empty()) return absl::OkStatus();
  absl::Status s = pool_.InTransaction("delete data keys", [&](pqxx::work& tx) {
    tx.exec_params0(kDeleteSql, SqlArray(person_ids));
    tx.exec_params0(kRecordErasedSql, SqlArray(person_ids));
    return absl::OkStatus();
  });
  if (s.ok()) deleted_since_compaction_.store(true);
  return s;
}

absl::Status PgKeyStore::RecordErased(const std::vector<int64_t>& person_ids) {
  if (person_ids.empty()) return absl::OkStatus();
  return pool_.InTransaction("record erased keys", [&](pqxx::work& tx) {
    tx.exec_params0(kRecordErasedSql, SqlArray(person_ids));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<int64_t>> PgKeyStore::Erased() {
  return pool_.InTransaction<pqxx::read_transaction>(
      "read erased keys",
      [&](pqxx::read_transaction& tx) -> absl::StatusOr<std::vector<int64_t>> {
        std::vector<int64_t> out;
        for (const auto& r : tx.exec(kErasedSql)) {
          out.push_back(r[0].as<int64_t>());
        }
        return out;
      });
}

absl::StatusOr<bool> PgKeyStore::Compact(bool always) {
  if (!always && !deleted_since_compaction_.exchange(false)) return false;
  // VACUUM runs outside a transaction block.
  absl::Status s = pool_.InTransaction<pqxx::nontransaction>(
      "compact the key store", [&](pqxx::nontransaction& tx) {
        tx.exec(kCompactSql);
        return absl::OkStatus();
      });
  if (!s.ok()) {
    deleted_since_compaction_.store(true);
    return s;
  }
  // Needs a superuser (the embedded cluster's) or pg_checkpoint and the
  // right to pg_switch_wal; without, PostgreSQL's own checkpoints delete
  // the segments later. Said once.
  absl::Status wal = pool_.InTransaction<pqxx::nontransaction>(
      "move the key store's WAL on", [&](pqxx::nontransaction& tx) {
        tx.exec(kSwitchWalSql);
        tx.exec(kCheckpointSql);
        return absl::OkStatus();
      });
  if (!wal.ok() && !wal_warned_.exchange(true)) {
    common::LogWarn(
        "cannot switch the key store's WAL and checkpoint (needs superuser, "
        "or pg_checkpoint and EXECUTE on pg_switch_wal): deleted keys stay "
        "in its WAL until PostgreSQL's own checkpoints remove it",
        {{"detail", wal.message()}});
  }
  return true;
}

absl::StatusOr<int> PgKeyStore::RewrapBatch(
    int32_t version, int limit,
    const std::function<absl::StatusOr<std::string>(const WrappedKey&)>&
        rewrap) {
  return pool_.InTransaction(
      "rewrap data keys", [&](pqxx::work& tx) -> absl::StatusOr<int> {
        int done = 0;
        for (const auto& r : tx.exec_params(kBehindBatchSql, version, limit)) {
          const WrappedKey old = KeyOf(r);
          auto wrapped = rewrap(old);
          if (!wrapped.ok()) return wrapped.status();
          tx.exec_params0(kRewrapSql, old.person_id, version,
                          HexEncode(*wrapped));
          ++done;
        }
        return done;
      });
}

absl::StatusOr<std::vector<int32_t>> PgKeyStore::RetireUnused() {
  return pool_.InTransaction(
      "retire key-encryption keys",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<int32_t>> {
        tx.exec(kLockSql);
        std::vector<int32_t> out;
        for (const auto& r : tx.exec(kRetireSql)) {
          out.push_back(r[0].as<int32_t>());
        }
        return out;
      });
}

absl::StatusOr<std::optional<RootRow>> PgKeyStore::Root() {
  return pool_.InTransaction<pqxx::read_transaction>(
      "read the root row",
      [&](pqxx::read_transaction& tx)
          -> absl::StatusOr<std::optional<RootRow>> {
        auto r = tx.exec(kRootSql);
        if (r.empty()) return std::optional<RootRow>();
        RootRow row{SqlBytes(r[0][0]), SqlBytes(r[0][1]), std::nullopt};
        if (!r[0][2].is_null()) row.rotated_at = common::SqlMicros(r[0][2]);
        return std::optional<RootRow>(std::move(row));
      });
}

absl::Status PgKeyStore::CreateRoot(const RootRow& row) {
  return pool_.InTransaction("write the root row", [&](pqxx::work& tx) {
    tx.exec_params0(kCreateRootSql, HexEncode(row.root_id),
                    HexEncode(row.wrapped_blind_key));
    return absl::OkStatus();
  });
}

absl::Status PgKeyStore::RotateRoot(
    const std::string& old_id, const std::string& new_id,
    const std::string& wrapped_blind_key,
    const std::function<
        absl::StatusOr<std::string>(int32_t, const std::string&)>& rewrap_kek) {
  return pool_.InTransaction("rotate the root key", [&](pqxx::work& tx) {
    tx.exec(kLockSql);
    auto root = tx.exec(kRootForUpdateSql);
    if (root.empty() || SqlBytes(root[0][0]) != old_id) {
      return absl::FailedPreconditionError(kRootMovedMessage);
    }
    for (const auto& r : tx.exec(kLiveKeksSql)) {
      const int32_t version = r[0].as<int32_t>();
      auto wrapped = rewrap_kek(version, SqlBytes(r[1]));
      if (!wrapped.ok()) return wrapped.status();
      tx.exec_params0(kRewrapKekSql, version, HexEncode(*wrapped));
    }
    tx.exec_params0(kRotateRootSql, HexEncode(new_id),
                    HexEncode(wrapped_blind_key));
    return absl::OkStatus();
  });
}

absl::Status PgKeyStore::Import(const std::map<int32_t, std::string>& keks,
                                const std::vector<WrappedKey>& data_keys) {
  if (keks.empty() && data_keys.empty()) return absl::OkStatus();
  return pool_.InTransaction("import keys", [&](pqxx::work& tx) {
    tx.exec(kLockSql);
    for (const auto& [version, wrapped] : keks) {
      tx.exec_params0(kInsertKekSql, version, HexEncode(wrapped));
    }
    for (const auto& k : data_keys) {
      tx.exec_params0(kImportKeySql, k.person_id, k.kek_version,
                      HexEncode(k.wrapped));
    }
    return absl::OkStatus();
  });
}

}  // namespace kvo::keystore
