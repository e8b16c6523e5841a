#include "services/registry/registry_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/local_time.h"
#include "services/common/proto_time.h"
#include "services/common/status_util.h"
#include "services/common/text.h"
#include "services/identity/identity_rules.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/principal_check.h"
#include "services/registry/card_changes.h"
#include "services/registry/card_lookup.h"
#include "services/registry/card_rules.h"
#include "services/registry/incident_listing.h"
#include "services/registry/incident_recording.h"
#include "services/registry/integrity_alarm.h"
#include "services/registry/person_erasure.h"
#include "services/registry/person_fields.h"
#include "services/registry/person_normalize.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::Outcome;
using audit::PgAuditStore;
using common::FromProto;
using common::ToGrpcStatus;
using common::ToProto;
using identity::Call;
using Store = PgRegistryStore;

constexpr char kService[] = "kvo.v1.RegistryService/";

std::string Method(absl::string_view name) {
  return absl::StrCat(kService, name);
}

std::string Subject(const PersonRow& p) { return AuditSubject(p); }

bool IsShopRole(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER || role == kvo::v1::ROLE_SECURITY;
}

}  // namespace

RegistryServiceImpl::RegistryServiceImpl(
    const kvo::v1::Policy& policy, common::DbPool& pool,
    identity::RpcGuard& guard, const KeyRing& keys,
    CardChangeSink& card_changes, const common::Clock& clock,
    IncidentRecording& incidents, CardIssuing& card_issuing,
    const notice::Letterheads& letterheads, const NoticeClaims* notice_claims)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      card_changes_(card_changes),
      clock_(clock),
      incidents_(incidents),
      card_issuing_(card_issuing),
      persons_(policy, pool, guard, keys, card_changes, clock),
      card_revoking_(pool, guard, card_changes, clock),
      notices_(policy, pool, guard, keys, clock, letterheads, notice_claims),
      police_reports_(policy, pool, guard, keys, clock, letterheads),
      objections_(policy, pool, guard, keys, card_changes, clock) {}

// ---- shops ---------------------------------------------------------------

namespace {

kvo::v1::Shop ShopToProto(const ShopRow& row) {
  kvo::v1::Shop shop;
  shop.set_id(row.id);
  shop.set_area_id(row.area_id);
  shop.set_name(row.name);
  for (int64_t m : row.member_ids) shop.add_member_ids(m);
  return shop;
}

}  // namespace

grpc::Status RegistryServiceImpl::CreateShop(
    grpc::ServerContext* context, const kvo::v1::CreateShopRequest* request,
    kvo::v1::Shop* response) {
  auto call = guard_.Begin(*context, Method("CreateShop"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  for (auto s : {RequireId("area_id", request->area_id()),
                 guard_.CheckAreas(*call, {request->area_id()}),
                 ValidateCreateShopRequest(*request)}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  auto shop = pool_.InTransaction(
      "create shop", [&](pqxx::work& tx) -> absl::StatusOr<ShopRow> {
        if (!identity::PgIdentityStore::MissingAreas(tx, {request->area_id()})
                 .empty()) {
          return absl::NotFoundError(absl::StrCat(
              "area_id: area ", request->area_id(), " does not exist"));
        }
        auto id = Store::InsertShop(tx, request->area_id(), request->name());
        if (!id) {
          return absl::AlreadyExistsError(absl::StrCat(
              "a shop '", request->name(), "' already exists in this area"));
        }
        PgAuditStore::Append(
            tx, guard_.Record(*call, "registry.create_shop",
                              absl::StrCat("shop:", *id), "administration"));
        return *Store::ShopById(tx, *id);
      });
  if (!shop.ok()) return ToGrpcStatus(shop.status());
  *response = ShopToProto(*shop);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListShops(
    grpc::ServerContext* context, const kvo::v1::ListShopsRequest* request,
    kvo::v1::ListShopsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListShops"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  for (auto s : {ValidateListShopsRequest(*request),
                 guard_.CheckAreas(*call, {request->area_id()})}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  auto shops = pool_.InTransaction(
      "list shops",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<ShopRow>> {
        return Store::ShopsOfArea(tx, request->area_id());
      });
  if (!shops.ok()) return ToGrpcStatus(shops.status());
  for (const auto& shop : *shops) *response->add_shops() = ShopToProto(shop);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::AddShopMember(
    grpc::ServerContext* context, const kvo::v1::AddShopMemberRequest* request,
    kvo::v1::Shop* response) {
  auto call = guard_.Begin(*context, Method("AddShopMember"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateAddShopMemberRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto shop = pool_.InTransaction(
      "read shop", [&](pqxx::work& tx) -> absl::StatusOr<ShopRow> {
        return FindShop(tx, request->shop_id());
      });
  if (!shop.ok()) return ToGrpcStatus(shop.status());
  if (auto s = guard_.CheckAreas(*call, {shop->area_id}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::Status refusal;  // committed with its integrity alarm
  std::vector<ChangedCard> changes;
  auto updated = pool_.InTransaction(
      "add shop member", [&](pqxx::work& tx) -> absl::StatusOr<ShopRow> {
        changes.clear();  // a retried transaction reports again
        auto who = identity::PgIdentityStore::PrincipalById(
            tx, request->principal_id());
        if (!who) {
          return absl::NotFoundError(absl::StrCat("principal_id: principal ",
                                                  request->principal_id(),
                                                  " not found"));
        }
        if (!who->intact) {
          refusal = identity::RefuseAlteredPrincipal(
              tx, guard_.Record(*call, "registry.add_shop_member", "", ""),
              who->id, "add shop member");
          return ShopRow{};
        }
        const bool in_area =
            std::find(who->area_ids.begin(), who->area_ids.end(),
                      shop->area_id) != who->area_ids.end();
        if ((who->role != "shopkeeper" && who->role != "security") ||
            !in_area) {
          return absl::FailedPreconditionError(
              "principal_id: only a shopkeeper or security principal of the "
              "shop's area can be a member of the shop");
        }
        Store::AddShopMember(tx, shop->id, who->id);
        card_changes_.ShopMembersChanged(tx);
        // The shop's own bans in force are news to the new member's door:
        // reported as changed, they come with its next delta sync (a door
        // asks only for what changed since the version it holds).
        changes =
            ReportChanges(card_changes_, tx,
                          Store::OwnBansOfShop(tx, shop->id, clock_.Now()));
        PgAuditStore::Append(tx,
                             guard_.Record(*call, "registry.add_shop_member",
                                           absl::StrCat("principal:", who->id),
                                           "administration"));
        return *Store::ShopById(tx, shop->id);
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  if (!refusal.ok()) return ToGrpcStatus(refusal);
  card_changes_.CardsCommitted(changes);
  card_changes_.ShopMembersCommitted();
  *response = ShopToProto(*updated);
  return grpc::Status::OK;
}

// ---- persons -------------------------------------------------------------

grpc::Status RegistryServiceImpl::FindPerson(
    grpc::ServerContext* context, const kvo::v1::FindPersonRequest* request,
    kvo::v1::FindPersonResponse* response) {
  auto call = guard_.Begin(*context, Method("FindPerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto found = persons_.Find(*call, *request);
  if (!found.ok()) return ToGrpcStatus(found.status());
  *response = std::move(*found);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::CreatePerson(
    grpc::ServerContext* context, const kvo::v1::CreatePersonRequest* request,
    kvo::v1::Person* response) {
  auto call = guard_.Begin(*context, Method("CreatePerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto person = persons_.Create(*call, *request);
  if (!person.ok()) return ToGrpcStatus(person.status());
  *response = std::move(*person);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetPerson(
    grpc::ServerContext* context, const kvo::v1::GetPersonRequest* request,
    kvo::v1::Person* response) {
  auto call = guard_.Begin(*context, Method("GetPerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto person = persons_.Get(*call, *request);
  if (!person.ok()) return ToGrpcStatus(person.status());
  *response = std::move(*person);
  return grpc::Status::OK;
}

// ---- incidents -----------------------------------------------------------

grpc::Status RegistryServiceImpl::ErasePerson(
    grpc::ServerContext* context, const kvo::v1::ErasePersonRequest* request,
    kvo::v1::ErasePersonResponse* response) {
  auto call = guard_.Begin(*context, Method("ErasePerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto erased = persons_.Erase(*call, *request);
  if (!erased.ok()) return ToGrpcStatus(erased.status());
  *response = std::move(*erased);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::RecordIncident(
    grpc::ServerContext* context, const kvo::v1::RecordIncidentRequest* request,
    kvo::v1::Incident* response) {
  auto call = guard_.Begin(*context, Method("RecordIncident"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto incident = incidents_.Record(*call, *request);
  if (!incident.ok()) return ToGrpcStatus(incident.status());
  *response = std::move(*incident);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::RecordPoliceReport(
    grpc::ServerContext* context,
    const kvo::v1::RecordPoliceReportRequest* request,
    kvo::v1::Incident* response) {
  auto call = guard_.Begin(*context, Method("RecordPoliceReport"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto incident = police_reports_.Record(*call, *request);
  if (!incident.ok()) return ToGrpcStatus(incident.status());
  *response = std::move(*incident);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetPoliceReportPdf(
    grpc::ServerContext* context,
    const kvo::v1::GetPoliceReportPdfRequest* request,
    kvo::v1::PoliceReportPdf* response) {
  auto call = guard_.Begin(*context, Method("GetPoliceReportPdf"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto pdf = police_reports_.Pdf(*call, *request);
  if (!pdf.ok()) return ToGrpcStatus(pdf.status());
  response->set_pdf(std::move(*pdf));
  return grpc::Status::OK;
}

// ---- cards ---------------------------------------------------------------

grpc::Status RegistryServiceImpl::IssueCard(
    grpc::ServerContext* context, const kvo::v1::IssueCardRequest* request,
    kvo::v1::Card* response) {
  auto call = guard_.Begin(*context, Method("IssueCard"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto card = card_issuing_.Issue(*call, *request);
  if (!card.ok()) return ToGrpcStatus(card.status());
  *response = std::move(*card);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::RevokeCard(
    grpc::ServerContext* context, const kvo::v1::RevokeCardRequest* request,
    kvo::v1::Card* response) {
  auto call = guard_.Begin(*context, Method("RevokeCard"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto card = card_revoking_.Revoke(*call, *request);
  if (!card.ok()) return ToGrpcStatus(card.status());
  *response = std::move(*card);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListCards(
    grpc::ServerContext* context, const kvo::v1::ListCardsRequest* request,
    kvo::v1::ListCardsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListCards"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  for (auto s : {ValidateListCardsRequest(*request),
                 guard_.CheckAreas(*call, {request->area_id()})}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  const bool shop_role = IsShopRole(call->caller.role);
  if (shop_role && request->include_inactive()) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "include_inactive: shops see current cards only"));
  }
  const auto visible = VisibleFields(policy_, call->caller.role);
  const absl::Time now = clock_.Now();
  Vault vault(keys_);
  auto cards = pool_.InTransaction(
      "list cards",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<kvo::v1::Card>> {
        std::set<int64_t> own_shops;
        if (call->caller.role == kvo::v1::ROLE_SHOPKEEPER) {
          for (int64_t s :
               Store::ShopsOfPrincipal(tx, call->caller.principal_id)) {
            own_shops.insert(s);
          }
        }
        std::vector<kvo::v1::Card> out;
        std::vector<std::string> subjects;
        std::map<int64_t, kvo::v1::Person> people;
        std::set<int64_t> broken;
        const auto cards = Store::CardsOfArea(tx, request->area_id(),
                                              request->include_inactive(),
                                              request->person_id(), now);
        std::vector<int64_t> person_ids;
        for (const CardRow& c : cards) person_ids.push_back(c.person_id);
        if (auto s = vault.Prefetch(person_ids); !s.ok()) return s;
        for (const CardRow& c : cards) {
          // Shops see collective cards, and their own individual bans.
          if (shop_role && c.kind == "individual_ban" &&
              !own_shops.contains(c.shop_id)) {
            continue;
          }
          if (broken.contains(c.person_id)) continue;
          auto it = people.find(c.person_id);
          if (it == people.end()) {
            auto row = Store::PersonById(tx, c.person_id);
            kvo::v1::Person view;
            if (row->erased) {
              // Erased: the card stays, nothing of the person does.
              view = PersonView(policy_, OpenPerson{*row, {}, {}}, {}, now);
            } else {
              auto open = vault.Open(tx, *row, visible);
              if (!open.ok() && SkipInList(open.status())) {
                RaiseIntegrityAlarm(tx, guard_, *call, "registry.list_cards",
                                    *row, open.status());
                broken.insert(c.person_id);
                continue;
              }
              if (!open.ok()) return open.status();
              subjects.push_back(Subject(*row));
              view = PersonView(policy_, *open, visible, now);
            }
            it = people.emplace(c.person_id, std::move(view)).first;
          }
          kvo::v1::Card card = CardToProto(c);
          *card.mutable_person() = it->second;
          out.push_back(std::move(card));
        }
        // One entry for what this call disclosed; nothing disclosed, nothing
        // logged.
        if (!subjects.empty()) {
          PgAuditStore::Append(
              tx, guard_.Record(*call, "registry.list_cards",
                                audit::JoinSubjects(subjects),
                                shop_role ? "door check" : "card overview"));
        }
        return out;
      });
  if (!cards.ok()) return ToGrpcStatus(cards.status());
  for (auto& c : *cards) *response->add_cards() = std::move(c);
  return grpc::Status::OK;
}

// ---- notice --------------------------------------------------------------

grpc::Status RegistryServiceImpl::GetNotice(
    grpc::ServerContext* context, const kvo::v1::GetNoticeRequest* request,
    kvo::v1::Notice* response) {
  auto call = guard_.Begin(*context, Method("GetNotice"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto pdf = notices_.Write(*call, *request);
  if (!pdf.ok()) return ToGrpcStatus(pdf.status());
  response->set_pdf(std::move(*pdf));
  return grpc::Status::OK;
}

// ---- objections ----------------------------------------------------------

grpc::Status RegistryServiceImpl::FileObjection(
    grpc::ServerContext* context, const kvo::v1::FileObjectionRequest* request,
    kvo::v1::Objection* response) {
  auto call = guard_.Begin(*context, Method("FileObjection"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto filed = objections_.File(*call, *request);
  if (!filed.ok()) return ToGrpcStatus(filed.status());
  *response = std::move(*filed);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::DecideObjection(
    grpc::ServerContext* context,
    const kvo::v1::DecideObjectionRequest* request,
    kvo::v1::Objection* response) {
  auto call = guard_.Begin(*context, Method("DecideObjection"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto decided = objections_.Decide(*call, *request);
  if (!decided.ok()) return ToGrpcStatus(decided.status());
  *response = std::move(*decided);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListObjections(
    grpc::ServerContext* context, const kvo::v1::ListObjectionsRequest* request,
    kvo::v1::ListObjectionsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListObjections"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto list = objections_.List(*call, *request);
  if (!list.ok()) return ToGrpcStatus(list.status());
  for (auto& o : *list) *response->add_objections() = std::move(o);
  return grpc::Status::OK;
}

// ---- incident list -------------------------------------------------------

grpc::Status RegistryServiceImpl::ListIncidents(
    grpc::ServerContext* context, const kvo::v1::ListIncidentsRequest* request,
    kvo::v1::ListIncidentsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListIncidents"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  // A use case of references only: made per call, nothing to wire.
  IncidentListing listing(pool_, guard_, keys_);
  auto listed = listing.List(*call, *request);
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  *response = std::move(*listed);
  return grpc::Status::OK;
}

}  // namespace kvo::registry
