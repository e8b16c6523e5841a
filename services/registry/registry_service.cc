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
#include "services/notice/notice_pdf.h"
#include "services/registry/card_changes.h"
#include "services/registry/card_rules.h"
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
using common::Amsterdam;
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

std::string LocalDate(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, Amsterdam());
}

bool IsShopRole(kvo::v1::Role role) {
  return role == kvo::v1::ROLE_SHOPKEEPER || role == kvo::v1::ROLE_SECURITY;
}

}  // namespace

RegistryServiceImpl::RegistryServiceImpl(
    const kvo::v1::Policy& policy, common::DbPool& pool,
    identity::RpcGuard& guard, const KeyRing& keys,
    CardChangeSink& card_changes, const common::Clock& clock,
    IncidentRecording& incidents, CardIssuing& card_issuing,
    const NoticeClaims* notice_claims)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      card_changes_(card_changes),
      clock_(clock),
      incidents_(incidents),
      card_issuing_(card_issuing),
      notice_claims_(notice_claims) {}

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
  auto updated = pool_.InTransaction(
      "add shop member", [&](pqxx::work& tx) -> absl::StatusOr<ShopRow> {
        auto who = identity::PgIdentityStore::PrincipalById(
            tx, request->principal_id());
        if (!who) {
          return absl::NotFoundError(absl::StrCat("principal_id: principal ",
                                                  request->principal_id(),
                                                  " not found"));
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
        PgAuditStore::Append(tx,
                             guard_.Record(*call, "registry.add_shop_member",
                                           absl::StrCat("principal:", who->id),
                                           "administration"));
        return *Store::ShopById(tx, shop->id);
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  *response = ShopToProto(*updated);
  return grpc::Status::OK;
}

// ---- persons -------------------------------------------------------------

grpc::Status RegistryServiceImpl::FindPerson(
    grpc::ServerContext* context, const kvo::v1::FindPersonRequest* request,
    kvo::v1::FindPersonResponse* response) {
  auto call = guard_.Begin(*context, Method("FindPerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto normalized = ValidateFindPersonRequest(*request);
  if (!normalized.ok()) return ToGrpcStatus(normalized.status());
  const std::string blind = common::BlindIndex(keys_.blind_key(), *normalized);
  const auto visible = VisibleFields(policy_, call->caller.role);
  Vault vault(keys_);
  auto found = pool_.InTransaction(
      "find person",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<kvo::v1::Person>> {
        std::vector<kvo::v1::Person> out;
        std::vector<std::string> subjects;
        for (const PersonRow& row : Store::PersonsByBlindIndex(tx, blind)) {
          subjects.push_back(Subject(row));
          const auto areas = Store::PersonAreas(tx, row.id);
          const bool known_here =
              std::any_of(areas.begin(), areas.end(),
                          [&](int64_t a) { return call->caller.InArea(a); });
          // Elsewhere the match is only named: enough not to register a
          // duplicate, nothing more.
          auto open = vault.Open(
              tx, row, known_here ? visible : std::vector<std::string>{});
          if (!open.ok() && SkipInList(open.status())) {
            // Still named, so that nobody registers the person twice.
            RaiseIntegrityAlarm(tx, guard_, *call, "registry.find_person", row,
                                open.status());
            out.push_back(
                PersonView(policy_, OpenPerson{row, {}, {}}, {}, clock_.Now()));
            continue;
          }
          if (!open.ok()) return open.status();
          out.push_back(PersonView(
              policy_, *open, known_here ? visible : std::vector<std::string>{},
              clock_.Now()));
        }
        PgAuditStore::Append(tx,
                             guard_.Record(*call, "registry.find_person",
                                           audit::JoinSubjects(subjects),
                                           "find a record before registering"));
        return out;
      });
  if (!found.ok()) return ToGrpcStatus(found.status());
  for (auto& p : *found) *response->add_matches() = std::move(p);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::CreatePerson(
    grpc::ServerContext* context, const kvo::v1::CreatePersonRequest* request,
    kvo::v1::Person* response) {
  auto call = guard_.Begin(*context, Method("CreatePerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = RequireId("area_id", request->area_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (auto s = guard_.CheckAreas(*call, {request->area_id()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto input = ValidateCreatePersonRequest(policy_, *request, clock_.Now());
  if (!input.ok()) return ToGrpcStatus(input.status());
  const std::string blind =
      common::BlindIndex(keys_.blind_key(), input->normalized);
  const std::string pseudonym = common::HexEncode(common::RandomBytes(16));
  Vault vault(keys_);
  auto created = pool_.InTransaction(
      "create person", [&](pqxx::work& tx) -> absl::StatusOr<OpenPerson> {
        if (!identity::PgIdentityStore::MissingAreas(tx, {request->area_id()})
                 .empty()) {
          return absl::NotFoundError(absl::StrCat(
              "area_id: area ", request->area_id(), " does not exist"));
        }
        const auto matches = Store::PersonsByBlindIndex(tx, blind);
        if (!matches.empty() && !request->distinct_from_matches()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "a person with this name and date of birth is registered "
              "already (person ",
              matches.front().id,
              "): use that record, or set distinct_from_matches if this is "
              "someone else"));
        }
        OpenPerson p;
        p.row.id = Store::InsertPerson(tx, pseudonym, blind, request->area_id(),
                                       call->caller.principal_id, clock_.Now());
        p.row.pseudonym = pseudonym;
        p.row.registered_area_id = request->area_id();
        // The key store has the key before this commits; a rollback leaves
        // only a key for an id that never existed.
        auto key = keys_.CreateDataKey(p.row.id);
        if (!key.ok()) return key.status();
        p.key = std::move(*key);
        for (const auto& [field, value] : input->fields) {
          Store::InsertPersonField(tx, p.row.id, field,
                                   vault.Seal(p, field, value));
        }
        p.fields = input->fields;
        PgAuditStore::Append(tx, guard_.Record(*call, "registry.create_person",
                                               Subject(p.row), "registration"));
        return p;
      });
  if (!created.ok()) return ToGrpcStatus(created.status());
  *response =
      PersonView(policy_, *created, VisibleFields(policy_, call->caller.role),
                 clock_.Now());
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetPerson(
    grpc::ServerContext* context, const kvo::v1::GetPersonRequest* request,
    kvo::v1::Person* response) {
  auto call = guard_.Begin(*context, Method("GetPerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateGetPersonRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto areas = pool_.InTransaction(
      "person areas",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<int64_t>> {
        if (!Store::PersonById(tx, request->person_id())) {
          return absl::NotFoundError(absl::StrCat(
              "person_id: person ", request->person_id(), " not found"));
        }
        return Store::PersonAreas(tx, request->person_id());
      });
  if (!areas.ok()) return ToGrpcStatus(areas.status());
  // Known in one of the caller's areas is enough; otherwise the refusal
  // names (and audits) an area of the person's.
  auto mine = std::find_if(areas->begin(), areas->end(),
                           [&](int64_t a) { return call->caller.InArea(a); });
  if (auto s = guard_.CheckAreas(
          *call, {mine != areas->end() ? *mine : areas->front()});
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const auto visible = VisibleFields(policy_, call->caller.role);
  Vault vault(keys_);
  auto person = pool_.InTransaction(
      "read person", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Person> {
        auto row = Store::PersonById(tx, request->person_id());
        auto open = vault.Open(tx, *row, visible);
        if (!open.ok()) return open.status();
        PgAuditStore::Append(tx, guard_.Record(*call, "registry.read_person",
                                               Subject(*row), "person record"));
        return PersonView(policy_, *open, visible, clock_.Now());
      });
  if (!person.ok()) {
    if (person.status().code() == absl::StatusCode::kDataLoss) {
      guard_.AuditAlone(
          guard_.Record(*call, "registry.read_person",
                        absl::StrCat("person_id:", request->person_id()),
                        "person record", Outcome::kError));
    }
    return ToGrpcStatus(person.status());
  }
  *response = std::move(*person);
  return grpc::Status::OK;
}

// ---- incidents -----------------------------------------------------------

grpc::Status RegistryServiceImpl::ErasePerson(
    grpc::ServerContext* context, const kvo::v1::ErasePersonRequest* request,
    kvo::v1::ErasePersonResponse* response) {
  auto call = guard_.Begin(*context, Method("ErasePerson"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateErasePersonRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  struct Erased {
    absl::Status refusal;
    PersonRow row;
    int cards = 0;
    std::vector<ChangedCard> changes;
  };
  auto erased = pool_.InTransaction(
      "erase person", [&](pqxx::work& tx) -> absl::StatusOr<Erased> {
        auto row = Store::PersonForUpdate(tx, request->person_id());
        if (!row) {
          return absl::NotFoundError(absl::StrCat(
              "person_id: person ", request->person_id(), " not found"));
        }
        if (auto s = guard_.CheckAreasIn(tx, *call, {row->registered_area_id});
            !s.ok()) {
          return Erased{s, {}, 0, {}};
        }
        if (row->erased) {
          return absl::FailedPreconditionError(
              absl::StrCat("person ", row->id, " was erased already"));
        }
        Erasure e = registry::ErasePerson(
            tx, card_changes_, *row, call->caller.principal_id, clock_.Now());
        PgAuditStore::Append(
            tx, guard_.Record(*call, "registry.erase_person", Subject(*row),
                              request->reason()));
        return Erased{absl::OkStatus(), *row, e.cards_revoked,
                      std::move(e.changes)};
      });
  if (!erased.ok()) return ToGrpcStatus(erased.status());
  if (!erased->refusal.ok()) return ToGrpcStatus(erased->refusal);
  card_changes_.CardsCommitted(erased->changes);
  DestroyErasedKeys(pool_, keys_, {erased->row.id});
  response->set_person_id(erased->row.id);
  response->set_pseudonym(erased->row.pseudonym);
  response->set_cards_revoked(erased->cards);
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

// ---- cards ---------------------------------------------------------------

namespace {

absl::StatusOr<CardRow> ReadCard(common::DbPool& pool, int64_t card_id) {
  if (auto s = RequireId("card_id", card_id); !s.ok()) return s;
  return pool.InTransaction(
      "read card", [&](pqxx::work& tx) -> absl::StatusOr<CardRow> {
        auto card = Store::CardById(tx, card_id);
        if (!card) {
          return absl::NotFoundError(
              absl::StrCat("card_id: card ", card_id, " not found"));
        }
        return *card;
      });
}

}  // namespace

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
  auto card = ReadCard(pool_, request->card_id());
  if (!card.ok()) return ToGrpcStatus(card.status());
  for (auto s : {guard_.CheckAreas(*call, {card->area_id}),
                 ValidateRevokeCardRequest(*request)}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  std::vector<ChangedCard> changes;
  auto revoked = pool_.InTransaction(
      "revoke card", [&](pqxx::work& tx) -> absl::StatusOr<CardRow> {
        if (!Store::RevokeCard(tx, card->id, call->caller.principal_id,
                               request->reason(), clock_.Now())) {
          return absl::FailedPreconditionError(
              absl::StrCat("card ", card->id, " is revoked already"));
        }
        auto person = Store::PersonById(tx, card->person_id);
        PgAuditStore::Append(
            tx, guard_.Record(*call, "registry.revoke_card", Subject(*person),
                              absl::StrCat("card ", card->id, " revoked")));
        CardRow now = *Store::CardById(tx, card->id);
        changes = ReportChanges(card_changes_, tx, {now});
        return now;
      });
  if (!revoked.ok()) return ToGrpcStatus(revoked.status());
  card_changes_.CardsCommitted(changes);
  *response = CardToProto(*revoked);
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
  auto card = ReadCard(pool_, request->card_id());
  if (!card.ok()) return ToGrpcStatus(card.status());
  if (auto s = guard_.CheckAreas(*call, {card->area_id}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto language = ValidateGetNoticeRequest(*request);
  if (!language.ok()) return ToGrpcStatus(language.status());
  Vault vault(keys_);
  auto notice = pool_.InTransaction(
      "notice", [&](pqxx::work& tx) -> absl::StatusOr<notice::NoticeData> {
        auto row = Store::PersonById(tx, card->person_id);
        auto person = vault.Open(
            tx, *row,
            {"given_names", "surname_prefix", "surname", "date_of_birth"});
        if (!person.ok()) return person.status();
        auto incident = Store::IncidentById(tx, card->incident_id);
        auto summary =
            vault.OpenValue(*person, IncidentField(incident->id, "description"),
                            incident->sealed_description);
        if (!summary.ok()) return summary.status();
        const auto areas =
            identity::PgIdentityStore::ListAreas(tx, {card->area_id}, false);
        notice::NoticeData d;
        d.language = *language;
        d.card_id = card->id;
        d.card_kind = card->kind;
        std::vector<std::string> name;
        for (const char* f : {"given_names", "surname_prefix", "surname"}) {
          if (!person->fields[f].empty()) name.push_back(person->fields[f]);
        }
        d.person_name = absl::StrJoin(name, " ");
        d.date_of_birth = person->fields["date_of_birth"];
        d.minor = IsMinor(policy_, d.date_of_birth, clock_.Now());
        for (const auto& t : policy_.offence_types()) {
          if (t.code() == incident->offence_type) {
            d.offence_label = *language == "en" ? t.label_en() : t.label_nl();
          }
        }
        d.incident_date = LocalDate(incident->occurred_at);
        d.incident_summary = *summary;
        if (!areas.empty()) {
          d.area_name = areas.front().name();
          d.municipality = areas.front().municipality();
        }
        d.shops = card->shops;
        d.valid_from = LocalDate(card->valid_from);
        d.valid_until = LocalDate(card->valid_until);
        d.objection_deadline = LocalDate(
            card->valid_from +
            absl::Hours(24 * policy_.privacy().subject_request_days()));
        d.objection_address =
            absl::StrCat("KVO-coördinator ", d.area_name, ", ", d.municipality);
        d.issued_by = absl::StrCat("KVO ", d.area_name, ", ", d.municipality);
        if (notice_claims_ != nullptr) {
          NoticeClaim claim =
              notice_claims_->ForIncident(tx, incident->id, row->id, *language);
          d.donation_heading = std::move(claim.heading);
          d.donation_lines = std::move(claim.lines);
        }
        PgAuditStore::Append(
            tx, guard_.Record(*call, "registry.notice", Subject(*row),
                              "written notice to the person"));
        return d;
      });
  if (!notice.ok()) return ToGrpcStatus(notice.status());
  auto pdf = notice::RenderNoticePdf(*notice);
  if (!pdf.ok()) return ToGrpcStatus(pdf.status());
  response->set_pdf(std::move(*pdf));
  return grpc::Status::OK;
}

// ---- objections ----------------------------------------------------------

namespace {

absl::StatusOr<kvo::v1::Objection> ObjectionToProto(const Vault& vault,
                                                    const OpenPerson& person,
                                                    const ObjectionRow& o) {
  kvo::v1::Objection out;
  out.set_id(o.id);
  out.set_card_id(o.card_id);
  *out.mutable_filed_at() = ToProto(o.filed_at);
  *out.mutable_respond_by() = ToProto(o.respond_by);
  out.set_decision(o.decision);
  if (o.decided_at.has_value())
    *out.mutable_decided_at() = ToProto(*o.decided_at);
  // Erased: grounds and reasons went with the person's key.
  if (person.row.erased) return out;
  auto grounds = vault.OpenValue(person, ObjectionField(o.card_id, "grounds"),
                                 o.sealed_grounds);
  if (!grounds.ok()) return grounds.status();
  out.set_grounds(*grounds);
  if (o.sealed_reasons.has_value()) {
    auto reasons = vault.OpenValue(person, ObjectionField(o.card_id, "reasons"),
                                   *o.sealed_reasons);
    if (!reasons.ok()) return reasons.status();
    out.set_reasons(*reasons);
  }
  return out;
}

}  // namespace

grpc::Status RegistryServiceImpl::FileObjection(
    grpc::ServerContext* context, const kvo::v1::FileObjectionRequest* request,
    kvo::v1::Objection* response) {
  auto call = guard_.Begin(*context, Method("FileObjection"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto card = ReadCard(pool_, request->card_id());
  if (!card.ok()) return ToGrpcStatus(card.status());
  for (auto s : {guard_.CheckAreas(*call, {card->area_id}),
                 ValidateFileObjectionRequest(*request)}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  Vault vault(keys_);
  auto filed = pool_.InTransaction(
      "file objection",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Objection> {
        auto row = Store::PersonById(tx, card->person_id);
        auto person = vault.Open(tx, *row, {});
        if (!person.ok()) return person.status();
        const absl::Time filed_at = clock_.Now();
        const absl::Time respond_by =
            filed_at +
            absl::Hours(24 * policy_.privacy().subject_request_days());
        const int64_t id = Store::InsertObjection(
            tx, card->id,
            vault.Seal(*person, ObjectionField(card->id, "grounds"),
                       request->grounds()),
            call->caller.principal_id, filed_at, respond_by);
        PgAuditStore::Append(
            tx, guard_.Record(
                    *call, "registry.file_objection", Subject(*row),
                    absl::StrCat("objection ", id, " to card ", card->id)));
        return ObjectionToProto(vault, *person, *Store::ObjectionById(tx, id));
      });
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
  if (auto s = RequireId("objection_id", request->objection_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto objection = pool_.InTransaction(
      "read objection", [&](pqxx::work& tx) -> absl::StatusOr<ObjectionRow> {
        auto o = Store::ObjectionById(tx, request->objection_id());
        if (!o) {
          return absl::NotFoundError(absl::StrCat("objection_id: objection ",
                                                  request->objection_id(),
                                                  " not found"));
        }
        return *o;
      });
  if (!objection.ok()) return ToGrpcStatus(objection.status());
  for (auto s : {guard_.CheckAreas(*call, {objection->area_id}),
                 ValidateDecideObjectionRequest(*request)}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  Vault vault(keys_);
  std::vector<ChangedCard> changes;
  auto decided = pool_.InTransaction(
      "decide objection",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Objection> {
        auto o = Store::ObjectionForUpdate(tx, objection->id);
        if (!o->decision.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "objection ", o->id, " was decided already (", o->decision, ")"));
        }
        auto row = Store::PersonById(tx, o->person_id);
        auto person = vault.Open(tx, *row, {});
        if (!person.ok()) return person.status();
        const std::string decision = request->upheld() ? "upheld" : "rejected";
        const absl::Time now = clock_.Now();
        Store::DecideObjection(
            tx, o->id, decision,
            vault.Seal(*person, ObjectionField(o->card_id, "reasons"),
                       request->reasons()),
            call->caller.principal_id, now);
        // Upheld: the card goes. Its reason names the objection, not the
        // coordinator's words (those stay sealed).
        if (request->upheld()) {
          Store::RevokeCard(tx, o->card_id, call->caller.principal_id,
                            absl::StrCat("objection ", o->id, " upheld"), now);
          changes = ReportChanges(card_changes_, tx,
                                  {*Store::CardById(tx, o->card_id)});
        }
        PgAuditStore::Append(
            tx,
            guard_.Record(*call, "registry.decide_objection", Subject(*row),
                          absl::StrCat("objection ", o->id, " ", decision)));
        return ObjectionToProto(vault, *person,
                                *Store::ObjectionById(tx, o->id));
      });
  if (!decided.ok()) return ToGrpcStatus(decided.status());
  card_changes_.CardsCommitted(changes);
  *response = std::move(*decided);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListObjections(
    grpc::ServerContext* context, const kvo::v1::ListObjectionsRequest* request,
    kvo::v1::ListObjectionsResponse* response) {
  auto call = guard_.Begin(*context, Method("ListObjections"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  for (auto s : {ValidateListObjectionsRequest(*request),
                 guard_.CheckAreas(*call, {request->area_id()})}) {
    if (!s.ok()) return ToGrpcStatus(s);
  }
  Vault vault(keys_);
  auto list = pool_.InTransaction(
      "list objections",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<kvo::v1::Objection>> {
        std::vector<kvo::v1::Objection> out;
        std::vector<std::string> subjects;
        const auto objections = Store::ObjectionsOfArea(tx, request->area_id(),
                                                        request->open_only());
        std::vector<int64_t> person_ids;
        for (const ObjectionRow& o : objections) {
          person_ids.push_back(o.person_id);
        }
        if (auto s = vault.Prefetch(person_ids); !s.ok()) return s;
        for (const ObjectionRow& o : objections) {
          auto row = Store::PersonById(tx, o.person_id);
          if (row->erased) {
            // Erased: the dates and decision stay, nothing of the person.
            out.push_back(*ObjectionToProto(vault, {*row, {}, {}}, o));
            continue;
          }
          auto person = vault.Open(tx, *row, {});
          auto proto =
              person.ok() ? ObjectionToProto(vault, *person, o)
                          : absl::StatusOr<kvo::v1::Objection>(person.status());
          if (!proto.ok() && SkipInList(proto.status())) {
            RaiseIntegrityAlarm(tx, guard_, *call, "registry.list_objections",
                                *row, proto.status());
            continue;
          }
          if (!proto.ok()) return proto.status();
          subjects.push_back(Subject(*row));
          out.push_back(std::move(*proto));
        }
        if (!subjects.empty()) {
          PgAuditStore::Append(
              tx, guard_.Record(*call, "registry.list_objections",
                                audit::JoinSubjects(subjects), "objections"));
        }
        return out;
      });
  if (!list.ok()) return ToGrpcStatus(list.status());
  for (auto& o : *list) *response->add_objections() = std::move(o);
  return grpc::Status::OK;
}

}  // namespace kvo::registry
