#include "services/audit/tree_head.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SEEDBYTES == 32);
static_assert(crypto_sign_BYTES == 64);

constexpr absl::string_view kSigningContext = "kvo-audit-sth-v1";

void AppendBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// Closes on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now so that a failing close (a lost write) can be reported.
  int Close() {
    int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// Wipes a stack buffer holding key material on every return path.
template <typename T>
class ScopedWipe {
 public:
  explicit ScopedWipe(T& buffer) : buffer_(buffer) {}
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;
  ~ScopedWipe() { sodium_memzero(&buffer_, sizeof(buffer_)); }

 private:
  T& buffer_;
};

absl::Status KeyFileError(int error_number, const std::filesystem::path& path,
                          absl::string_view what) {
  return absl::ErrnoToStatus(
      error_number,
      absl::StrCat("audit signing key ", path.string(), ": ", what));
}

// Creates the missing directories above `path` with mode 0700; existing ones
// are left as they are.
absl::Status CreateParentDirectories(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path dir = path.parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) break;
    if (errno != ENOENT) return KeyFileError(errno, dir, "cannot stat");
    missing.push_back(dir);
    if (dir == dir.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return KeyFileError(errno, *it, "cannot create directory");
    }
  }
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, const unsigned char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "write");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Reads exactly `size` bytes; false on error or early end of file.
bool ReadAll(int fd, unsigned char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // The file shrank after fstat.
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string TreeHeadSigningBytes(const TreeHead& head) {
  std::string out;
  out.reserve(kSigningContext.size() + 8 + 8 + head.root.size());
  out.append(kSigningContext.data(), kSigningContext.size());
  AppendBigEndian(head.tree_size, &out);
  AppendBigEndian(static_cast<uint64_t>(head.timestamp_ms), &out);
  out.append(reinterpret_cast<const char*>(head.root.data()), head.root.size());
  return out;
}

TreeHeadSigner TreeHeadSigner::FromSeed(absl::string_view seed32) {
  if (seed32.size() != crypto_sign_SEEDBYTES) {
    std::fprintf(stderr,
                 "TreeHeadSigner::FromSeed: seed is %zu bytes, not 32\n",
                 seed32.size());
    std::abort();
  }
  TreeHeadSigner signer;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(
      public_key, signer.secret_key_.data(),
      reinterpret_cast<const unsigned char*>(seed32.data()));
  signer.public_key_.assign(reinterpret_cast<const char*>(public_key),
                            sizeof(public_key));
  return signer;
}

absl::StatusOr<TreeHeadSigner> TreeHeadSigner::LoadOrCreate(
    const std::filesystem::path& path) {
  // The second round runs only when another process created the file between
  // our failed open and our link.
  for (int round = 0; round < 2; ++round) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() >= 0) {
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) {
        return KeyFileError(errno, path, "cannot stat");
      }
      if (!S_ISREG(st.st_mode)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "audit signing key ", path.string(), ": not a regular file"));
      }
      if ((st.st_mode & 0077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof(mode), "%04o",
                      static_cast<unsigned>(st.st_mode & 07777));
        return absl::FailedPreconditionError(
            absl::StrCat("audit signing key ", path.string(), ": mode ", mode,
                         " lets group or others access the secret; expected "
                         "0600"));
      }
      if (st.st_size != crypto_sign_SECRETKEYBYTES) {
        return absl::DataLossError(
            absl::StrCat("audit signing key ", path.string(), ": ", st.st_size,
                         " bytes, expected a ", crypto_sign_SECRETKEYBYTES,
                         "-byte Ed25519 secret key"));
      }
      TreeHeadSigner signer;
      if (!ReadAll(fd.get(), signer.secret_key_.data(),
                   signer.secret_key_.size())) {
        return KeyFileError(errno, path, "cannot read");
      }
      // The public half is stored after the seed; a mismatch means the file
      // was damaged or is not a libsodium key, and signing with it would
      // publish heads nobody can verify.
      unsigned char derived_public[crypto_sign_PUBLICKEYBYTES];
      unsigned char derived_secret[crypto_sign_SECRETKEYBYTES];
      ScopedWipe wipe_derived(derived_secret);
      crypto_sign_seed_keypair(derived_public, derived_secret,
                               signer.secret_key_.data());
      if (sodium_memcmp(derived_public,
                        signer.secret_key_.data() + crypto_sign_SEEDBYTES,
                        sizeof(derived_public)) != 0) {
        return absl::DataLossError(
            absl::StrCat("audit signing key ", path.string(),
                         ": public half does not match the seed"));
      }
      signer.public_key_.assign(reinterpret_cast<const char*>(derived_public),
                                sizeof(derived_public));
      return signer;
    }
    if (errno != ENOENT) return KeyFileError(errno, path, "cannot open");

    if (absl::Status status = CreateParentDirectories(path); !status.ok()) {
      return status;
    }
    TreeHeadSigner signer;
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(public_key, signer.secret_key_.data());
    signer.public_key_.assign(reinterpret_cast<const char*>(public_key),
                              sizeof(public_key));

    // Written under a temporary name and linked into place, so a crash or a
    // concurrent reader never sees a partial key, and link() fails rather than
    // replaces when another process got there first.
    std::filesystem::path temp = path;
    temp += ".tmp-" + common::HexEncode(common::RandomBytes(8));
    FileDescriptor out(::open(
        temp.c_str(),
        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
    if (out.get() < 0) return KeyFileError(errno, temp, "cannot create");
    absl::Status written = WriteAll(out.get(), signer.secret_key_.data(),
                                    signer.secret_key_.size());
    // The umask may have removed the owner's write bit; make the mode exact.
    if (written.ok() && ::fchmod(out.get(), 0600) != 0) {
      written = absl::ErrnoToStatus(errno, "fchmod");
    }
    if (written.ok() && ::fsync(out.get()) != 0) {
      written = absl::ErrnoToStatus(errno, "fsync");
    }
    if (written.ok() && out.Close() != 0) {
      written = absl::ErrnoToStatus(errno, "close");
    }
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return absl::Status(written.code(),
                          absl::StrCat("audit signing key ", temp.string(),
                                       ": cannot write: ", written.message()));
    }
    const int link_result = ::link(temp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (link_result != 0) {
      if (link_errno == EEXIST) continue;
      return KeyFileError(link_errno, path, "cannot create");
    }
    // Make the new directory entry durable too: a signer whose key vanishes
    // after a power cut would start a second, unverifiable history.
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    FileDescriptor dir_fd(
        ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
      return KeyFileError(errno, dir, "cannot sync directory");
    }
    return signer;
  }
  return absl::AbortedError(absl::StrCat(
      "audit signing key ", path.string(),
      ": created concurrently by another process but could not be opened"));
}

TreeHeadSigner::TreeHeadSigner(TreeHeadSigner&& other) noexcept
    : secret_key_(other.secret_key_),
      public_key_(std::move(other.public_key_)) {
  other.Wipe();
}

TreeHeadSigner& TreeHeadSigner::operator=(TreeHeadSigner&& other) noexcept {
  if (this != &other) {
    secret_key_ = other.secret_key_;
    public_key_ = std::move(other.public_key_);
    other.Wipe();
  }
  return *this;
}

TreeHeadSigner::~TreeHeadSigner() { Wipe(); }

void TreeHeadSigner::Wipe() {
  sodium_memzero(secret_key_.data(), secret_key_.size());
  public_key_.clear();
}

std::string TreeHeadSigner::Sign(const TreeHead& head) const {
  const std::string message = TreeHeadSigningBytes(head);
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()),
                       nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key_.data());
  return signature;
}

bool VerifyTreeHead(const TreeHead& head, absl::string_view signature,
                    absl::string_view public_key) {
  if (signature.size() != crypto_sign_BYTES ||
      public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return false;
  }
  const std::string message = TreeHeadSigningBytes(head);
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()),
             message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

bool VerifyStoredTreeHead(const StoredTreeHead& head) {
  TreeHead th;
  th.tree_size = head.tree_size;
  th.timestamp_ms = head.timestamp_ms;
  if (head.root_hash.size() != th.root.size()) return false;
  std::memcpy(th.root.data(), head.root_hash.data(), th.root.size());
  return VerifyTreeHead(th, head.signature, head.public_key);
}

}  // namespace kvo::audit
