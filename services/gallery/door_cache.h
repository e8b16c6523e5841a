#ifndef KVO_SERVICES_GALLERY_DOOR_CACHE_H_
#define KVO_SERVICES_GALLERY_DOOR_CACHE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kvo/v1/gallery.pb.h"

namespace kvo::gallery {

// What a full sync of one area shows one role, as of an area version: every
// collective card in force there as an entry (a person with two cards has
// two; the sync chooses each person's tile over all the caller's areas),
// or, for one viewer, the individual bans of their own shops there.
struct DoorSnapshot {
  int64_t area_version = 0;  // the area's version it is current for
  int64_t sync_version = 0;  // the version a full sync from it answers
  std::vector<kvo::v1::GalleryEntry> entries;
  std::vector<std::string> subjects;  // "person:<pseudonym>", for the audit
  size_t bytes = 0;
};

// The opened entries of recent full syncs, per (area, role), in memory, so
// that a device starting from nothing costs one audit write instead of
// opening every record again. A snapshot answers only while the area's
// version is the one it was built for; any change in the area (a card, a
// photo, an erasure, an expiry) moves that version and retires it. Holds
// decrypted personal data only in this process's memory (which holds the
// keys anyway) and at most `max_bytes` of it. Thread-safe.
class DoorCache final {
 public:
  // The viewer of the snapshots every caller of a role shares (collective
  // cards); another viewer (a principal's id) holds what only that caller
  // is shown (their own shops' individual bans), kept apart so the shared
  // part is kept once however many shops there are.
  static constexpr int64_t kShared = 0;

  explicit DoorCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The snapshot for `area`, `role` and `viewer` if it is current for
  // `area_version`.
  std::shared_ptr<const DoorSnapshot> Get(int64_t area, int role,
                                          int64_t area_version,
                                          int64_t viewer = kShared) const;
  // Keeps `snapshot` (replacing an older one); when the cache would grow
  // past its limit it is emptied first.
  void Put(int64_t area, int role, std::shared_ptr<const DoorSnapshot> snapshot,
           int64_t viewer = kShared);

  size_t bytes() const;

 private:
  const size_t max_bytes_;
  mutable std::mutex mu_;
  // By (area, role, viewer).
  std::map<std::tuple<int64_t, int, int64_t>,
           std::shared_ptr<const DoorSnapshot>>
      snapshots_;     // guarded by mu_
  size_t bytes_ = 0;  // guarded by mu_
};

// Sealed bytes by person and photo version (its upload time): thumbnails,
// so that a sync after a change reads only the thumbnails that changed
// (~20 KB each live out of line in PostgreSQL and dominate a full sync's
// query), and full photos, so that a view reads (and decodes from hex) its
// half megabyte or more once per upload rather than once per view. Sealed
// bytes only (unreadable without the person's key), at most `max_bytes` of
// them (T::size()). Thread-safe.
template <typename T>
class SealedCache final {
 public:
  explicit SealedCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<const T> Get(int64_t person, int64_t version) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(person);
    if (it == entries_.end() || it->second.version != version) return nullptr;
    return it->second.sealed;
  }
  // When the cache would grow past its limit it is emptied first.
  void Put(int64_t person, int64_t version, std::shared_ptr<const T> value) {
    if (value->size() > max_bytes_) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(person);
    if (it != entries_.end()) {
      bytes_ -= it->second.sealed->size();
      entries_.erase(it);
    }
    if (bytes_ + value->size() > max_bytes_) {
      entries_.clear();
      bytes_ = 0;
    }
    bytes_ += value->size();
    entries_[person] = Entry{version, std::move(value)};
  }

 private:
  struct Entry {
    int64_t version = 0;
    std::shared_ptr<const T> sealed;
  };
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::map<int64_t, Entry> entries_;  // guarded by mu_
  size_t bytes_ = 0;                  // guarded by mu_
};

using ThumbnailCache = SealedCache<std::string>;

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_CACHE_H_
