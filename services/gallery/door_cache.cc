#include "services/gallery/door_cache.h"

namespace kvo::gallery {

std::shared_ptr<const DoorSnapshot> DoorCache::Get(int64_t area, int role,
                                                   int64_t area_version,
                                                   int64_t viewer) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = snapshots_.find({area, role, viewer});
  if (it == snapshots_.end() || it->second->area_version != area_version) {
    return nullptr;
  }
  return it->second;
}

void DoorCache::Put(int64_t area, int role,
                    std::shared_ptr<const DoorSnapshot> snapshot,
                    int64_t viewer) {
  if (snapshot->bytes > max_bytes_) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = snapshots_[{area, role, viewer}];
  if (slot != nullptr) {
    // Never replace a newer snapshot with an older one.
    if (slot->area_version > snapshot->area_version) return;
    bytes_ -= slot->bytes;
    slot = nullptr;
  }
  if (bytes_ + snapshot->bytes > max_bytes_) {
    snapshots_.clear();
    bytes_ = 0;
  }
  bytes_ += snapshot->bytes;
  snapshots_[{area, role, viewer}] = std::move(snapshot);
}

size_t DoorCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace kvo::gallery
