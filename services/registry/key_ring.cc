#include "services/registry/key_ring.h"

#include "absl/strings/str_cat.h"
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

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(
    const common::SecretKey& root, common::DbPool& pool) {
  auto wrapped = pool.InTransaction(
      "load key-encryption keys",
      [&](pqxx::work& tx) -> absl::StatusOr<std::map<int32_t, std::string>> {
        auto keks = PgRegistryStore::KeyEncryptionKeys(tx);
        if (!keks.empty()) return keks;
        const common::SecretKey first = common::SecretKey::Generate();
        PgRegistryStore::InsertKeyEncryptionKey(
            tx, 1, common::WrapKey(root, first, KekBinding(1)));
        return PgRegistryStore::KeyEncryptionKeys(tx);
      });
  if (!wrapped.ok()) return wrapped.status();
  auto ring = std::unique_ptr<KeyRing>(new KeyRing);
  for (const auto& [version, bytes] : *wrapped) {
    auto kek = common::UnwrapKey(root, bytes, KekBinding(version));
    if (!kek.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the root key does not open key-encryption key version ", version,
          ": this database was encrypted with another root key (check the "
          "key file in the data dir or KVO_ROOT_KEY)"));
    }
    ring->keks_.emplace(version, std::move(*kek));
  }
  ring->blind_ = common::DeriveKey(root, 1, kBlindContext);
  return ring;
}

std::pair<common::SecretKey, std::string> KeyRing::NewDataKey(
    int64_t person_id) const {
  common::SecretKey key = common::SecretKey::Generate();
  std::string wrapped = common::WrapKey(keks_.rbegin()->second, key,
                                        FieldBinding(person_id, "dek"));
  return {std::move(key), std::move(wrapped)};
}

absl::StatusOr<common::SecretKey> KeyRing::OpenDataKey(
    int64_t person_id, int32_t kek_version, absl::string_view wrapped) const {
  auto kek = keks_.find(kek_version);
  if (kek == keks_.end()) {
    return absl::DataLossError(absl::StrCat("person ", person_id,
                                            ": key-encryption key version ",
                                            kek_version, " is unknown"));
  }
  return common::UnwrapKey(kek->second, wrapped,
                           FieldBinding(person_id, "dek"));
}

}  // namespace kvo::registry
