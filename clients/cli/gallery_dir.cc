#include "clients/cli/gallery_dir.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
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

std::string KindName(kvo::v1::CardKind kind) {
  return kind == kvo::v1::CARD_KIND_COLLECTIVE_BAN ? "collective ban"
                                                   : "collective warning";
}

absl::Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = fs::path(path).concat(".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.flush();
    if (!out) {
      return absl::UnavailableError(
          absl::StrCat("cannot write ", tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
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
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--dir: cannot use ", dir.string(), " as a folder"));
  }
  GalleryDir g(dir);
  auto version = ReadFile(dir / kVersion);
  if (!version.ok()) return g;  // a new gallery
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*version), &g.version_) ||
      g.version_ < 0) {
    return absl::DataLossError(
        absl::StrCat((dir / kVersion).string(), ": not a version number"));
  }
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

fs::path GalleryDir::Thumbnail(int64_t entry_id) const {
  return dir_ / absl::StrCat(entry_id, ".jpg");
}

absl::Status GalleryDir::Apply(
    const std::vector<kvo::v1::GalleryUpdate>& updates) {
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
      if (auto s = Save(); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status GalleryDir::Save() const {
  if (auto s = WriteAtomically(dir_ / kIndex, FormatIndex(entries_)); !s.ok()) {
    return s;
  }
  return WriteAtomically(dir_ / kVersion, absl::StrCat(version_, "\n"));
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

}  // namespace kvo::cli
