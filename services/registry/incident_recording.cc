#include "services/registry/incident_recording.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/common/proto_time.h"
#include "services/registry/registry_requests.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::PgAuditStore;
using common::Amsterdam;
using common::FromProto;
using common::ToProto;
using identity::Call;
using identity::Caller;
using Store = PgRegistryStore;

// Clocks differ a little between a device and kvod.
constexpr absl::Duration kClockSkew = absl::Minutes(5);

// An incident lies between the earlier of the day its area joined and the
// start of the Amsterdam day incident_backdate_days before today, and now,
// give or take the clock skew: a new area can record what happened before
// it joined (its 0-meting of incidents), an area that joined long ago its
// whole history. kvo sends its --at as occurred_at: the message names both.
absl::Status CheckIncidentTime(absl::Time occurred, absl::Time now,
                               absl::Time area_joined, int backdate_days) {
  if (occurred > now + kClockSkew) {
    return absl::InvalidArgumentError(absl::StrCat(
        "occurred_at (kvo incident record --at): ",
        absl::FormatTime("%Y-%m-%d %H:%M", occurred, Amsterdam()),
        " is in the future; at most ", absl::ToInt64Minutes(kClockSkew),
        " minutes ahead of kvod's clock are allowed"));
  }
  const absl::CivilDay earliest =
      std::min(absl::ToCivilDay(now, Amsterdam()) - backdate_days,
               absl::ToCivilDay(area_joined, Amsterdam()));
  if (occurred < absl::FromCivil(earliest, Amsterdam())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "occurred_at (kvo incident record --at): ",
        absl::FormatTime("%Y-%m-%d %H:%M", occurred, Amsterdam()),
        " is too long ago; the earliest allowed is ",
        absl::FormatCivilTime(earliest),
        " 00:00 (policy incident_backdate_days: ", backdate_days,
        " days before today, or the day the area joined, Europe/Amsterdam)"));
  }
  return absl::OkStatus();
}

std::string Subject(const PersonRow& p) { return AuditSubject(p); }

}  // namespace

absl::StatusOr<ShopRow> FindShop(pqxx::transaction_base& tx, int64_t shop_id) {
  auto row = Store::ShopById(tx, shop_id);
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("shop_id: shop ", shop_id, " not found"));
  }
  return *row;
}

IncidentRecording::IncidentRecording(
    const kvo::v1::Policy& policy, common::DbPool& pool,
    identity::RpcGuard& guard, const KeyRing& keys, const common::Clock& clock,
    absl::Duration shops_ttl, int64_t shops_bytes)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      clock_(clock),
      shops_ttl_(shops_ttl),
      shops_bytes_(shops_bytes) {}

absl::StatusOr<std::vector<ShopRow>> IncidentRecording::ShopsOfCaller(
    const Call& call) {
  const Caller& caller = call.caller;
  const absl::Time wall = absl::Now();
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(shops_mu_);
    generation = shops_generation_;
    auto it = shops_of_caller_.find(caller.principal_id);
    if (it != shops_of_caller_.end() &&
        it->second.generation == shops_generation_ &&
        wall - it->second.read_at < shops_ttl_ &&
        it->second.role == caller.role &&
        it->second.area_ids == caller.area_ids) {
      return it->second.shops;
    }
  }
  auto shops = ReadShopsOfCaller(call);
  if (!shops.ok()) return shops;
  KeptShops kept{wall, generation, caller.role, caller.area_ids, *shops, 0};
  kept.bytes = static_cast<int64_t>(sizeof(KeptShops) +
                                    kept.area_ids.size() * sizeof(int64_t));
  for (const ShopRow& s : kept.shops) {
    kept.bytes += static_cast<int64_t>(sizeof(ShopRow) + s.name.size() +
                                       s.member_ids.size() * sizeof(int64_t));
  }
  KeepShops(caller.principal_id, std::move(kept));
  return shops;
}

void IncidentRecording::KeepShops(int64_t principal_id, KeptShops kept) {
  std::lock_guard<std::mutex> lock(shops_mu_);
  // Kept only if no membership changed while it was read.
  if (kept.generation != shops_generation_ || kept.bytes > shops_bytes_) {
    return;
  }
  if (auto it = shops_of_caller_.find(principal_id);
      it != shops_of_caller_.end()) {
    shops_kept_bytes_ -= it->second.bytes;
    shops_of_caller_.erase(it);
  }
  // Over the limit: whichever principals the map yields go first.
  while (shops_kept_bytes_ + kept.bytes > shops_bytes_ &&
         !shops_of_caller_.empty()) {
    shops_kept_bytes_ -= shops_of_caller_.begin()->second.bytes;
    shops_of_caller_.erase(shops_of_caller_.begin());
  }
  shops_kept_bytes_ += kept.bytes;
  shops_of_caller_.emplace(principal_id, std::move(kept));
}

void IncidentRecording::Forget() {
  std::lock_guard<std::mutex> lock(shops_mu_);
  ++shops_generation_;
  shops_of_caller_.clear();
  shops_kept_bytes_ = 0;
}

absl::StatusOr<std::vector<ShopRow>> IncidentRecording::ReadShopsOfCaller(
    const Call& call) {
  // One statement, so no BEGIN and COMMIT around it.
  return pool_.InTransaction<pqxx::nontransaction>(
      "shops of caller",
      [&](pqxx::nontransaction& tx) -> absl::StatusOr<std::vector<ShopRow>> {
        std::vector<ShopRow> shops =
            Store::MemberShops(tx, call.caller.principal_id);
        std::sort(
            shops.begin(), shops.end(),
            [](const ShopRow& a, const ShopRow& b) { return a.name < b.name; });
        return shops;
      });
}

absl::StatusOr<kvo::v1::Incident> IncidentRecording::Record(
    const Call& call, const kvo::v1::RecordIncidentRequest& request) {
  for (auto s : {RequireId("shop_id", request.shop_id()),
                 RequireId("person_id", request.person_id())}) {
    if (!s.ok()) return s;
  }
  auto shop = pool_.InTransaction(
      "read shop", [&](pqxx::work& tx) -> absl::StatusOr<ShopRow> {
        auto row = FindShop(tx, request.shop_id());
        if (!row.ok()) return row.status();
        if (call.caller.role == kvo::v1::ROLE_SHOPKEEPER &&
            !Store::IsShopMember(tx, row->id, call.caller.principal_id)) {
          return absl::PermissionDeniedError(
              "shop_id: a shopkeeper records incidents of their own shop only");
        }
        return *row;
      });
  if (!shop.ok()) return shop.status();
  if (auto s = guard_.CheckAreas(call, {shop->area_id}); !s.ok()) {
    return s;
  }
  if (auto s = ValidateRecordIncidentRequest(policy_, request); !s.ok()) {
    return s;
  }
  // No time given: the incident happens now, on kvod's clock and to the
  // microsecond, so an incident recorded right after a warning is after it
  // (a client's own clock, or a time cut to the second, could put it
  // before).
  const absl::Time now = clock_.Now();
  const absl::Time occurred =
      request.has_occurred_at() ? FromProto(request.occurred_at()) : now;
  if (auto s = CheckIncidentTime(occurred, now, shop->area_created_at,
                                 IncidentBackdateDays(policy_));
      !s.ok()) {
    return s;
  }
  Vault vault(keys_);
  auto incident = pool_.InTransaction(
      "record incident", [&](pqxx::work& tx) -> absl::StatusOr<IncidentRow> {
        auto row = Store::PersonById(tx, request.person_id());
        if (!row) {
          return absl::NotFoundError(absl::StrCat(
              "person_id: person ", request.person_id(), " not found"));
        }
        auto person = vault.Open(tx, *row, {});
        if (!person.ok()) return person.status();
        IncidentRow i;
        i.area_id = shop->area_id;
        i.shop_id = shop->id;
        i.occurred_at = occurred;
        i.recorded_at = clock_.Now();
        i.offence_type = request.offence_type();
        i.damage_cents = request.damage_cents();
        i.has_police_report = !request.police_report_number().empty();
        i.reported_by = call.caller.principal_id;
        i.person_id = row->id;
        i.id = Store::InsertIncident(tx, i);
        Store::LinkIncidentPerson(
            tx, i.id, row->id,
            vault.Seal(*person, IncidentField(i.id, "description"),
                       request.description()),
            vault.Seal(*person, IncidentField(i.id, "report_number"),
                       request.police_report_number()));
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.record_incident", Subject(*row),
                              "incident report"));
        return i;
      });
  if (!incident.ok()) return incident.status();
  kvo::v1::Incident out;
  out.set_id(incident->id);
  out.set_area_id(incident->area_id);
  out.set_shop_id(incident->shop_id);
  *out.mutable_occurred_at() = ToProto(incident->occurred_at);
  out.set_offence_type(incident->offence_type);
  out.set_description(request.description());
  out.set_damage_cents(incident->damage_cents);
  out.set_police_report_number(request.police_report_number());
  out.set_person_id(incident->person_id);
  out.set_reported_by(incident->reported_by);
  return out;
}

}  // namespace kvo::registry
