#include "services/common/envelope.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeyBytes);
static_assert(crypto_kdf_KEYBYTES == kKeyBytes);
static_assert(crypto_generichash_KEYBYTES == kKeyBytes);

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Writes a new key file: 0600 from the first byte, in a 0700 directory.
}  // namespace

absl::Status WriteKeyFile(const fs::path& file, absl::string_view bytes) {
  std::error_code ec;
  if (!fs::exists(file.parent_path(), ec)) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create ", file.parent_path().string(), ": ", ec.message()));
    }
    ::chmod(file.parent_path().c_str(), 0700);
  }
  const int fd =
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create ", file.string(), ": ", std::strerror(errno)));
  }
  const bool written = ::write(fd, bytes.data(), bytes.size()) ==
                           static_cast<ssize_t>(bytes.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    fs::remove(file, ec);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", file.string()));
  }
  return absl::OkStatus();
}

SecretKey SecretKey::Generate() {
  SecretKey key;
  key.bytes_.resize(kKeyBytes);
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  return key;
}

absl::StatusOr<SecretKey> SecretKey::FromBytes(absl::string_view bytes) {
  if (bytes.size() != kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a key is ", kKeyBytes, " bytes, got ", bytes.size()));
  }
  SecretKey key;
  key.bytes_.assign(bytes.data(), bytes.size());
  return key;
}

SecretKey::~SecretKey() { Wipe(); }

SecretKey::SecretKey(SecretKey&& other) noexcept
    : bytes_(std::move(other.bytes_)) {
  other.Wipe();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

void SecretKey::Wipe() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  bytes_.clear();
}

absl::StatusOr<SecretKey> LoadOrCreateRootKey(const fs::path& file,
                                              absl::string_view env_value) {
  if (!env_value.empty()) {
    auto bytes = HexDecode(env_value);
    if (!bytes.has_value() || bytes->size() != kKeyBytes) {
      return absl::InvalidArgumentError(
          "KVO_ROOT_KEY: must be 64 hex characters (a 32-byte key)");
    }
    auto key = SecretKey::FromBytes(*bytes);
    sodium_memzero(bytes->data(), bytes->size());
    return key;
  }
  return LoadOrCreateKeyFile(file, "root key");
}

namespace {

absl::Status CheckPrivate(const fs::path& file, const struct stat& st,
                          absl::string_view what) {
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", file.string(),
        " is readable by others: chmod 600 it (and check who read it)"));
  }
  return absl::OkStatus();
}

std::string ReadAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const fs::path& file,
                                           absl::string_view what) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read ", what, " ", file.string(), ": ", std::strerror(errno)));
  }
  if (auto s = CheckPrivate(file, st, what); !s.ok()) return s;
  std::string bytes = ReadAll(file);
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) {
    bytes.pop_back();
  }
  if (bytes.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", file.string(), " is empty"));
  }
  return bytes;
}

absl::StatusOr<SecretKey> LoadOrCreateKeyFile(const fs::path& file,
                                              absl::string_view what) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", what, " ", file.string(), ": ",
                       std::strerror(errno)));
    }
    SecretKey key = SecretKey::Generate();
    if (auto s = WriteKeyFile(file, key.bytes()); !s.ok()) return s;
    return key;
  }
  if (auto s = CheckPrivate(file, st, what); !s.ok()) return s;
  std::string bytes = ReadAll(file);
  auto key = SecretKey::FromBytes(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  if (!key.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", file.string(), " is damaged: it must hold 32 bytes"));
  }
  return key;
}

SecretKey DeriveKey(const SecretKey& root, uint64_t id,
                    absl::string_view context8) {
  char context[crypto_kdf_CONTEXTBYTES] = {};
  std::memcpy(context, context8.data(),
              std::min(context8.size(), sizeof context));
  std::string sub(kKeyBytes, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(sub.data()),
                             sub.size(), id, context, U(root.bytes()));
  SecretKey key = *SecretKey::FromBytes(sub);
  sodium_memzero(sub.data(), sub.size());
  return key;
}

std::string Seal(const SecretKey& key, absl::string_view plaintext,
                 absl::string_view associated_data) {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &length, U(plaintext), plaintext.size(),
      U(associated_data), associated_data.size(), nullptr, nonce,
      U(key.bytes()));
  out.resize(kNonceBytes + length);
  return out;
}

absl::StatusOr<std::string> Open(const SecretKey& key, absl::string_view sealed,
                                 absl::string_view associated_data,
                                 absl::string_view what) {
  if (key.empty() || sealed.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError(absl::StrCat(
        "cannot decrypt ", what,
        ": the stored ciphertext is damaged or does not belong here"));
  }
  std::string out(sealed.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &length, nullptr,
          U(sealed) + kNonceBytes, sealed.size() - kNonceBytes,
          U(associated_data), associated_data.size(), U(sealed),
          U(key.bytes())) != 0) {
    return absl::DataLossError(absl::StrCat(
        "cannot decrypt ", what,
        ": the stored ciphertext is damaged or does not belong here"));
  }
  out.resize(length);
  return out;
}

std::string WrapKey(const SecretKey& kek, const SecretKey& key,
                    absl::string_view associated_data) {
  return Seal(kek, key.bytes(), associated_data);
}

absl::StatusOr<SecretKey> UnwrapKey(const SecretKey& kek,
                                    absl::string_view wrapped,
                                    absl::string_view associated_data) {
  auto bytes = Open(kek, wrapped, associated_data,
                    absl::StrCat("the key for ", associated_data));
  if (!bytes.ok()) return bytes.status();
  auto key = SecretKey::FromBytes(*bytes);
  sodium_memzero(bytes->data(), bytes->size());
  if (!key.ok()) {
    return absl::DataLossError(absl::StrCat("cannot decrypt the key for ",
                                            associated_data, ": wrong length"));
  }
  return key;
}

std::string BlindIndex(const SecretKey& key, absl::string_view normalized) {
  return Mac(key, normalized);
}

std::string Mac(const SecretKey& key, absl::string_view data) {
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     U(data), data.size(), U(key.bytes()), key.bytes().size());
  return out;
}

}  // namespace kvo::common
