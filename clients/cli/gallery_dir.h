#ifndef KVO_CLIENTS_CLI_GALLERY_DIR_H_
#define KVO_CLIENTS_CLI_GALLERY_DIR_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kvo/v1/gallery.pb.h"

namespace kvo::cli {

// One entry of the local gallery as the door device keeps it.
struct LocalEntry {
  int64_t entry_id = 0;
  int64_t area_id = 0;
  std::string kind;  // "collective warning", "collective ban"
  absl::Time valid_until;
  std::string name;
  std::string description;
  bool has_thumbnail = false;
};

// A door device's local gallery: a folder with one thumbnail per entry
// (<entry_id>.jpg), an index of the entries (index.tsv) and the version it
// is in step with (version). Files are written to a temporary name and
// renamed, so a crash leaves the old or the new state, never half of one.
class GalleryDir final {
 public:
  // Reads the folder (created if missing). An empty folder holds version 0.
  static absl::StatusOr<GalleryDir> Open(const std::filesystem::path& dir);

  int64_t version() const { return version_; }
  const std::map<int64_t, LocalEntry>& entries() const { return entries_; }

  // Applies one sync's updates, in order: entries are written, removals
  // deleted (thumbnail and all), and a version message saves the state; a
  // reset first drops everything the sync did not send.
  absl::Status Apply(const std::vector<kvo::v1::GalleryUpdate>& updates);

  // The index as text, and back (tabs, newlines and backslashes escaped).
  static std::string FormatIndex(const std::map<int64_t, LocalEntry>& entries);
  static absl::StatusOr<std::map<int64_t, LocalEntry>> ParseIndex(
      const std::string& text);

 private:
  explicit GalleryDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  absl::Status Save() const;
  std::filesystem::path Thumbnail(int64_t entry_id) const;

  std::filesystem::path dir_;
  int64_t version_ = 0;
  std::map<int64_t, LocalEntry> entries_;
};

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GALLERY_DIR_H_
