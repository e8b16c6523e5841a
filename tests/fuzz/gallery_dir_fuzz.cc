// The door device's gallery folder as kvo reads it back: the version file
// and index.tsv (a damaged or hostile folder must give an error, never a
// crash), and the index's escaping, which must survive a round trip.
// Input: the version file's bytes, a NUL byte, then index.tsv's bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "clients/cli/gallery_dir.h"

namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), bytes.size());
}

const fs::path& Dir() {
  static const fs::path dir = [] {
    std::string tmpl =
        (fs::temp_directory_path() / "kvo-gallery-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) abort();
    return fs::path(tmpl);
  }();
  return dir;
}

bool Same(const kvo::cli::LocalEntry& a, const kvo::cli::LocalEntry& b) {
  return a.entry_id == b.entry_id && a.area_id == b.area_id &&
         a.kind == b.kind && a.valid_until == b.valid_until &&
         a.name == b.name && a.description == b.description &&
         a.has_thumbnail == b.has_thumbnail;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const absl::string_view version =
      nul == absl::string_view::npos ? in : in.substr(0, nul);
  const absl::string_view index =
      nul == absl::string_view::npos ? "" : in.substr(nul + 1);

  Write(Dir() / "version", version);
  Write(Dir() / "index.tsv", index);
  auto dir = kvo::cli::GalleryDir::Open(Dir());
  if (!dir.ok() && dir.status().code() != absl::StatusCode::kDataLoss) {
    __builtin_trap();
  }

  auto entries = kvo::cli::GalleryDir::ParseIndex(std::string(index));
  if (!entries.ok()) return 0;
  const std::string text = kvo::cli::GalleryDir::FormatIndex(*entries);
  auto again = kvo::cli::GalleryDir::ParseIndex(text);
  if (!again.ok() || again->size() != entries->size()) __builtin_trap();
  for (const auto& [id, e] : *entries) {
    auto it = again->find(id);
    if (it == again->end() || !Same(e, it->second)) __builtin_trap();
  }
  if (kvo::cli::GalleryDir::FormatIndex(*again) != text) __builtin_trap();
  return 0;
}
