#include "services/registry/objection_handling.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/proto_time.h"
#include "services/registry/card_lookup.h"
#include "services/registry/integrity_alarm.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using audit::PgAuditStore;
using common::ToProto;
using identity::Call;
using Store = PgRegistryStore;

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

ObjectionHandling::ObjectionHandling(const kvo::v1::Policy& policy,
                                     common::DbPool& pool,
                                     identity::RpcGuard& guard,
                                     const KeyRing& keys,
                                     CardChangeSink& card_changes,
                                     const common::Clock& clock)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      card_changes_(card_changes),
      clock_(clock) {}

absl::StatusOr<kvo::v1::Objection> ObjectionHandling::File(
    const Call& call, const kvo::v1::FileObjectionRequest& request) {
  auto card = ReadCard(pool_, request.card_id());
  if (!card.ok()) return card.status();
  for (auto s : {guard_.CheckAreas(call, {card->area_id}),
                 ValidateFileObjectionRequest(request)}) {
    if (!s.ok()) return s;
  }
  Vault vault(keys_);
  return pool_.InTransaction(
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
                       request.grounds()),
            call.caller.principal_id, filed_at, respond_by);
        PgAuditStore::Append(
            tx, guard_.Record(
                    call, "registry.file_objection", AuditSubject(*row),
                    absl::StrCat("objection ", id, " to card ", card->id)));
        return ObjectionToProto(vault, *person, *Store::ObjectionById(tx, id));
      });
}

absl::StatusOr<kvo::v1::Objection> ObjectionHandling::Decide(
    const Call& call, const kvo::v1::DecideObjectionRequest& request) {
  if (auto s = RequireId("objection_id", request.objection_id()); !s.ok()) {
    return s;
  }
  auto objection = pool_.InTransaction(
      "read objection", [&](pqxx::work& tx) -> absl::StatusOr<ObjectionRow> {
        auto o = Store::ObjectionById(tx, request.objection_id());
        if (!o) {
          return absl::NotFoundError(absl::StrCat("objection_id: objection ",
                                                  request.objection_id(),
                                                  " not found"));
        }
        return *o;
      });
  if (!objection.ok()) return objection.status();
  for (auto s : {guard_.CheckAreas(call, {objection->area_id}),
                 ValidateDecideObjectionRequest(request)}) {
    if (!s.ok()) return s;
  }
  Vault vault(keys_);
  std::vector<ChangedCard> changes;
  auto decided = pool_.InTransaction(
      "decide objection",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Objection> {
        changes.clear();
        auto o = Store::ObjectionForUpdate(tx, objection->id);
        if (!o->decision.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "objection ", o->id, " was decided already (", o->decision, ")"));
        }
        auto row = Store::PersonById(tx, o->person_id);
        auto person = vault.Open(tx, *row, {});
        if (!person.ok()) return person.status();
        const std::string decision = request.upheld() ? "upheld" : "rejected";
        const absl::Time now = clock_.Now();
        Store::DecideObjection(
            tx, o->id, decision,
            vault.Seal(*person, ObjectionField(o->card_id, "reasons"),
                       request.reasons()),
            call.caller.principal_id, now);
        std::string purpose = absl::StrCat("objection ", o->id, " ", decision);
        // Upheld: the card goes. Its reason names the objection, not the
        // coordinator's words (those stay sealed). A ban that rests on the
        // card (escalated from the warning objected to) has lost its
        // ground and goes with it.
        if (request.upheld()) {
          Store::RevokeCard(tx, o->card_id, call.caller.principal_id,
                            absl::StrCat("objection ", o->id, " upheld"), now);
          std::vector<CardRow> revoked = {*Store::CardById(tx, o->card_id)};
          std::vector<std::string> bans;
          for (const CardRow& ban : Store::BansResting(tx, o->card_id)) {
            Store::RevokeCard(
                tx, ban.id, call.caller.principal_id,
                absl::StrCat("objection ", o->id, " to warning ", o->card_id,
                             " upheld: the ban rested on that warning"),
                now);
            revoked.push_back(*Store::CardById(tx, ban.id));
            bans.push_back(absl::StrCat(ban.id));
          }
          if (!bans.empty()) {
            absl::StrAppend(&purpose, "; card ", o->card_id,
                            " revoked and the ban", bans.size() > 1 ? "s" : "",
                            " resting on it (card ", absl::StrJoin(bans, ", "),
                            ")");
          }
          changes = ReportChanges(card_changes_, tx, revoked);
        }
        PgAuditStore::Append(tx,
                             guard_.Record(call, "registry.decide_objection",
                                           AuditSubject(*row), purpose));
        return ObjectionToProto(vault, *person,
                                *Store::ObjectionById(tx, o->id));
      });
  if (!decided.ok()) return decided.status();
  card_changes_.CardsCommitted(changes);
  return decided;
}

absl::StatusOr<std::vector<kvo::v1::Objection>> ObjectionHandling::List(
    const Call& call, const kvo::v1::ListObjectionsRequest& request) {
  for (auto s : {ValidateListObjectionsRequest(request),
                 guard_.CheckAreas(call, {request.area_id()})}) {
    if (!s.ok()) return s;
  }
  Vault vault(keys_);
  return pool_.InTransaction(
      "list objections",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<kvo::v1::Objection>> {
        std::vector<kvo::v1::Objection> out;
        std::vector<std::string> subjects;
        const auto objections =
            Store::ObjectionsOfArea(tx, request.area_id(), request.open_only());
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
            RaiseIntegrityAlarm(tx, guard_, call, "registry.list_objections",
                                *row, proto.status());
            continue;
          }
          if (!proto.ok()) return proto.status();
          subjects.push_back(AuditSubject(*row));
          out.push_back(std::move(*proto));
        }
        if (!subjects.empty()) {
          PgAuditStore::Append(
              tx, guard_.Record(call, "registry.list_objections",
                                audit::JoinSubjects(subjects), "objections"));
        }
        return out;
      });
}

}  // namespace kvo::registry
