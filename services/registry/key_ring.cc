#include "services/registry/key_ring.h"

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {
namespace {

namespace fs = std::filesystem;

constexpr char kBlindContext[] = "kvoblind";
constexpr char kBlindBinding[] = "blind";

std::string KekBinding(int32_t version) {
  return absl::StrCat("kek:", version);
}

// Names a root key without revealing it: a keyed hash under a subkey.
std::string RootId(const common::SecretKey& root) {
  return common::Mac(common::DeriveKey(root, 2, "kvorooti"), "root key id");
}

fs::path NextRootFile(const fs::path& root_file) {
  return fs::path(root_file.string() + ".next");
}

// Replaces `to` by `from` and makes the rename durable.
absl::Status RenameDurably(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", from.string(), ": ", ec.message()));
  }
  const int dir = ::open(to.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

// A root key rotation that kvod did not finish (it stopped between the key
// store's commit and the rename): the key store says which file is right.
absl::StatusOr<std::optional<common::SecretKey>> FinishRootRotation(
    const fs::path& root_file, keystore::PgKeyStore& store) {
  if (root_file.empty()) return std::nullopt;
  const fs::path next = NextRootFile(root_file);
  if (!fs::exists(next)) return std::nullopt;
  auto key = common::LoadOrCreateKeyFile(next, "new root key");
  if (!key.ok()) return key.status();
  auto row = store.Root();
  if (!row.ok()) return row.status();
  if (row->has_value() && (*row)->root_id == RootId(*key)) {
    if (auto s = RenameDurably(next, root_file); !s.ok()) return s;
    common::LogWarn("finished a root key rotation", {});
    return std::optional<common::SecretKey>(std::move(*key));
  }
  std::error_code ec;
  fs::remove(next, ec);
  common::LogWarn("dropped a root key rotation that never committed", {});
  return std::nullopt;
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

KeyRing::KeyRing(common::SecretKey root, keystore::PgKeyStore& store,
                 fs::path root_file)
    : store_(store),
      root_file_(std::move(root_file)),
      root_(std::make_shared<const common::SecretKey>(std::move(root))) {}

std::shared_ptr<const common::SecretKey> KeyRing::Root() const {
  absl::MutexLock lock(&mu_);
  return root_;
}

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::Open(
    const common::SecretKey& root, keystore::PgKeyStore& store,
    const fs::path& root_file) {
  auto copy = common::SecretKey::FromBytes(root.bytes());
  if (!copy.ok()) return copy.status();
  auto finished = FinishRootRotation(root_file, store);
  if (!finished.ok()) return finished.status();
  if (finished->has_value()) copy = std::move(**finished);
  auto ring =
      std::unique_ptr<KeyRing>(new KeyRing(std::move(*copy), store, root_file));
  if (auto s = ring->Load(); !s.ok()) return s;
  const auto root_key = ring->Root();
  if (ring->current_version() == 0) {
    const common::SecretKey first = common::SecretKey::Generate();
    if (auto s = store.CreateFirstKek(
            common::WrapKey(*root_key, first, KekBinding(1)));
        !s.ok()) {
      return s;
    }
    if (auto s = ring->Load(); !s.ok()) return s;
  }
  // The blind-index key: derived from the root key by kvods before root
  // rotation existed, kept wrapped in the key store since.
  auto row = store.Root();
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    const common::SecretKey blind =
        common::DeriveKey(*root_key, 1, kBlindContext);
    if (auto s = store.CreateRoot(
            {RootId(*root_key),
             common::WrapKey(*root_key, blind, kBlindBinding), std::nullopt});
        !s.ok()) {
      return s;
    }
    row = store.Root();
    if (!row.ok()) return row.status();
  }
  if ((*row)->root_id != RootId(*root_key)) {
    return absl::FailedPreconditionError(
        "the root key does not match the key store: it was made with another "
        "root key, or another kvod rotated it (copy that kvod's "
        "keys/root.key here)");
  }
  auto blind =
      common::UnwrapKey(*root_key, (*row)->wrapped_blind_key, kBlindBinding);
  if (!blind.ok()) return blind.status();
  ring->blind_ = std::move(*blind);
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
    auto kek = common::UnwrapKey(*root_, *k.wrapped, KekBinding(k.version));
    if (!kek.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the root key does not open key-encryption key version ", k.version,
          ": this key store was made with another root key, or another kvod "
          "rotated it (check the key file in the data dir or KVO_ROOT_KEY)"));
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

absl::StatusOr<common::SecretKey> KeyRing::Unwrap(
    const keystore::WrappedKey& wrapped) const {
  auto kek = Kek(wrapped.kek_version);
  if (kek == nullptr) {
    return absl::DataLossError(absl::StrCat(
        "person ", wrapped.person_id, ": key-encryption key version ",
        wrapped.kek_version, " is unknown"));
  }
  return common::UnwrapKey(*kek, wrapped.wrapped,
                           FieldBinding(wrapped.person_id, "dek"));
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
    auto key = Unwrap(w);
    if (!key.ok()) return key.status();
    out.emplace(id, std::move(*key));
  }
  return out;
}

absl::Status KeyRing::DestroyDataKeys(
    const std::vector<int64_t>& person_ids) const {
  return store_.DeleteDataKeys(person_ids);
}

absl::StatusOr<std::vector<int64_t>> KeyRing::ErasedPersons() const {
  return store_.Erased();
}

absl::Status KeyRing::RecordErased(
    const std::vector<int64_t>& person_ids) const {
  return store_.RecordErased(person_ids);
}

absl::StatusOr<int32_t> KeyRing::Rotate() const {
  const auto root = Root();
  auto version = store_.AddKek(RootId(*root), [&](int32_t v) {
    return common::WrapKey(*root, common::SecretKey::Generate(), KekBinding(v));
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
        auto key = Unwrap(old);
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

absl::Status KeyRing::RotateRoot() const {
  if (root_file_.empty()) {
    return absl::FailedPreconditionError(
        "the root key comes from KVO_ROOT_KEY: kvod cannot replace it; "
        "rotate it where it is kept and restart every kvod");
  }
  absl::MutexLock rotating(&rotate_mu_);
  const fs::path next = NextRootFile(root_file_);
  if (fs::exists(next)) {
    return absl::FailedPreconditionError(
        absl::StrCat("a root key rotation did not finish (", next.string(),
                     " exists); restart kvod to finish or drop it"));
  }
  const auto old_root = Root();
  common::SecretKey new_root = common::SecretKey::Generate();
  // The new key is on disk before the key store depends on it; a crash
  // after the commit is finished at the next start (FinishRootRotation).
  if (auto s = common::WriteKeyFile(next, new_root.bytes()); !s.ok()) {
    return s;
  }
  absl::Status s = store_.RotateRoot(
      RootId(*old_root), RootId(new_root),
      common::WrapKey(new_root, blind_, kBlindBinding),
      [&](int32_t version,
          const std::string& wrapped) -> absl::StatusOr<std::string> {
        auto kek = common::UnwrapKey(*old_root, wrapped, KekBinding(version));
        if (!kek.ok()) return kek.status();
        return common::WrapKey(new_root, *kek, KekBinding(version));
      });
  if (!s.ok()) {
    std::error_code ec;
    fs::remove(next, ec);
    return s;
  }
  if (auto renamed = RenameDurably(next, root_file_); !renamed.ok()) {
    return renamed;
  }
  absl::MutexLock lock(&mu_);
  root_ = std::make_shared<const common::SecretKey>(std::move(new_root));
  return absl::OkStatus();
}

absl::StatusOr<KeyStatus> KeyRing::Status() const {
  auto rows = store_.Keks(/*count=*/true);
  if (!rows.ok()) return rows.status();
  auto root = store_.Root();
  if (!root.ok()) return root.status();
  KeyStatus out;
  if (root->has_value()) {
    out.root_key_id = absl::BytesToHexString((*root)->root_id.substr(0, 8));
    out.root_rotated_at = (*root)->rotated_at;
  }
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
