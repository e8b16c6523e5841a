#include "services/registry/person_records.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/identity/pg_identity_store.h"
#include "services/registry/integrity_alarm.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {

using audit::Outcome;
using audit::PgAuditStore;
using Store = PgRegistryStore;

absl::StatusOr<kvo::v1::Person> PersonRecords::Create(
    const identity::Call& call, const kvo::v1::CreatePersonRequest& request) {
  if (auto s = RequireId("area_id", request.area_id()); !s.ok()) {
    return s;
  }
  if (auto s = guard_.CheckAreas(call, {request.area_id()}); !s.ok()) {
    return s;
  }
  auto input = ValidateCreatePersonRequest(policy_, request, clock_.Now());
  if (!input.ok()) return input.status();
  const std::string blind =
      common::BlindIndex(keys_.blind_key(), input->normalized);
  const std::string pseudonym = common::HexEncode(common::RandomBytes(16));
  Vault vault(keys_);
  auto created = pool_.InTransaction(
      "create person", [&](pqxx::work& tx) -> absl::StatusOr<OpenPerson> {
        if (!identity::PgIdentityStore::MissingAreas(tx, {request.area_id()})
                 .empty()) {
          return absl::NotFoundError(absl::StrCat(
              "area_id: area ", request.area_id(), " does not exist"));
        }
        const auto matches = Store::PersonsByBlindIndex(tx, blind);
        if (!matches.empty() && !request.distinct_from_matches()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "a person with this name and date of birth is registered "
              "already (person ",
              matches.front().id,
              "): use that record, or set distinct_from_matches if this is "
              "someone else"));
        }
        OpenPerson p;
        p.row.id = Store::InsertPerson(tx, pseudonym, blind, request.area_id(),
                                       call.caller.principal_id, clock_.Now());
        p.row.pseudonym = pseudonym;
        p.row.registered_area_id = request.area_id();
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
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.create_person",
                              AuditSubject(p.row), "registration"));
        return p;
      });
  if (!created.ok()) return created.status();
  return PersonView(policy_, *created, VisibleFields(policy_, call.caller.role),
                    clock_.Now());
}

absl::StatusOr<kvo::v1::FindPersonResponse> PersonRecords::Find(
    const identity::Call& call, const kvo::v1::FindPersonRequest& request) {
  auto normalized = ValidateFindPersonRequest(request);
  if (!normalized.ok()) return normalized.status();
  const std::string blind = common::BlindIndex(keys_.blind_key(), *normalized);
  const auto visible = VisibleFields(policy_, call.caller.role);
  Vault vault(keys_);
  return pool_.InTransaction(
      "find person",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::FindPersonResponse> {
        kvo::v1::FindPersonResponse out;
        std::vector<std::string> subjects;
        for (const PersonRow& row : Store::PersonsByBlindIndex(tx, blind)) {
          subjects.push_back(AuditSubject(row));
          const auto areas = Store::PersonAreas(tx, row.id);
          const bool known_here =
              std::any_of(areas.begin(), areas.end(),
                          [&](int64_t a) { return call.caller.InArea(a); });
          // Elsewhere the match is only named: enough not to register a
          // duplicate, nothing more.
          auto open = vault.Open(
              tx, row, known_here ? visible : std::vector<std::string>{});
          if (!open.ok() && SkipInList(open.status())) {
            // Still named, so that nobody registers the person twice.
            RaiseIntegrityAlarm(tx, guard_, call, "registry.find_person", row,
                                open.status());
            *out.add_matches() =
                PersonView(policy_, OpenPerson{row, {}, {}}, {}, clock_.Now());
            continue;
          }
          if (!open.ok()) return open.status();
          *out.add_matches() = PersonView(
              policy_, *open, known_here ? visible : std::vector<std::string>{},
              clock_.Now());
        }
        PgAuditStore::Append(tx, guard_.Record(call, "registry.find_person",
                                               audit::JoinSubjects(subjects),
                                               "find a record before "
                                               "registering"));
        return out;
      });
}

absl::StatusOr<kvo::v1::Person> PersonRecords::Get(
    const identity::Call& call, const kvo::v1::GetPersonRequest& request) {
  if (auto s = ValidateGetPersonRequest(request); !s.ok()) {
    return s;
  }
  auto areas = pool_.InTransaction(
      "person areas",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<int64_t>> {
        if (!Store::PersonById(tx, request.person_id())) {
          return absl::NotFoundError(absl::StrCat(
              "person_id: person ", request.person_id(), " not found"));
        }
        return Store::PersonAreas(tx, request.person_id());
      });
  if (!areas.ok()) return areas.status();
  // Known in one of the caller's areas is enough; otherwise the refusal
  // names (and audits) an area of the person's.
  auto mine = std::find_if(areas->begin(), areas->end(),
                           [&](int64_t a) { return call.caller.InArea(a); });
  if (auto s = guard_.CheckAreas(
          call, {mine != areas->end() ? *mine : areas->front()});
      !s.ok()) {
    return s;
  }
  const auto visible = VisibleFields(policy_, call.caller.role);
  Vault vault(keys_);
  auto person = pool_.InTransaction(
      "read person", [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::Person> {
        auto row = Store::PersonById(tx, request.person_id());
        auto open = vault.Open(tx, *row, visible);
        if (!open.ok()) return open.status();
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.read_person", AuditSubject(*row),
                              "person record"));
        return PersonView(policy_, *open, visible, clock_.Now());
      });
  if (!person.ok()) {
    if (person.status().code() == absl::StatusCode::kDataLoss) {
      guard_.AuditAlone(
          guard_.Record(call, "registry.read_person",
                        absl::StrCat("person_id:", request.person_id()),
                        "person record", Outcome::kError));
    }
    return person.status();
  }
  return person;
}

absl::StatusOr<kvo::v1::ErasePersonResponse> PersonRecords::Erase(
    const identity::Call& call, const kvo::v1::ErasePersonRequest& request) {
  if (auto s = ValidateErasePersonRequest(request); !s.ok()) {
    return s;
  }
  struct Erased {
    absl::Status refusal;
    PersonRow row;
    int cards = 0;
    std::vector<ChangedCard> changes;
  };
  auto erased = pool_.InTransaction(
      "erase person", [&](pqxx::work& tx) -> absl::StatusOr<Erased> {
        auto row = Store::PersonForUpdate(tx, request.person_id());
        if (!row) {
          return absl::NotFoundError(absl::StrCat(
              "person_id: person ", request.person_id(), " not found"));
        }
        if (auto s = guard_.CheckAreasIn(tx, call, {row->registered_area_id});
            !s.ok()) {
          return Erased{s, {}, 0, {}};
        }
        if (row->erased) {
          return absl::FailedPreconditionError(
              absl::StrCat("person ", row->id, " was erased already"));
        }
        Erasure e = registry::ErasePerson(
            tx, card_changes_, *row, call.caller.principal_id, clock_.Now());
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.erase_person", AuditSubject(*row),
                              request.reason()));
        return Erased{absl::OkStatus(), *row, e.cards_revoked,
                      std::move(e.changes)};
      });
  if (!erased.ok()) return erased.status();
  if (!erased->refusal.ok()) return erased->refusal;
  card_changes_.CardsCommitted(erased->changes);
  DestroyErasedKeys(pool_, keys_, {erased->row.id});
  kvo::v1::ErasePersonResponse out;
  out.set_person_id(erased->row.id);
  out.set_pseudonym(erased->row.pseudonym);
  out.set_cards_revoked(erased->cards);
  return out;
}

}  // namespace kvo::registry
