#include "services/registry/key_ring.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {
namespace {

constexpr char kBlindContext[] = "kvoblind";

std::string KekBinding(int32_t version) {
  return absl::StrCat("kek:", version);
}

}  // namespace

std::string FieldBinding(int64_t person_id, absl::string_view field) {
  return absl::StrCat("person:", person_id, "/", field);
}

absl::Status MoveKeysToKeyStore(common::DbPool& data,
                                keystore::PgKeyStore& store) {
  return data.InTransaction("move keys to the key store", [&](pqxx::work& tx) {
    LegacyKeys legacy = PgRegistryStore::ReadLegacyKeys(tx);
    if (legacy.keks.empty() && legacy.data_keys.empty()) {
      return absl::OkStatus();
    }
    // The key store commits first: a failure after it leaves the keys in
    // both places, and the next start moves them again.
    if (auto s = store.Import(legacy.keks, legacy.data_keys); !s.ok()) {
      return s;
    }
    PgRegistryStore::ForgetLegacyKeys(tx);
    common::LogInfo(
        "keys moved to the key store",
        {{"key_encryption_keys", std::to_string(legacy.keks.size())},
         {"data_keys", std::to_string(legacy.data_keys.size())}});
    return absl::OkStatus();
  });
}

KeyRing::KeyRing(common::SecretKey root, keystore::PgKeyStore& store)
    : root_(std::move(root)),
      store_(store),
      blind_(common::DeriveKey(root_, 1, kBlindContext)) {}

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(
    const common::SecretKey& root, keystore::PgKeyStore& store) {
  auto copy = common::SecretKey::FromBytes(root.bytes());
  if (!copy.ok()) return copy.status();
  auto ring = std::unique_ptr<KeyRing>(new KeyRing(std::move(*copy), store));
  if (auto s = ring->Load(); !s.ok()) return s;
  if (ring->current_version() == 0) {
    const common::SecretKey first = common::SecretKey::Generate();
    if (auto s =
            store.CreateFirstKek(common::WrapKey(root, first, KekBinding(1)));
        !s.ok()) {
      return s;
    }
    if (auto s = ring->Load(); !s.ok()) return s;
  }
  return ring;
}

absl::Status KeyRing::Load() const {
  auto rows = store_.Keks(/*count=*/false);
  if (!rows.ok()) return rows.status();
  absl::MutexLock lock(&mu_);
  old_versions_in_use_ = false;
  const int32_t newest = rows->empty() ? 0 : rows->back().version;
  for (const auto& k : *rows) {
    if (k.wrapped && k.version < newest) old_versions_in_use_ = true;
    if (!k.wrapped || keks_.contains(k.version)) continue;
    auto kek = common::UnwrapKey(root_, *k.wrapped, KekBinding(k.version));
    if (!kek.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the root key does not open key-encryption key version ", k.version,
          ": this key store was made with another root key (check the key "
          "file in the data dir or KVO_ROOT_KEY)"));
    }
    keks_.emplace(k.version,
                  std::make_shared<const common::SecretKey>(std::move(*kek)));
  }
  return absl::OkStatus();
}

int32_t KeyRing::current_version() const {
  absl::MutexLock lock(&mu_);
  return keks_.empty() ? 0 : keks_.rbegin()->first;
}

std::shared_ptr<const common::SecretKey> KeyRing::Kek(int32_t version) const {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = keks_.find(version); it != keks_.end()) return it->second;
  }
  if (!Load().ok()) return nullptr;
  absl::MutexLock lock(&mu_);
  auto it = keks_.find(version);
  return it == keks_.end() ? nullptr : it->second;
}

absl::StatusOr<std::string> KeyRing::WrapWith(int32_t version,
                                              const common::SecretKey& key,
                                              int64_t person_id) const {
  auto kek = Kek(version);
  if (kek == nullptr) {
    return absl::InternalError(absl::StrCat("key-encryption key version ",
                                            version, " is not available"));
  }
  return common::WrapKey(*kek, key, FieldBinding(person_id, "dek"));
}

absl::StatusOr<common::SecretKey> KeyRing::CreateDataKey(
    int64_t person_id) const {
  common::SecretKey key = common::SecretKey::Generate();
  // Another kvod may rotate meanwhile: the key store takes only the newest
  // version, so wrap again with it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int32_t version = current_version();
    auto wrapped = WrapWith(version, key, person_id);
    if (!wrapped.ok()) return wrapped.status();
    absl::Status s = store_.PutDataKey({person_id, version, *wrapped});
    if (s.ok()) return key;
    if (!absl::IsFailedPrecondition(s)) return s;
    if (auto loaded = Load(); !loaded.ok()) return loaded;
  }
  return absl::UnavailableError(
      "the key-encryption keys keep changing; try again");
}

absl::StatusOr<std::map<int64_t, common::SecretKey>> KeyRing::OpenDataKeys(
    const std::vector<int64_t>& person_ids) const {
  auto wrapped = store_.DataKeys(person_ids);
  if (!wrapped.ok()) return wrapped.status();
  std::map<int64_t, common::SecretKey> out;
  for (const auto& [id, w] : *wrapped) {
    auto kek = Kek(w.kek_version);
    if (kek == nullptr) {
      return absl::DataLossError(absl::StrCat("person ", id,
                                              ": key-encryption key version ",
                                              w.kek_version, " is unknown"));
    }
    auto key = common::UnwrapKey(*kek, w.wrapped, FieldBinding(id, "dek"));
    if (!key.ok()) return key.status();
    out.emplace(id, std::move(*key));
  }
  return out;
}

absl::Status KeyRing::DestroyDataKeys(
    const std::vector<int64_t>& person_ids) const {
  return store_.DeleteDataKeys(person_ids);
}

absl::StatusOr<int32_t> KeyRing::Rotate() const {
  auto version = store_.AddKek([&](int32_t v) {
    return common::WrapKey(root_, common::SecretKey::Generate(), KekBinding(v));
  });
  if (!version.ok()) return version.status();
  if (auto s = Load(); !s.ok()) return s;
  return version;
}

absl::StatusOr<int> KeyRing::RewrapStep(int limit) const {
  if (auto s = Load(); !s.ok()) return s;
  const int32_t version = current_version();
  auto moved = store_.RewrapBatch(
      version, limit,
      [&](const keystore::WrappedKey& old) -> absl::StatusOr<std::string> {
        auto kek = Kek(old.kek_version);
        if (kek == nullptr) {
          return absl::DataLossError(absl::StrCat(
              "person ", old.person_id, ": key-encryption key version ",
              old.kek_version, " is unknown"));
        }
        auto key = common::UnwrapKey(*kek, old.wrapped,
                                     FieldBinding(old.person_id, "dek"));
        if (!key.ok()) return key.status();
        return WrapWith(version, *key, old.person_id);
      });
  if (!moved.ok()) return moved.status();
  bool retire = false;
  {
    absl::MutexLock lock(&mu_);
    retire = old_versions_in_use_;
  }
  if (*moved < limit && retire) {
    // A retired KEK stays in memory until kvod stops: a read that fetched
    // a key just before its rewrap still opens it.
    if (auto retired = store_.RetireUnused(); !retired.ok()) {
      return retired.status();
    }
  }
  return moved;
}

absl::StatusOr<KeyStatus> KeyRing::Status() const {
  auto rows = store_.Keks(/*count=*/true);
  if (!rows.ok()) return rows.status();
  KeyStatus out;
  for (auto& k : *rows) {
    k.wrapped.reset();
    out.current_version = std::max(out.current_version, k.version);
  }
  for (const auto& k : *rows) {
    if (k.version < out.current_version) out.data_keys_behind += k.data_keys;
  }
  out.versions = std::move(*rows);
  return out;
}

}  // namespace kvo::registry
