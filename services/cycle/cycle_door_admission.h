#ifndef KVO_SERVICES_CYCLE_CYCLE_DOOR_ADMISSION_H_
#define KVO_SERVICES_CYCLE_CYCLE_DOOR_ADMISSION_H_

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "absl/time/time.h"
#include "services/common/db_pool.h"
#include "services/cycle/cycle_rules.h"
#include "services/gallery/door_admission.h"

namespace kvo::cycle {

// The gallery's DoorAdmission from the cycle's records: the licences of
// the caller's areas and the declarations of a shopkeeper's shops
// (DoorAdmissionRule decides). What it reads is kept per principal for
// `ttl`, so a door's frequent syncs cost no database work; this replica's
// own changes to licences and participants take effect at once (Forget),
// another replica's within `ttl`. Thread-safe.
class CycleDoorAdmission final : public gallery::DoorAdmission {
 public:
  explicit CycleDoorAdmission(common::DbPool& pool,
                              absl::Duration ttl = absl::Seconds(5));

  absl::Status Check(const identity::Caller& caller, absl::Time now) override;
  // Drops what is kept: licences or participants changed.
  void Forget();

 private:
  struct Kept {
    absl::Time read_at;
    uint64_t generation = 0;
    DoorFacts facts;
  };
  absl::StatusOr<DoorFacts> Read(const identity::Caller& caller);

  common::DbPool& pool_;
  const absl::Duration ttl_;
  std::mutex mu_;
  uint64_t generation_ = 0;                         // guarded by mu_
  std::unordered_map<int64_t, Kept> by_principal_;  // guarded by mu_
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_DOOR_ADMISSION_H_
