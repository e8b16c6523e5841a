#include "services/registry/incident_listing.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/common/request_checks.h"
#include "services/registry/incident_recording.h"
#include "services/registry/integrity_alarm.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::PgAuditStore;
using common::Amsterdam;
using identity::Call;
using Store = PgRegistryStore;

constexpr char kAction[] = "registry.list_incidents";

bool SeesOwnShopsOnly(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER || role == kvo::v1::ROLE_SECURITY;
}

// The position after an incident, as the next page's token:
// "<occurred_at in Unix microseconds>.<id>".
std::string PageToken(const IncidentRow& last) {
  return absl::StrCat(absl::ToUnixMicros(last.occurred_at), ".", last.id);
}

absl::StatusOr<std::pair<absl::Time, int64_t>> ParsePageToken(
    const std::string& token) {
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  int64_t micros = 0, id = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &micros) ||
      !absl::SimpleAtoi(parts[1], &id) || id <= 0) {
    return absl::InvalidArgumentError(
        "page_token (kvo incident list --page-token): not a token this list "
        "gave; use the one printed after the previous page");
  }
  return std::make_pair(absl::FromUnixMicros(micros), id);
}

}  // namespace

absl::StatusOr<IncidentFilter> ParseListIncidentsRequest(
    const kvo::v1::ListIncidentsRequest& request) {
  if (auto s = common::RequireId("area_id (kvo incident list --area)",
                                 request.area_id());
      !s.ok()) {
    return s;
  }
  for (const auto& [field, id] :
       {std::pair{"shop_id (kvo incident list --shop)", request.shop_id()},
        std::pair{"person_id (kvo incident list --person)",
                  request.person_id()}}) {
    if (id < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a positive id, or none for all"));
    }
  }
  IncidentFilter f;
  f.area_id = request.area_id();
  f.shop_id = request.shop_id();
  f.person_id = request.person_id();
  std::optional<absl::CivilDay> from, to;
  if (!request.from().empty()) {
    auto day = common::ParseDay("from", "incident list --from", request.from());
    if (!day.ok()) return day.status();
    from = *day;
    f.from = absl::FromCivil(*day, Amsterdam());
  }
  if (!request.to().empty()) {
    auto day = common::ParseDay("to", "incident list --to", request.to());
    if (!day.ok()) return day.status();
    to = *day;
    f.until = absl::FromCivil(*day + 1, Amsterdam());
  }
  if (from && to && *to < *from) {
    return absl::InvalidArgumentError(
        absl::StrCat("to (kvo incident list --to): ", request.to(),
                     " is before from (--from) ", request.from()));
  }
  if (request.limit() < 0 || request.limit() > kMaxIncidentPage) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit (kvo incident list --limit): 1 to ", kMaxIncidentPage,
        " incidents a page, got ", request.limit()));
  }
  f.limit = request.limit() == 0 ? kDefaultIncidentPage : request.limit();
  if (!request.page_token().empty()) {
    auto after = ParsePageToken(request.page_token());
    if (!after.ok()) return after.status();
    f.after = *after;
  }
  return f;
}

IncidentListing::IncidentListing(common::DbPool& pool,
                                 identity::RpcGuard& guard, const KeyRing& keys)
    : pool_(pool), guard_(guard), keys_(keys) {}

absl::StatusOr<kvo::v1::ListIncidentsResponse> IncidentListing::List(
    const Call& call, const kvo::v1::ListIncidentsRequest& request) {
  if (request.area_id() > 0) {
    if (auto s = guard_.CheckAreas(call, {request.area_id()}); !s.ok()) {
      return s;
    }
  }
  auto filter = ParseListIncidentsRequest(request);
  if (!filter.ok()) return filter.status();
  const bool own_shops_only = SeesOwnShopsOnly(call.caller.role);
  Vault vault(keys_);
  bool refused_shop = false;
  auto listed = pool_.InTransaction(
      "list incidents",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ListIncidentsResponse> {
        refused_shop = false;
        IncidentFilter f = *filter;
        if (f.shop_id > 0) {
          auto shop = FindShop(tx, f.shop_id);
          if (!shop.ok()) {
            return absl::NotFoundError(
                absl::StrCat("shop_id (kvo incident list --shop): shop ",
                             f.shop_id, " not found"));
          }
          if (shop->area_id != f.area_id) {
            return absl::InvalidArgumentError(
                absl::StrCat("shop_id (kvo incident list --shop): shop ",
                             f.shop_id, " is in area ", shop->area_id,
                             ", not in area ", f.area_id, " (--area)"));
          }
        }
        if (own_shops_only) {
          f.only_shops = Store::ShopsOfPrincipal(tx, call.caller.principal_id);
          if (f.shop_id > 0 &&
              std::find(f.only_shops->begin(), f.only_shops->end(),
                        f.shop_id) == f.only_shops->end()) {
            refused_shop = true;
            return absl::PermissionDeniedError(
                "shop_id (kvo incident list --shop): shopkeepers and "
                "security see the incidents of their own shops only");
          }
        }
        // One more than the page: whether another page follows.
        const int page = f.limit;
        f.limit = page + 1;
        std::vector<IncidentRow> rows = Store::IncidentsOfArea(tx, f);
        const bool more = static_cast<int>(rows.size()) > page;
        if (more) rows.resize(page);

        std::vector<int64_t> person_ids;
        for (const IncidentRow& i : rows) {
          if (i.person_id != 0) person_ids.push_back(i.person_id);
        }
        std::sort(person_ids.begin(), person_ids.end());
        person_ids.erase(std::unique(person_ids.begin(), person_ids.end()),
                         person_ids.end());
        if (auto s = vault.Prefetch(person_ids); !s.ok()) return s;
        std::map<int64_t, std::optional<OpenPerson>> people;
        for (int64_t id : person_ids) {
          auto row = Store::PersonById(tx, id);
          if (!row || row->erased) {
            people.emplace(id, std::nullopt);
            continue;
          }
          auto open = vault.Open(tx, *row, {});
          if (!open.ok() && SkipInList(open.status())) {
            RaiseIntegrityAlarm(tx, guard_, call, kAction, *row, open.status());
            people.emplace(id, std::nullopt);
            continue;
          }
          if (!open.ok()) return open.status();
          people.emplace(id, std::move(*open));
        }

        kvo::v1::ListIncidentsResponse out;
        std::set<std::string> subjects;
        for (const IncidentRow& i : rows) {
          kvo::v1::Incident* incident = out.add_incidents();
          *incident = IncidentFactsToProto(i);
          auto person = people.find(i.person_id);
          if (person == people.end() || !person->second.has_value()) continue;
          const OpenPerson& p = *person->second;
          auto description = vault.OpenValue(
              p, IncidentField(i.id, "description"), i.sealed_description);
          auto report = vault.OpenValue(p, IncidentField(i.id, "report_number"),
                                        i.sealed_report_number);
          for (const auto* opened : {&description, &report}) {
            if (!opened->ok() && !SkipInList(opened->status())) {
              return opened->status();
            }
          }
          if (!description.ok() || !report.ok()) {
            RaiseIntegrityAlarm(
                tx, guard_, call, kAction, p.row,
                description.ok() ? report.status() : description.status());
            continue;
          }
          incident->set_person_id(i.person_id);
          incident->set_description(*description);
          incident->set_police_report_number(*report);
          subjects.insert(AuditSubject(p.row));
        }
        if (more) out.set_next_page_token(PageToken(rows.back()));
        // One entry for what this page disclosed; nothing, nothing logged.
        if (!subjects.empty()) {
          PgAuditStore::Append(
              tx, guard_.Record(call, kAction, audit::JoinSubjects(subjects),
                                own_shops_only ? "own shop's incidents"
                                               : "incident overview"));
        }
        return out;
      });
  if (!listed.ok() && refused_shop) {
    guard_.AuditAlone(guard_.Record(call, kAction, "",
                                    std::string(listed.status().message()),
                                    audit::Outcome::kDenied));
  }
  return listed;
}

}  // namespace kvo::registry
