#include "services/identity/hashing_slots.h"

#include <algorithm>
#include <thread>

namespace kvo::identity {

HashingSlots::Slot::~Slot() {
  if (owner_ != nullptr) owner_->Release();
}

HashingSlots::Slot& HashingSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

HashingSlots::HashingSlots(int slots)
    : capacity_(
          slots > 0
              ? slots
              : std::max(1, static_cast<int>(
                                std::thread::hardware_concurrency() / 2))) {}

HashingSlots::Slot HashingSlots::Acquire(std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mu_);
  if (!freed_.wait_for(lock, max_wait,
                       [this] { return in_use_ < capacity_; })) {
    return Slot();
  }
  ++in_use_;
  return Slot(this);
}

void HashingSlots::Release() {
  {
    std::lock_guard lock(mu_);
    --in_use_;
  }
  freed_.notify_one();
}

}  // namespace kvo::identity
