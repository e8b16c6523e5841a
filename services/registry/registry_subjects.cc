#include "services/registry/registry_subjects.h"

#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/registry/person_erasure.h"
#include "services/registry/person_fields.h"
#include "services/registry/person_normalize.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/vault.h"

namespace kvo::registry {
namespace {

using Store = PgRegistryStore;

privacy::SubjectRef RefOf(const PersonRow& row) {
  return {row.id, row.pseudonym, row.registered_area_id, row.erased};
}

PersonRow RowOf(const privacy::SubjectRef& ref) {
  return {ref.person_id, ref.pseudonym, ref.erased, ref.registered_area_id};
}

privacy::SubjectCard CardOf(const CardRow& c) {
  return {c.id,          c.kind,    c.area_id,       c.shop_id, c.valid_from,
          c.valid_until, c.revoked, c.revoke_reason, c.rule,    c.shops};
}

std::vector<std::string> AllFields() {
  return {std::begin(kPersonFields), std::end(kPersonFields)};
}

}  // namespace

RegistrySubjects::RegistrySubjects(const kvo::v1::Policy& policy,
                                   common::DbPool& pool, const KeyRing& keys,
                                   CardChangeSink& card_changes,
                                   const common::Clock& clock)
    : policy_(policy),
      pool_(pool),
      keys_(keys),
      card_changes_(card_changes),
      clock_(clock) {}

absl::StatusOr<std::vector<privacy::SubjectRef>>
RegistrySubjects::FindByNameAndBirth(pqxx::transaction_base& tx,
                                     const std::string& given_names,
                                     const std::string& surname_prefix,
                                     const std::string& surname,
                                     const std::string& date_of_birth) const {
  auto normalized = NormalizeForBlindIndex(given_names, surname_prefix, surname,
                                           date_of_birth);
  if (!normalized.ok()) return normalized.status();
  std::vector<privacy::SubjectRef> out;
  for (const PersonRow& row : Store::PersonsByBlindIndex(
           tx, common::BlindIndex(keys_.blind_key(), *normalized))) {
    out.push_back(RefOf(row));
  }
  return out;
}

std::optional<privacy::SubjectRef> RegistrySubjects::ByPseudonym(
    pqxx::transaction_base& tx, const std::string& pseudonym) const {
  auto row = Store::PersonByPseudonym(tx, pseudonym);
  if (!row) return std::nullopt;
  return RefOf(*row);
}

std::optional<privacy::SubjectRef> RegistrySubjects::ById(
    pqxx::transaction_base& tx, int64_t person_id) const {
  auto row = Store::PersonById(tx, person_id);
  if (!row) return std::nullopt;
  return RefOf(*row);
}

std::vector<privacy::SubjectCard> RegistrySubjects::Cards(
    pqxx::transaction_base& tx, int64_t person_id) const {
  std::vector<privacy::SubjectCard> out;
  for (const CardRow& c : Store::CardsOfPerson(tx, person_id)) {
    out.push_back(CardOf(c));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> RegistrySubjects::Fields(
    pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
    const std::vector<std::string>& fields) const {
  Vault vault(keys_);
  auto open = vault.Open(tx, RowOf(ref), fields);
  if (!open.ok()) return open.status();
  return open->fields;
}

absl::StatusOr<privacy::SubjectData> RegistrySubjects::Everything(
    pqxx::transaction_base& tx, const privacy::SubjectRef& ref) const {
  Vault vault(keys_);
  auto person = vault.Open(tx, RowOf(ref), AllFields());
  if (!person.ok()) return person.status();
  privacy::SubjectData out;
  out.ref = ref;
  out.fields = person->fields;
  out.cards = Cards(tx, ref.person_id);
  for (const IncidentRow& i : Store::IncidentsOfPerson(tx, ref.person_id)) {
    auto description = vault.OpenValue(
        *person, IncidentField(i.id, "description"), i.sealed_description);
    if (!description.ok()) return description.status();
    auto report = vault.OpenValue(*person, IncidentField(i.id, "report_number"),
                                  i.sealed_report_number);
    if (!report.ok()) return report.status();
    out.incidents.push_back({i.id, i.area_id, i.shop_id, i.occurred_at,
                             i.offence_type, i.damage_cents, *description,
                             *report});
  }
  for (const ObjectionRow& o : Store::ObjectionsOfPerson(tx, ref.person_id)) {
    privacy::SubjectObjection obj;
    obj.id = o.id;
    obj.card_id = o.card_id;
    obj.filed_at = o.filed_at;
    obj.decision = o.decision;
    obj.decided_at = o.decided_at;
    auto grounds = vault.OpenValue(
        *person, ObjectionField(o.card_id, "grounds"), o.sealed_grounds);
    if (!grounds.ok()) return grounds.status();
    obj.grounds = *grounds;
    if (o.sealed_reasons.has_value()) {
      auto reasons = vault.OpenValue(
          *person, ObjectionField(o.card_id, "reasons"), *o.sealed_reasons);
      if (!reasons.ok()) return reasons.status();
      obj.reasons = *reasons;
    }
    out.objections.push_back(std::move(obj));
  }
  return out;
}

namespace {
// What a rectification reports once committed.
struct AfterRectification {
  std::vector<ChangedCard> changes;
};
}  // namespace

absl::StatusOr<privacy::SubjectRectification> RegistrySubjects::Rectify(
    pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
    const std::map<std::string, std::string>& changes) const {
  for (const auto& [field, value] : changes) {
    if (!IsPersonField(field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "fields: unknown field '", field,
          "'; one of given_names, surname_prefix, surname, address, "
          "residence, date_of_birth, place_of_birth, description"));
    }
  }
  auto row = Store::PersonForUpdate(tx, ref.person_id);
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("person ", ref.pseudonym, " not found"));
  }
  Vault vault(keys_);
  auto person = vault.Open(tx, *row, AllFields());
  if (!person.ok()) return person.status();
  std::map<std::string, std::string> after = person->fields;
  for (const auto& [field, value] : changes) after[field] = value;
  if (auto s = CheckPersonFields(policy_, after, clock_.Now()); !s.ok()) {
    return s;
  }
  for (const auto& [field, value] : changes) {
    if (value.empty()) {
      Store::DeletePersonField(tx, row->id, field);
    } else {
      Store::UpsertPersonField(tx, row->id, field,
                               vault.Seal(*person, field, value));
    }
  }
  const bool names_changed =
      changes.contains("given_names") || changes.contains("surname_prefix") ||
      changes.contains("surname") || changes.contains("date_of_birth");
  if (names_changed) {
    auto normalized =
        NormalizeForBlindIndex(after["given_names"], after["surname_prefix"],
                               after["surname"], after["date_of_birth"]);
    if (!normalized.ok()) return normalized.status();
    Store::SetBlindIndex(tx, row->id,
                         common::BlindIndex(keys_.blind_key(), *normalized));
  }
  // The doors show the person on every card in force: each is reported
  // changed, so galleries send the entry again and retire what they cached.
  const absl::Time now = clock_.Now();
  std::vector<CardRow> in_force;
  for (CardRow& c : Store::CardsOfPerson(tx, row->id)) {
    if (!c.revoked && c.valid_from <= now && now < c.valid_until) {
      in_force.push_back(std::move(c));
    }
  }
  privacy::SubjectRectification out;
  out.after_commit = std::make_shared<AfterRectification>(
      AfterRectification{ReportChanges(card_changes_, tx, in_force)});
  return out;
}

void RegistrySubjects::RectificationCommitted(
    const privacy::SubjectRectification& rectification) {
  if (rectification.after_commit != nullptr) {
    card_changes_.CardsCommitted(
        static_cast<const AfterRectification*>(rectification.after_commit.get())
            ->changes);
  }
}

namespace {
struct AfterErasure {
  std::vector<ChangedCard> changes;
};
}  // namespace

absl::StatusOr<privacy::SubjectErasure> RegistrySubjects::Erase(
    pqxx::transaction_base& tx, const privacy::SubjectRef& ref,
    int64_t principal_id, absl::Time now) {
  auto row = Store::PersonForUpdate(tx, ref.person_id);
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("person ", ref.pseudonym, " not found"));
  }
  if (row->erased) {
    return absl::FailedPreconditionError(
        absl::StrCat("person ", row->pseudonym, " was erased already"));
  }
  Erasure e = ErasePerson(tx, card_changes_, *row, principal_id, now);
  privacy::SubjectErasure out;
  out.person_id = row->id;
  out.cards_revoked = e.cards_revoked;
  out.after_commit =
      std::make_shared<AfterErasure>(AfterErasure{std::move(e.changes)});
  return out;
}

void RegistrySubjects::ErasureCommitted(const privacy::SubjectErasure& e) {
  if (e.after_commit != nullptr) {
    card_changes_.CardsCommitted(
        static_cast<const AfterErasure*>(e.after_commit.get())->changes);
  }
  DestroyErasedKeys(pool_, keys_, {e.person_id});
}

absl::StatusOr<std::string> RegistrySubjects::SealNote(
    pqxx::transaction_base&, const privacy::SubjectRef& ref,
    const std::string& binding, const std::string& plain) const {
  Vault vault(keys_);
  auto person = vault.OpenSealed(RowOf(ref), {});
  if (!person.ok()) return person.status();
  return vault.Seal(*person, binding, plain);
}

absl::StatusOr<std::string> RegistrySubjects::OpenNote(
    pqxx::transaction_base&, const privacy::SubjectRef& ref,
    const std::string& binding, const std::string& sealed) const {
  Vault vault(keys_);
  auto person = vault.OpenSealed(RowOf(ref), {});
  if (!person.ok()) return person.status();
  return vault.OpenValue(*person, binding, sealed);
}

}  // namespace kvo::registry
