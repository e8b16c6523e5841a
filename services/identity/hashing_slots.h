#ifndef KVO_SERVICES_IDENTITY_HASHING_SLOTS_H_
#define KVO_SERVICES_IDENTITY_HASHING_SLOTS_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kvo::identity {

// A counting semaphore for Argon2id: each hash or verify takes 64 MiB and a
// core for a good part of a second, so at most `slots` run at once and the
// rest wait in line. A caller that waited `max_wait` without a slot gets
// none and answers RESOURCE_EXHAUSTED; the wait is bounded so a flood never
// holds gRPC threads for long. Thread-safe.
class HashingSlots final {
 public:
  // A held slot; released when it goes out of scope.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : owner_(other.owner_) {
      other.owner_ = nullptr;
    }
    // Releases the slot held before, if any.
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    friend class HashingSlots;
    explicit Slot(HashingSlots* owner) : owner_(owner) {}
    HashingSlots* owner_ = nullptr;
  };

  // `slots` <= 0: half the machine's cores, at least 1.
  explicit HashingSlots(int slots);

  // A slot, or an empty one after `max_wait`.
  Slot Acquire(std::chrono::milliseconds max_wait);

  int capacity() const { return capacity_; }

 private:
  void Release();

  const int capacity_;
  std::mutex mu_;
  std::condition_variable freed_;
  int in_use_ = 0;  // guarded by mu_
};

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_HASHING_SLOTS_H_
