#include "services/common/tls_material.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;

constexpr char kCaCertFile[] = "ca.crt";
constexpr char kCaKeyFile[] = "ca.key";
constexpr char kServerCertFile[] = "server.crt";
constexpr char kServerKeyFile[] = "server.key";

constexpr char kCaCommonName[] = "KVO Registry local CA";
constexpr char kServerCommonName[] = "localhost";

constexpr int kCaValidityDays = 3652;  // 10 years, leap days included.
// The longest lifetime macOS and iOS accept for a TLS server certificate,
// even one from a privately trusted CA.
constexpr int kServerValidityDays = 825;
constexpr int kClientValidityDays = 365;
// Clients whose clock runs a little behind ours would otherwise reject a
// certificate generated moments ago as not yet valid.
constexpr long kBackdateSeconds = 5 * 60;

constexpr mode_t kDirMode = 0700;
constexpr mode_t kKeyMode = 0600;
constexpr mode_t kCertMode = 0644;
// PEM material is a few KiB; anything far larger is the wrong file, and
// reading it whole could exhaust memory.
constexpr std::size_t kMaxPemBytes = 1 << 20;

template <auto kFree>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }

  int get() const { return fd_; }

  // For writers: close(2) can report a deferred write error, which the
  // destructor would have to swallow.
  int Close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

std::string DrainOpenSslErrors() {
  std::vector<std::string> errors;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    errors.emplace_back(buf);
  }
  if (errors.empty()) return "no OpenSSL error reported";
  return absl::StrJoin(errors, "; ");
}

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", DrainOpenSslErrors()));
}

absl::Status FileError(int err, absl::string_view action,
                       const fs::path& path) {
  std::string message = absl::StrCat("cannot ", action, " ", path.string(),
                                     ": ", std::strerror(err));
  if (err == EACCES || err == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::FailedPreconditionError(message);
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return FileError(errno, "open", path);
  std::string contents;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileError(errno, "read", path);
    }
    if (n == 0) break;
    contents.append(buf, static_cast<std::size_t>(n));
    if (contents.size() > kMaxPemBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat(path.string(), " is larger than ", kMaxPemBytes,
                       " bytes; it is not PEM key or certificate material"));
    }
  }
  return contents;
}

absl::StatusOr<bool> FileExists(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return FileError(errno, "stat", path);
}

absl::Status SyncDirectory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return FileError(errno, "open", dir);
  if (::fsync(fd.get()) != 0) return FileError(errno, "fsync", dir);
  return absl::OkStatus();
}

// "a/b/" names the same directory as "a/b", but parent_path() would make
// the mode-0700 mkdir in EnsureDirectory find it already made, and file
// paths in messages would read "a/b//ca.key".
fs::path NormalizeDirectory(const fs::path& dir) {
  fs::path normal = dir.lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path()) {
    return normal.parent_path();
  }
  return normal;
}

absl::Status EnsureDirectory(const fs::path& target) {
  struct stat st;
  if (::stat(target.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat(target.string(), " exists and is not a directory"));
    }
    return absl::OkStatus();
  }
  if (errno != ENOENT) return FileError(errno, "stat", target);
  // Only the directory holding the keys needs to be private; its parents
  // are ordinary directories such as the data dir.
  if (fs::path parent = target.parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return FileError(ec.value(), "create directory", parent);
  }
  if (::mkdir(target.c_str(), kDirMode) != 0 && errno != EEXIST) {
    return FileError(errno, "create directory", target);
  }
  return absl::OkStatus();
}

// A file written and fsynced under a hidden temporary name beside its
// destination, so that a crash leaves either no file or a complete one.
// Unlinked on destruction unless published.
class StagedFile {
 public:
  static absl::StatusOr<StagedFile> Write(const fs::path& path,
                                          std::string_view contents,
                                          mode_t mode) {
    unsigned char nonce[8];
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
      return OpenSslError("RAND_bytes");
    }
    fs::path temp_path =
        path.parent_path() /
        absl::StrCat(".", path.filename().string(), ".tmp-",
                     absl::BytesToHexString(absl::string_view(
                         reinterpret_cast<const char*>(nonce), sizeof nonce)));
    // The mode is set at creation: a key must never exist, even briefly,
    // with the umask's wider permissions.
    UniqueFd fd(::open(temp_path.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                       mode));
    if (fd.get() < 0) return FileError(errno, "create", temp_path);
    StagedFile staged(temp_path, path);
    while (!contents.empty()) {
      ssize_t n = ::write(fd.get(), contents.data(), contents.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return FileError(errno, "write", temp_path);
      }
      contents.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd.get()) != 0) return FileError(errno, "fsync", temp_path);
    if (fd.Close() != 0) return FileError(errno, "close", temp_path);
    return staged;
  }

  StagedFile(StagedFile&& other) noexcept
      : temp_path_(std::exchange(other.temp_path_, {})),
        path_(std::move(other.path_)) {}
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile() {
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  }

  // link(2) rather than rename(2): it refuses to replace an existing file, so
  // a concurrent generator can never swap out a CA key that certificates
  // have already been issued under.
  absl::Status Publish() {
    if (::link(temp_path_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) {
        return absl::AbortedError(absl::StrCat(
            path_.string(),
            " was created by someone else while TLS material was being "
            "generated; try again to load it"));
      }
      return FileError(errno, "create", path_);
    }
    // A failure here only leaves a hidden second name for a complete file.
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
    return absl::OkStatus();
  }

  // rename(2): the one file that may be replaced (a re-issued server
  // certificate) is either the old one or the new one, never missing.
  absl::Status Replace() {
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      return FileError(errno, "replace", path_);
    }
    temp_path_.clear();
    return absl::OkStatus();
  }

 private:
  StagedFile(fs::path temp_path, fs::path path)
      : temp_path_(std::move(temp_path)), path_(std::move(path)) {}

  fs::path temp_path_;
  fs::path path_;
};

// Without a callback OpenSSL would prompt on the terminal for the passphrase
// of an encrypted key, hanging a daemon; refusing makes it a load error.
int RefusePassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<X509Ptr> ParseCertificate(std::string_view pem,
                                         const fs::path& source) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  X509Ptr cert(
      PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!cert) {
    return absl::FailedPreconditionError(absl::StrCat(
        source.string(),
        " does not hold a PEM certificate: ", DrainOpenSslErrors()));
  }
  return cert;
}

absl::StatusOr<EvpPkeyPtr> ParsePrivateKey(std::string_view pem,
                                           const fs::path& source) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!key) {
    return absl::FailedPreconditionError(absl::StrCat(
        source.string(), " does not hold an unencrypted PEM private key: ",
        DrainOpenSslErrors()));
  }
  return key;
}

absl::Status CheckKeyMatches(X509* cert, EVP_PKEY* key,
                             const fs::path& cert_path,
                             const fs::path& key_path) {
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat("private key ", key_path.string(),
                     " does not match certificate ", cert_path.string()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError("BIO_new");
  if (PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("encoding certificate as PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

absl::StatusOr<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  // Secure memory BIO: its buffer is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpenSslError("BIO_new");
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslError("encoding private key as PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

absl::StatusOr<EvpPkeyPtr> GenerateKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating EC P-256 key");
  return key;
}

// Random rather than sequential: a regenerated data dir reuses the CA's name,
// and clients such as Firefox reject a certificate whose issuer and serial
// match a different one they have seen.
absl::Status SetRandomSerial(X509* cert) {
  BignumPtr serial(BN_new());
  if (!serial) return OpenSslError("BN_new");
  do {
    if (BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return OpenSslError("BN_rand");
    }
  } while (BN_is_zero(serial.get()));  // RFC 5280 wants it positive.
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) ==
      nullptr) {
    return OpenSslError("setting serial number");
  }
  return absl::OkStatus();
}

struct Extension {
  int nid;
  const char* value;  // OpenSSL config syntax, e.g. "critical,CA:TRUE".
};

// Builds an X.509 v3 certificate for `subject_key` signed with SHA-256 by
// `issuer_key`; a null `issuer_cert` makes it self-signed.
absl::StatusOr<X509Ptr> BuildCertificate(
    EVP_PKEY* subject_key, absl::string_view common_name, int validity_days,
    X509* issuer_cert, EVP_PKEY* issuer_key,
    std::initializer_list<Extension> extensions) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError("setting certificate version");
  }
  if (absl::Status status = SetRandomSerial(cert.get()); !status.ok()) {
    return status;
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ==
          nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), validity_days, 0,
                       nullptr) == nullptr) {
    return OpenSslError("setting certificate validity");
  }
  if (X509_NAME_add_entry_by_NID(
          X509_get_subject_name(cert.get()), NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), -1, 0) != 1) {
    // Only a caller-supplied name can fail here (too long, bad UTF-8).
    return absl::InvalidArgumentError(
        absl::StrCat("invalid certificate common name \"", common_name,
                     "\": ", DrainOpenSslErrors()));
  }
  X509* issuer = issuer_cert != nullptr ? issuer_cert : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1) {
    return OpenSslError("setting issuer name");
  }
  // Before the extensions: subjectKeyIdentifier hashes this public key.
  if (X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslError("setting public key");
  }
  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer, cert.get(), nullptr, nullptr, 0);
  for (const Extension& extension : extensions) {
    X509ExtensionPtr ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, extension.nid, extension.value));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
      return OpenSslError(absl::StrCat("adding extension ",
                                       OBJ_nid2sn(extension.nid), "=",
                                       extension.value));
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("signing certificate");
  }
  return cert;
}

// A certificate and its private key read from two files, checked to
// belong together.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
  X509Ptr cert;
  EvpPkeyPtr key;
};

absl::StatusOr<KeyPair> LoadKeyPair(const fs::path& cert_path,
                                    const fs::path& key_path) {
  absl::StatusOr<std::string> cert_pem = ReadFile(cert_path);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadFile(key_path);
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<X509Ptr> cert = ParseCertificate(*cert_pem, cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<EvpPkeyPtr> key = ParsePrivateKey(*key_pem, key_path);
  if (!key.ok()) return key.status();
  if (absl::Status status =
          CheckKeyMatches(cert->get(), key->get(), cert_path, key_path);
      !status.ok()) {
    return status;
  }
  return KeyPair{*std::move(cert_pem), *std::move(key_pem), *std::move(cert),
                 *std::move(key)};
}

absl::StatusOr<TlsMaterial> LoadGeneratedMaterial(const fs::path& dir) {
  absl::StatusOr<KeyPair> ca = LoadKeyPair(dir / kCaCertFile, dir / kCaKeyFile);
  if (!ca.ok()) return ca.status();
  const fs::path cert_path = dir / kServerCertFile;
  absl::StatusOr<KeyPair> server = LoadKeyPair(cert_path, dir / kServerKeyFile);
  if (!server.ok()) return server.status();
  // Files from two different generations would otherwise surface only as a
  // vague handshake failure on every client.
  if (X509_verify(server->cert.get(), X509_get0_pubkey(ca->cert.get())) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat(cert_path.string(), " is not signed by the CA in ",
                     (dir / kCaCertFile).string()));
  }
  TlsMaterial material;
  material.ca_cert_pem = std::move(ca->cert_pem);
  material.server_cert_pem = std::move(server->cert_pem);
  material.server_key_pem = std::move(server->key_pem);
  material.ca_cert_path = dir / kCaCertFile;
  material.generated = false;
  return material;
}

// The server certificate's profile, for `san` ("DNS:localhost,IP:...").
absl::StatusOr<X509Ptr> BuildServerCertificate(EVP_PKEY* server_key,
                                               X509* ca_cert, EVP_PKEY* ca_key,
                                               const std::string& san) {
  return BuildCertificate(
      server_key, kServerCommonName, kServerValidityDays, ca_cert, ca_key,
      {{NID_basic_constraints, "critical,CA:FALSE"},
       {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
       {NID_ext_key_usage, "serverAuth"},
       {NID_subject_alt_name, san.c_str()},
       {NID_subject_key_identifier, "hash"},
       {NID_authority_key_identifier, "keyid:always"}});
}

// Whether `cert` names every entry of `sans` ("DNS:x" / "IP:y").
bool Covers(X509* cert, const std::vector<std::string>& sans) {
  for (const std::string& san : sans) {
    const absl::string_view value =
        absl::string_view(san).substr(san.find(':') + 1);
    const int ok =
        absl::StartsWith(san, "IP:")
            ? X509_check_ip_asc(cert, std::string(value).c_str(), 0)
            : X509_check_host(cert, value.data(), value.size(),
                              X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr);
    if (ok != 1) {
      ERR_clear_error();
      return false;
    }
  }
  return true;
}

// A new server certificate for the existing server key, from the existing
// CA, replacing server.crt.
absl::StatusOr<TlsMaterial> ReissueServerCertificate(const fs::path& dir,
                                                     TlsMaterial material,
                                                     const std::string& san) {
  absl::StatusOr<KeyPair> ca = LoadKeyPair(dir / kCaCertFile, dir / kCaKeyFile);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<KeyPair> server =
      LoadKeyPair(dir / kServerCertFile, dir / kServerKeyFile);
  if (!server.ok()) return server.status();
  absl::StatusOr<X509Ptr> cert = BuildServerCertificate(
      server->key.get(), ca->cert.get(), ca->key.get(), san);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> pem = CertificateToPem(cert->get());
  if (!pem.ok()) return pem.status();
  absl::StatusOr<StagedFile> file =
      StagedFile::Write(dir / kServerCertFile, *pem, kCertMode);
  if (!file.ok()) return file.status();
  if (absl::Status status = file->Replace(); !status.ok()) return status;
  if (absl::Status status = SyncDirectory(dir); !status.ok()) return status;
  material.server_cert_pem = *std::move(pem);
  material.reissued = true;
  return material;
}

absl::StatusOr<TlsMaterial> GenerateMaterial(const fs::path& dir,
                                             const std::string& san) {
  absl::StatusOr<EvpPkeyPtr> ca_key = GenerateKey();
  if (!ca_key.ok()) return ca_key.status();
  // pathlen:0 because this CA only ever signs leaf certificates.
  absl::StatusOr<X509Ptr> ca_cert = BuildCertificate(
      ca_key->get(), kCaCommonName, kCaValidityDays, nullptr, ca_key->get(),
      {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
       {NID_key_usage, "critical,keyCertSign,cRLSign"},
       {NID_subject_key_identifier, "hash"}});
  if (!ca_cert.ok()) return ca_cert.status();

  absl::StatusOr<EvpPkeyPtr> server_key = GenerateKey();
  if (!server_key.ok()) return server_key.status();
  absl::StatusOr<X509Ptr> server_cert = BuildServerCertificate(
      server_key->get(), ca_cert->get(), ca_key->get(), san);
  if (!server_cert.ok()) return server_cert.status();

  absl::StatusOr<std::string> ca_cert_pem = CertificateToPem(ca_cert->get());
  if (!ca_cert_pem.ok()) return ca_cert_pem.status();
  absl::StatusOr<std::string> ca_key_pem = PrivateKeyToPem(ca_key->get());
  if (!ca_key_pem.ok()) return ca_key_pem.status();
  absl::StatusOr<std::string> server_cert_pem =
      CertificateToPem(server_cert->get());
  if (!server_cert_pem.ok()) return server_cert_pem.status();
  absl::StatusOr<std::string> server_key_pem =
      PrivateKeyToPem(server_key->get());
  if (!server_key_pem.ok()) return server_key_pem.status();

  // Everything is written and fsynced before the first file appears under
  // its real name, which keeps the window for a partial set to four link
  // calls. ca.key goes first so that of two concurrent generators the one
  // that loses it publishes nothing.
  struct FileToWrite {
    const char* name;
    const std::string& contents;
    mode_t mode;
  };
  const FileToWrite files[] = {{kCaKeyFile, *ca_key_pem, kKeyMode},
                               {kCaCertFile, *ca_cert_pem, kCertMode},
                               {kServerKeyFile, *server_key_pem, kKeyMode},
                               {kServerCertFile, *server_cert_pem, kCertMode}};
  std::vector<StagedFile> staged;
  for (const FileToWrite& f : files) {
    absl::StatusOr<StagedFile> file =
        StagedFile::Write(dir / f.name, f.contents, f.mode);
    if (!file.ok()) return file.status();
    staged.push_back(*std::move(file));
  }
  for (StagedFile& file : staged) {
    if (absl::Status status = file.Publish(); !status.ok()) return status;
  }
  if (absl::Status status = SyncDirectory(dir); !status.ok()) return status;

  TlsMaterial material;
  material.ca_cert_pem = *std::move(ca_cert_pem);
  material.server_cert_pem = *std::move(server_cert_pem);
  material.server_key_pem = *std::move(server_key_pem);
  material.ca_cert_path = dir / kCaCertFile;
  material.generated = true;
  return material;
}

// A host name as RFC 1123 has it: labels of letters, digits and '-', not
// starting or ending with '-'; lowercased.
std::optional<std::string> HostName(absl::string_view name) {
  if (name.empty() || name.size() > 253) return std::nullopt;
  if (name.back() == '.') name.remove_suffix(1);
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return std::nullopt;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return std::nullopt;
    }
  }
  return absl::AsciiStrToLower(name);
}

// An IPv4 or IPv6 address in its canonical text form.
std::optional<std::string> IpAddress(absl::string_view name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  const std::string text(name);
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN] = {};
  for (int family : {AF_INET, AF_INET6}) {
    if (::inet_pton(family, text.c_str(), bytes) == 1 &&
        ::inet_ntop(family, bytes, out, sizeof out) != nullptr) {
      return std::string(out);
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ServerSubjectAltNames(
    const std::vector<std::string>& names) {
  std::vector<std::string> out = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  for (const std::string& raw : names) {
    const absl::string_view name = absl::StripAsciiWhitespace(raw);
    std::string san;
    if (auto ip = IpAddress(name)) {
      san = absl::StrCat("IP:", *ip);
    } else if (auto host = HostName(name)) {
      san = absl::StrCat("DNS:", *host);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tls-san: \"", name,
          "\" is neither a host name (letters, digits, '-' and '.') nor an "
          "IPv4 or IPv6 address"));
    }
    if (std::find(out.begin(), out.end(), san) == out.end()) {
      out.push_back(std::move(san));
    }
  }
  return out;
}

absl::StatusOr<TlsMaterial> EnsureTlsMaterial(
    const std::filesystem::path& dir_arg,
    const std::vector<std::string>& subject_alt_names) {
  // The error queue is per thread; stale entries would muddle our messages.
  ERR_clear_error();
  absl::StatusOr<std::vector<std::string>> sans =
      ServerSubjectAltNames(subject_alt_names);
  if (!sans.ok()) return sans.status();
  const std::string san = absl::StrJoin(*sans, ",");
  const fs::path dir = NormalizeDirectory(dir_arg);
  if (absl::Status status = EnsureDirectory(dir); !status.ok()) return status;

  std::vector<std::string> present;
  std::vector<std::string> missing;
  for (const char* name :
       {kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile}) {
    absl::StatusOr<bool> exists = FileExists(dir / name);
    if (!exists.ok()) return exists.status();
    (*exists ? present : missing).push_back(name);
  }
  if (missing.empty()) {
    absl::StatusOr<TlsMaterial> material = LoadGeneratedMaterial(dir);
    if (!material.ok()) return material;
    absl::StatusOr<X509Ptr> server =
        ParseCertificate(material->server_cert_pem, dir / kServerCertFile);
    if (!server.ok()) return server.status();
    if (Covers(server->get(), *sans)) return material;
    return ReissueServerCertificate(dir, *std::move(material), san);
  }
  if (present.empty()) return GenerateMaterial(dir, san);
  // Regenerating just the missing files would orphan every certificate
  // already issued by the CA, or silently replace it; that needs a person.
  return absl::FailedPreconditionError(absl::StrCat(
      "incomplete TLS material in ", dir.string(), ": missing ",
      absl::StrJoin(missing, ", "), " (found ", absl::StrJoin(present, ", "),
      "); restore the missing files, or remove the others to generate a new "
      "CA and server certificate"));
}

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& cert,
                                            const std::filesystem::path& key) {
  ERR_clear_error();
  absl::StatusOr<std::string> cert_pem = ReadFile(cert);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadFile(key);
  if (!key_pem.ok()) return key_pem.status();
  // The first certificate in the file is the leaf the key belongs to.
  absl::StatusOr<X509Ptr> leaf = ParseCertificate(*cert_pem, cert);
  if (!leaf.ok()) return leaf.status();
  absl::StatusOr<EvpPkeyPtr> private_key = ParsePrivateKey(*key_pem, key);
  if (!private_key.ok()) return private_key.status();
  if (absl::Status status =
          CheckKeyMatches(leaf->get(), private_key->get(), cert, key);
      !status.ok()) {
    return status;
  }
  TlsMaterial material;
  material.ca_cert_pem = *cert_pem;
  material.server_cert_pem = *std::move(cert_pem);
  material.server_key_pem = *std::move(key_pem);
  material.ca_cert_path = cert;
  material.generated = false;
  return material;
}

absl::StatusOr<std::pair<std::string, std::string>> IssueClientCertificate(
    const std::filesystem::path& dir, const std::string& common_name) {
  ERR_clear_error();
  if (common_name.empty()) {
    return absl::InvalidArgumentError("client common name must not be empty");
  }
  // Control characters (NUL above all) would make the name print or compare
  // differently in logs and authorization checks than in the certificate.
  for (unsigned char c : common_name) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "client common name must not contain control characters");
    }
  }
  const fs::path ca_dir = NormalizeDirectory(dir);
  absl::StatusOr<KeyPair> ca =
      LoadKeyPair(ca_dir / kCaCertFile, ca_dir / kCaKeyFile);
  if (!ca.ok()) return ca.status();

  absl::StatusOr<EvpPkeyPtr> key = GenerateKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert =
      BuildCertificate(key->get(), common_name, kClientValidityDays,
                       ca->cert.get(), ca->key.get(),
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature"},
                        {NID_ext_key_usage, "clientAuth"},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}});
  if (!cert.ok()) return cert.status();

  absl::StatusOr<std::string> cert_pem = CertificateToPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = PrivateKeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return std::make_pair(*std::move(cert_pem), *std::move(key_pem));
}

absl::Status UseServerMaterial(ssl_ctx_st& ctx, const TlsMaterial& tls) {
  auto key = ParsePrivateKey(tls.server_key_pem, "the server key");
  if (!key.ok()) return key.status();
  BioPtr bio(BIO_new_mem_buf(tls.server_cert_pem.data(),
                             static_cast<int>(tls.server_cert_pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  X509Ptr leaf(
      PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!leaf || SSL_CTX_use_certificate(&ctx, leaf.get()) != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot use the server certificate: ", DrainOpenSslErrors()));
  }
  // The rest of a chain, leaf first.
  while (X509* next =
             PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr)) {
    if (SSL_CTX_add0_chain_cert(&ctx, next) != 1) {
      X509_free(next);
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot use the server certificate chain: ", DrainOpenSslErrors()));
    }
  }
  ERR_clear_error();  // the end of the PEM data
  if (SSL_CTX_use_PrivateKey(&ctx, key->get()) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the server key does not belong to the certificate: ",
                     DrainOpenSslErrors()));
  }
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) {
    return OpenSslError("SSL_CTX_set_min_proto_version");
  }
  return absl::OkStatus();
}

}  // namespace kvo::common
