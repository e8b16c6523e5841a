#ifndef KVO_SERVICES_CYCLE_CYCLE_DOOR_ADMISSION_H_
#define KVO_SERVICES_CYCLE_CYCLE_DOOR_ADMISSION_H_

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "absl/time/time.h"
#include "services/audit/audit_entry.h"
#include "services/common/db_pool.h"
#include "services/cycle/cycle_rules.h"
#include "services/gallery/door_admission.h"

namespace kvo::cycle {

// The integrity alarm for a licence, participation or membership row whose
// seal does not check out (changed or written outside kvod): `who` as the
// author, `subject` ("area:3", "shop:7", "principal:12") naming the row.
// The caller leaves the row out.
void RaiseAlteredRowAlarm(pqxx::transaction_base& tx, audit::AuditRecord who,
                          std::string subject, absl::string_view what);

// The gallery's DoorAdmission from the cycle's records: the licences of
// the caller's areas and the declarations of a shopkeeper's shops
// (DoorAdmissionRule decides). Only rows whose seals check out count: a
// licence, declaration or shop membership put in by SQL is left out and
// raises the integrity alarm. What it reads is kept per principal for
// `ttl`, so a door's frequent syncs cost no database work; this replica's
// own changes to licences and participants take effect at once (Forget),
// another replica's, and a shop membership added through any replica (the
// registry announces it through its CardChangeSink), as soon as the
// announcement is heard (gallery::AnnounceAdmissionChange; kvod wires
// Forget to it). `ttl` bounds what a lost announcement can cost.
// Thread-safe.
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
