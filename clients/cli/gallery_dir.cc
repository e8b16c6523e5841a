#include "clients/cli/gallery_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kvo::cli {
namespace fs = std::filesystem;
namespace {

constexpr char kIndex[] = "index.tsv";
constexpr char kVersion[] = "version";

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
  }
  return out;
}

constexpr struct {
  kvo::v1::CardKind kind;
  const char* name;
} kKindNames[] = {
    {kvo::v1::CARD_KIND_INDIVIDUAL_BAN, "individual ban"},
    {kvo::v1::CARD_KIND_COLLECTIVE_BAN, "collective ban"},
    {kvo::v1::CARD_KIND_COLLECTIVE_WARNING, "collective warning"},
};

std::string KindName(kvo::v1::CardKind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "collective warning";
}

// Mode 0600 whatever the umask; a left-over temporary file of another mode
// is brought to 0600 too.
absl::Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = fs::path(path).concat(".tmp");
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", tmp.string(),
                                               ": ", std::strerror(errno)));
  }
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t at = 0; ok && at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    ok = n > 0;
    if (ok) at += static_cast<size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    return absl::UnavailableError(absl::StrCat("cannot write ", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

// A name kvo writes in a gallery folder (or its temporary twin).
bool IsOurs(std::string name) {
  if (absl::EndsWith(name, ".tmp")) name.resize(name.size() - 4);
  if (name == kIndex || name == kVersion) return true;
  if (!absl::EndsWith(name, ".jpg") || name.size() == 4) return false;
  return std::all_of(name.begin(), name.end() - 4,
                     [](char c) { return absl::ascii_isdigit(c); });
}

// Overwrites the file with zeros before it is unlinked, so that its
// contents do not linger in free blocks the next file does not reuse.
absl::Status Shred(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      const std::string zeros(64 * 1024, '\0');
      for (off_t at = 0; at < st.st_size;) {
        const size_t chunk = static_cast<size_t>(
            std::min<off_t>(st.st_size - at, static_cast<off_t>(zeros.size())));
        const ssize_t n = ::write(fd, zeros.data(), chunk);
        if (n <= 0) break;
        at += n;
      }
      ::fsync(fd);
    }
    ::close(fd);
  }
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot delete ", path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

// Shreds every file of kvo's in `dir`.
absl::Status ShredOurs(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> ours;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && IsOurs(entry.path().filename().string())) {
      ours.push_back(entry.path());
    }
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", dir.string(), ": ", ec.message()));
  }
  for (const auto& path : ours) {
    if (auto s = Shred(path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The state file: "version N", "synced_at <unix seconds>",
// "max_offline_hours H", one a line.
struct State {
  int64_t version = 0;
  std::optional<absl::Time> synced_at;
  int max_offline_hours = GalleryDir::kDefaultMaxOfflineHours;
};

std::optional<State> ParseState(absl::string_view text) {
  State state;
  bool has_version = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    int64_t value = 0;
    if (!absl::SimpleAtoi(kv.second, &value) || value < 0) return std::nullopt;
    if (kv.first == "version") {
      state.version = value;
      has_version = true;
    } else if (kv.first == "synced_at") {
      state.synced_at = absl::FromUnixSeconds(value);
    } else if (kv.first == "max_offline_hours" && value > 0 &&
               value <= 24 * 365) {
      state.max_offline_hours = static_cast<int>(value);
    } else {
      return std::nullopt;
    }
  }
  if (!has_version) return std::nullopt;
  return state;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<GalleryDir> GalleryDir::Open(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  const bool made = ::mkdir(dir.c_str(), 0700) == 0;
  if ((!made && errno != EEXIST) || !fs::is_directory(dir) ||
      ::chmod(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("--dir: cannot use ", dir.string(), " as a folder"));
  }
  GalleryDir g(dir);
  auto text = ReadFile(dir / kVersion);
  if (!text.ok()) return g;  // a new gallery
  int64_t legacy = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &legacy)) {
    // Written by a kvo whose entries were per card: start afresh.
    if (auto s = ShredOurs(dir); !s.ok()) return s;
    return g;
  }
  const auto state = ParseState(*text);
  if (!state) {
    return absl::DataLossError(
        absl::StrCat((dir / kVersion).string(), ": damaged"));
  }
  g.version_ = state->version;
  g.synced_at_ = state->synced_at;
  g.max_offline_hours_ = state->max_offline_hours;
  auto index = ReadFile(dir / kIndex);
  if (!index.ok()) {
    return absl::DataLossError(
        absl::StrCat((dir / kIndex).string(), " is missing"));
  }
  auto entries = ParseIndex(*index);
  if (!entries.ok()) return entries.status();
  g.entries_ = std::move(*entries);
  return g;
}

absl::Status GalleryDir::Wipe(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::OkStatus();
  if (auto s = ShredOurs(dir); !s.ok()) return s;
  fs::remove(dir, ec);  // only if empty: what is not kvo's stays
  return absl::OkStatus();
}

fs::path GalleryDir::Thumbnail(int64_t entry_id) const {
  return dir_ / absl::StrCat(entry_id, ".jpg");
}

absl::Status GalleryDir::Apply(
    const std::vector<kvo::v1::GalleryUpdate>& updates, absl::Time now) {
  std::set<int64_t> sent;
  for (const auto& u : updates) {
    if (u.has_entry()) sent.insert(u.entry().entry_id());
  }
  std::error_code ec;
  for (const auto& u : updates) {
    if (u.has_entry()) {
      const auto& e = u.entry();
      LocalEntry local{e.entry_id(),
                       e.area_id(),
                       KindName(e.kind()),
                       absl::FromUnixSeconds(e.valid_until().seconds()),
                       e.name(),
                       e.description(),
                       !e.thumbnail().empty()};
      if (local.has_thumbnail) {
        if (auto s = WriteAtomically(Thumbnail(e.entry_id()), e.thumbnail());
            !s.ok()) {
          return s;
        }
      } else {
        fs::remove(Thumbnail(e.entry_id()), ec);
      }
      entries_[e.entry_id()] = std::move(local);
    } else if (u.update_case() == u.kRemovedEntryId) {
      fs::remove(Thumbnail(u.removed_entry_id()), ec);
      entries_.erase(u.removed_entry_id());
    } else if (u.has_version()) {
      if (u.version().reset()) {
        for (auto it = entries_.begin(); it != entries_.end();) {
          if (sent.contains(it->first)) {
            ++it;
            continue;
          }
          fs::remove(Thumbnail(it->first), ec);
          it = entries_.erase(it);
        }
      }
      version_ = u.version().version();
      synced_at_ = now;
      if (u.version().max_offline_hours() > 0) {
        max_offline_hours_ = u.version().max_offline_hours();
      }
      if (auto s = Save(); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status GalleryDir::Save() const {
  if (auto s = WriteAtomically(dir_ / kIndex, FormatIndex(entries_)); !s.ok()) {
    return s;
  }
  return WriteAtomically(
      dir_ / kVersion,
      absl::StrCat("version ", version_, "\nsynced_at ",
                   synced_at_ ? absl::ToUnixSeconds(*synced_at_) : 0,
                   "\nmax_offline_hours ", max_offline_hours_, "\n"));
}

std::string GalleryDir::FormatIndex(
    const std::map<int64_t, LocalEntry>& entries) {
  std::string out;
  for (const auto& [id, e] : entries) {
    absl::StrAppend(&out, id, "\t", e.area_id, "\t", Escape(e.kind), "\t",
                    absl::ToUnixSeconds(e.valid_until), "\t", Escape(e.name),
                    "\t", Escape(e.description), "\t", e.has_thumbnail ? 1 : 0,
                    "\n");
  }
  return out;
}

absl::StatusOr<std::map<int64_t, LocalEntry>> GalleryDir::ParseIndex(
    const std::string& text) {
  std::map<int64_t, LocalEntry> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    LocalEntry e;
    int64_t until = 0;
    if (f.size() != 7 || !absl::SimpleAtoi(f[0], &e.entry_id) ||
        !absl::SimpleAtoi(f[1], &e.area_id) ||
        !absl::SimpleAtoi(f[3], &until) || (f[6] != "0" && f[6] != "1")) {
      return absl::DataLossError(
          absl::StrCat("index.tsv line ", line_no, ": damaged"));
    }
    e.kind = Unescape(f[2]);
    e.valid_until = absl::FromUnixSeconds(until);
    e.name = Unescape(f[4]);
    e.description = Unescape(f[5]);
    e.has_thumbnail = f[6] == "1";
    out[e.entry_id] = std::move(e);
  }
  return out;
}

kvo::v1::CardKind LocalEntry::card_kind() const {
  for (const auto& k : kKindNames) {
    if (kind == k.name) return k.kind;
  }
  return kvo::v1::CARD_KIND_COLLECTIVE_WARNING;
}

}  // namespace kvo::cli
