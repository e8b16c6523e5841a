#ifndef KVO_CLIENTS_CLI_GALLERY_DIR_H_
#define KVO_CLIENTS_CLI_GALLERY_DIR_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
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
  // "collective warning", "collective ban", or "individual ban" (the
  // caller's own shop's: only its shopkeepers' galleries hold it).
  std::string kind;
  absl::Time valid_until;
  std::string name;
  std::string description;
  bool has_thumbnail = false;

  // `kind` as the card kind it names.
  kvo::v1::CardKind card_kind() const;
};

// A door device's local gallery: a folder (mode 0700) with one thumbnail
// per entry (<entry_id>.jpg, one per person), an index of the entries
// (index.tsv) and its state (version: the version it is in step with, when
// it last synced successfully, and how long it may be shown without a sync).
// Files are mode 0600, written to a temporary name and renamed, so a crash
// leaves the old or the new state, never half of one.
class GalleryDir final {
 public:
  // Until a server says otherwise (a server before door.max_offline_hours).
  static constexpr int kDefaultMaxOfflineHours = 24;

  // Reads the folder (created 0700 if missing). An empty folder holds
  // version 0; so does one written by a kvo from before entries were per
  // person (its entries are dropped so the next sync fetches all again).
  static absl::StatusOr<GalleryDir> Open(const std::filesystem::path& dir);

  // Overwrites and deletes what kvo keeps in `dir` (thumbnails, index,
  // state), then the folder if nothing else is in it. Anything else there
  // stays. A folder that does not exist is wiped already.
  static absl::Status Wipe(const std::filesystem::path& dir);

  int64_t version() const { return version_; }
  const std::map<int64_t, LocalEntry>& entries() const { return entries_; }
  // When the last successful sync was; nullopt before the first.
  std::optional<absl::Time> synced_at() const { return synced_at_; }
  int max_offline_hours() const { return max_offline_hours_; }

  // Applies one sync's updates, in order: entries are written, removals
  // deleted (thumbnail and all), and a version message saves the state
  // (synced at `now`); a reset first drops everything the sync did not send.
  absl::Status Apply(const std::vector<kvo::v1::GalleryUpdate>& updates,
                     absl::Time now);

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
  std::optional<absl::Time> synced_at_;
  int max_offline_hours_ = kDefaultMaxOfflineHours;
  std::map<int64_t, LocalEntry> entries_;
};

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GALLERY_DIR_H_
