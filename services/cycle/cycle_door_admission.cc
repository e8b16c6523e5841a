#include "services/cycle/cycle_door_admission.h"

#include "absl/strings/str_cat.h"
#include "services/audit/integrity_alarm.h"
#include "services/common/local_time.h"
#include "services/cycle/pg_cycle_store.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::cycle {

void RaiseAlteredRowAlarm(pqxx::transaction_base& tx, audit::AuditRecord who,
                          std::string subject, absl::string_view what) {
  who.subject = std::move(subject);
  audit::RaiseIntegrityAlarm(
      tx, std::move(who),
      absl::StrCat(what,
                   " fails its integrity check (changed outside kvod), not "
                   "used"));
}

CycleDoorAdmission::CycleDoorAdmission(common::DbPool& pool, absl::Duration ttl)
    : pool_(pool), ttl_(ttl) {}

absl::Status CycleDoorAdmission::Check(const identity::Caller& caller,
                                       absl::Time now) {
  const absl::CivilDay today = absl::ToCivilDay(now, common::Amsterdam());
  const absl::Time wall = absl::Now();
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
    auto it = by_principal_.find(caller.principal_id);
    if (it != by_principal_.end() && it->second.generation == generation_ &&
        wall - it->second.read_at < ttl_ &&
        it->second.facts.area_ids == caller.area_ids) {
      return DoorAdmissionRule(it->second.facts, today);
    }
  }
  auto facts = Read(caller);
  if (!facts.ok()) return facts.status();
  absl::Status admitted = DoorAdmissionRule(*facts, today);
  std::lock_guard<std::mutex> lock(mu_);
  // Kept only if nothing changed while it was read.
  if (generation == generation_) {
    by_principal_[caller.principal_id] = {wall, generation, std::move(*facts)};
  }
  return admitted;
}

void CycleDoorAdmission::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  by_principal_.clear();
}

absl::StatusOr<DoorFacts> CycleDoorAdmission::Read(
    const identity::Caller& caller) {
  return pool_.InTransaction(
      "door admission", [&](pqxx::work& tx) -> absl::StatusOr<DoorFacts> {
        DoorFacts facts;
        facts.area_ids = caller.area_ids;
        audit::AuditRecord who;
        who.principal_id = caller.principal_id;
        for (const LicenceRow& l :
             PgCycleStore::Licences(tx, caller.area_ids)) {
          if (!l.intact) {
            RaiseAlteredRowAlarm(tx, who, absl::StrCat("area:", l.area_id),
                                 absl::StrCat("door: licence ", l.id));
            continue;
          }
          facts.licences[l.area_id].push_back({l.valid_from, l.valid_until});
        }
        facts.shopkeeper = caller.role == kvo::v1::ROLE_SHOPKEEPER;
        if (!facts.shopkeeper) return facts;
        std::vector<int64_t> altered;
        const std::vector<int64_t> shops =
            registry::PgRegistryStore::ShopsOfPrincipal(tx, caller.principal_id,
                                                        &altered);
        for (int64_t shop : altered) {
          RaiseAlteredRowAlarm(tx, who,
                               absl::StrCat("principal:", caller.principal_id),
                               absl::StrCat("door: membership of shop ", shop));
        }
        const auto signed_ = PgCycleStore::Participations(tx, shops);
        for (int64_t id : shops) {
          DoorShop shop;
          if (auto row = registry::PgRegistryStore::ShopById(tx, id)) {
            shop.name = row->name;
          }
          if (auto p = signed_.find(id); p != signed_.end()) {
            if (p->second.intact) {
              shop.declaration_signed_on = p->second.declaration_signed_on;
            } else {
              RaiseAlteredRowAlarm(tx, who, absl::StrCat("shop:", id),
                                   "door: participation");
            }
          }
          facts.shops.push_back(std::move(shop));
        }
        return facts;
      });
}

}  // namespace kvo::cycle
