#include "services/audit/witness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

namespace fs = std::filesystem;
using common::HexDecode;
using common::HexEncode;

absl::Status LineError(const fs::path& path, int line_no,
                       absl::string_view what) {
  return absl::DataLossError(absl::StrCat(path.string(), ":", line_no, ": ",
                                          what,
                                          " (the witness file was damaged or "
                                          "edited; keep it for the inquiry)"));
}

bool ParseHead(const std::vector<absl::string_view>& f, StoredTreeHead* h) {
  if (f.size() != 6 || !absl::SimpleAtoi(f[1], &h->tree_size) ||
      !absl::SimpleAtoi(f[3], &h->timestamp_ms)) {
    return false;
  }
  auto root = HexDecode(f[2]);
  auto sig = HexDecode(f[4]);
  auto key = HexDecode(f[5]);
  if (!root || root->size() != 32 || !sig || sig->size() != 64 || !key ||
      key->size() != 32) {
    return false;
  }
  h->root_hash = *root;
  h->signature = *sig;
  h->public_key = *key;
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Witness>> Witness::Open(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open audit witness ", path.string(), ": ",
                     std::strerror(errno)));
  }
  std::unique_ptr<Witness> w(new Witness(path, fd));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
    return absl::FailedPreconditionError(
        absl::StrCat("audit witness ", path.string(),
                     " must be a regular file only its owner can use "
                     "(chmod 600)"));
  }
  std::ifstream in(path);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    // A last line without its newline is a write a crash tore: never
    // fsynced, so never acted on.
    if (in.eof()) break;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f[0] == "head") {
      WitnessedHead wh;
      if (!ParseHead(f, &wh.head)) return LineError(path, line_no, "bad head");
      w->Keep(std::move(wh));
    } else if ((f[0] == "committed" || f[0] == "void") && f.size() == 2) {
      uint64_t size = 0;
      if (!absl::SimpleAtoi(f[1], &size) || w->heads_.empty() ||
          w->heads_.back().head.tree_size != size) {
        return LineError(path, line_no, "names no head just recorded");
      }
      if (f[0] == "committed") {
        w->heads_.back().committed = true;
      } else {
        w->heads_.pop_back();
      }
    } else {
      return LineError(path, line_no, "unknown line");
    }
  }
  return w;
}

Witness::~Witness() { ::close(fd_); }

void Witness::Keep(WitnessedHead head) {
  heads_.push_back(std::move(head));
  if (heads_.size() > kHeadsInMemory) heads_.pop_front();
}

std::vector<WitnessedHead> Witness::Heads() const {
  std::lock_guard lock(mu_);
  return {heads_.begin(), heads_.end()};
}

std::optional<WitnessedHead> Witness::Latest() const {
  std::lock_guard lock(mu_);
  if (heads_.empty()) return std::nullopt;
  return heads_.back();
}

absl::Status Witness::AppendLine(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(fd_, text.data(), text.size()) !=
          static_cast<ssize_t>(text.size()) ||
      ::fdatasync(fd_) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write audit witness ",
                                               path_.string(), ": ",
                                               std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status Witness::Record(const StoredTreeHead& head, bool committed) {
  std::lock_guard lock(mu_);
  if (!heads_.empty()) {
    const StoredTreeHead& last = heads_.back().head;
    if (head.tree_size < last.tree_size || (head.tree_size == last.tree_size &&
                                            head.root_hash != last.root_hash)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "a head of size ", head.tree_size,
          " contradicts the witnessed head of size ", last.tree_size));
    }
  }
  std::string line =
      absl::StrCat("head ", head.tree_size, " ", HexEncode(head.root_hash), " ",
                   head.timestamp_ms, " ", HexEncode(head.signature), " ",
                   HexEncode(head.public_key));
  if (committed) absl::StrAppend(&line, "\ncommitted ", head.tree_size);
  if (auto s = AppendLine(line); !s.ok()) return s;
  Keep({head, committed});
  return absl::OkStatus();
}

absl::Status Witness::Confirm(uint64_t tree_size) {
  std::lock_guard lock(mu_);
  if (heads_.empty() || heads_.back().head.tree_size != tree_size) {
    return absl::FailedPreconditionError("no such head to confirm");
  }
  if (heads_.back().committed) return absl::OkStatus();
  if (auto s = AppendLine(absl::StrCat("committed ", tree_size)); !s.ok()) {
    return s;
  }
  heads_.back().committed = true;
  return absl::OkStatus();
}

absl::Status Witness::Void(uint64_t tree_size) {
  std::lock_guard lock(mu_);
  if (heads_.empty() || heads_.back().head.tree_size != tree_size ||
      heads_.back().committed) {
    return absl::FailedPreconditionError("no uncommitted head to void");
  }
  if (auto s = AppendLine(absl::StrCat("void ", tree_size)); !s.ok()) return s;
  heads_.pop_back();
  return absl::OkStatus();
}

}  // namespace kvo::audit
