#ifndef KVO_SERVICES_REGISTRY_PG_REGISTRY_STORE_H_
#define KVO_SERVICES_REGISTRY_PG_REGISTRY_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/keystore/pg_key_store.h"
#include "services/registry/person_retention_rules.h"

namespace kvo::registry {

struct ShopRow {
  int64_t id = 0;
  int64_t area_id = 0;
  std::string name;
  std::vector<int64_t> member_ids;
  absl::Time area_created_at;  // when the shop's area joined the registry
};

struct PersonRow {
  int64_t id = 0;
  std::string pseudonym;
  bool erased = false;  // its data and its key are gone
  int64_t registered_area_id = 0;
};

// The anonymous facts plus the sealed link to the person.
struct IncidentRow {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  absl::Time occurred_at;
  // When it was recorded, on kvod's clock (retention counts from the later
  // of the two).
  absl::Time recorded_at;
  std::string offence_type;
  int64_t damage_cents = 0;
  bool has_police_report = false;
  int64_t reported_by = 0;
  int64_t person_id = 0;
  std::string sealed_description;
  std::string sealed_report_number;
};

// What the registry knows of an area over a period, as counts only (no
// person, no shop): the registry's part of the reduction report.
struct AreaFacts {
  std::map<std::string, int64_t> incidents_by_type;  // offence type code
  int64_t damage_cents = 0;
  // Of the incidents, those reported to the police (an aangifte recorded
  // with the incident or later).
  int64_t incidents_reported = 0;
  // "2025-03": months in Europe/Amsterdam.
  std::map<std::string, int64_t> incidents_by_month;
  std::map<std::string, int64_t> cards_by_kind;  // issued in the period
  // Of those cards' objections: "upheld", "rejected", "pending".
  std::map<std::string, int64_t> objections_by_outcome;
  int64_t repeat_offenders = 0;  // persons with more than one of those cards
};

// Which incidents of an area a list asks for, newest first.
struct IncidentFilter {
  int64_t area_id = 0;
  int64_t shop_id = 0;    // 0: every shop of the area
  int64_t person_id = 0;  // 0: everyone
  // Only these shops' incidents (shopkeepers, security); nullopt: all.
  std::optional<std::vector<int64_t>> only_shops;
  absl::Time from = absl::UnixEpoch();  // occurred_at >=
  absl::Time until = absl::FromCivil(absl::CivilSecond(9999, 1, 1),
                                     absl::UTCTimeZone());  // occurred_at <
  // Paging: only incidents ordered after this (occurred_at, id), the last
  // one of the previous page.
  std::optional<std::pair<absl::Time, int64_t>> after;
  int limit = 50;
};

struct CardRow {
  int64_t id = 0;
  int64_t person_id = 0;
  int64_t incident_id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  std::string kind;
  absl::Time valid_from;
  absl::Time valid_until;
  int32_t days = 0;
  std::string rule;
  std::vector<std::string> shops;
  int64_t issued_by = 0;
  bool revoked = false;
  std::string revoke_reason;
  // A collective ban: the warning it rests on (0: none). Written by
  // InsertCard; not read back by the card queries.
  int64_t escalated_from = 0;
};

struct PastOffenceRow {
  absl::Time occurred_at;
  bool card_revoked = false;
};

// What deciding a card reads: the person's cards in the area (by id), their
// other offences there (by time) and the area's shops (id, name; by name).
struct CardHistory {
  std::vector<CardRow> cards;
  std::vector<PastOffenceRow> offences;
  std::vector<std::pair<int64_t, std::string>> shops;
  std::map<std::string, std::string> sealed_fields;  // as PersonFields
};

struct ObjectionRow {
  int64_t id = 0;
  int64_t card_id = 0;
  int64_t person_id = 0;  // the card's
  int64_t area_id = 0;    // the card's
  std::string sealed_grounds;
  absl::Time filed_at;
  absl::Time respond_by;
  std::string decision;  // "" while open
  std::optional<std::string> sealed_reasons;
  std::optional<absl::Time> decided_at;
};

// What a retention rule removed (or would): the row's id and its person's
// pseudonym, for the audit.
// Keys an older kvod kept in the data database.
struct LegacyKeys {
  std::map<int32_t, std::string> keks;
  std::vector<keystore::WrappedKey> data_keys;
};

struct RetainedRow {
  int64_t id = 0;
  std::string pseudonym;
};

// A person with data, and what decides when they may go.
struct PersonRetentionRow {
  int64_t id = 0;
  std::string pseudonym;
  PersonRetentionFacts facts;
};

// The only SQL on the registry's tables. Every function runs in the
// caller's transaction; libpqxx exceptions pass to the caller's DbPool,
// which maps them. Sealed values are raw bytes.
class PgRegistryStore final {
 public:
  using Tx = pqxx::transaction_base;

  // Keys an older kvod kept in this database, to move to the key store,
  // then forget here.
  static LegacyKeys ReadLegacyKeys(Tx& tx);
  static void ForgetLegacyKeys(Tx& tx);
  // Erased persons whose data key may still be in the key store (the
  // erasure committed here; the key's deletion there is not yet recorded).
  static std::vector<int64_t> KeysNotShredded(Tx& tx);
  static void MarkKeysShredded(Tx& tx, const std::vector<int64_t>& ids);
  // Of `ids`, the persons not erased here (ascending).
  static std::vector<int64_t> NotErasedAmong(Tx& tx,
                                             const std::vector<int64_t>& ids);
  // Erased persons whose key's deletion is recorded.
  static std::vector<int64_t> ErasedWithKeyShredded(Tx& tx);

  static std::optional<int64_t> InsertShop(Tx& tx, int64_t area_id,
                                           const std::string& name);
  static std::optional<ShopRow> ShopById(Tx& tx, int64_t id);
  static std::vector<ShopRow> ShopsOfArea(Tx& tx, int64_t area_id);
  // Memberships are sealed (common::RowSeal) as kvod adds them; a row
  // whose seal does not check out (put there by SQL) is no membership:
  // IsShopMember says false, ShopsOfPrincipal leaves it out and names it
  // in `altered` for the caller's integrity alarm.
  static void AddShopMember(Tx& tx, int64_t shop_id, int64_t principal_id);
  static bool IsShopMember(Tx& tx, int64_t shop_id, int64_t principal_id);
  static std::vector<int64_t> ShopsOfPrincipal(
      Tx& tx, int64_t principal_id, std::vector<int64_t>* altered = nullptr);
  // The rows of the shops ShopsOfPrincipal names, in one statement (it
  // needs no transaction around it).
  static std::vector<ShopRow> MemberShops(Tx& tx, int64_t principal_id);
  // Seals every membership without a seal (the one-time adoption of rows
  // older than the seals); the count.
  static int64_t SealUnsealedMembers(Tx& tx);

  static int64_t InsertPerson(Tx& tx, const std::string& pseudonym,
                              const std::string& blind_index, int64_t area_id,
                              int64_t created_by, absl::Time created_at);
  static void InsertPersonField(Tx& tx, int64_t person_id,
                                const std::string& field,
                                const std::string& sealed);
  static std::optional<PersonRow> PersonById(Tx& tx, int64_t id);
  // Locks the person: card decisions for one person run one at a time.
  static std::optional<PersonRow> PersonForUpdate(Tx& tx, int64_t id);
  static std::vector<PersonRow> PersonsByBlindIndex(
      Tx& tx, const std::string& blind_index);
  // Sealed values of the named fields that exist.
  static std::map<std::string, std::string> PersonFields(
      Tx& tx, int64_t person_id, const std::vector<std::string>& fields);
  // Erasure: marks the row erased and destroys the sealed fields and the
  // blind index, so name + date of birth no longer find the row. The data
  // key (key store) goes once this committed.
  static void ErasePersonData(Tx& tx, int64_t person_id);
  static std::optional<PersonRow> PersonByPseudonym(
      Tx& tx, const std::string& pseudonym);
  // Rectification: replaces (or adds) a sealed field, removes one, and sets
  // a new blind index.
  static void UpsertPersonField(Tx& tx, int64_t person_id,
                                const std::string& field,
                                const std::string& sealed);
  static void DeletePersonField(Tx& tx, int64_t person_id,
                                const std::string& field);
  static void SetBlindIndex(Tx& tx, int64_t person_id,
                            const std::string& blind_index);
  // A person's cards, incidents and objections in every area (the access
  // export), newest first.
  static std::vector<CardRow> CardsOfPerson(Tx& tx, int64_t person_id);
  static std::vector<IncidentRow> IncidentsOfPerson(Tx& tx, int64_t person_id);
  static std::vector<ObjectionRow> ObjectionsOfPerson(Tx& tx,
                                                      int64_t person_id);
  // The areas a person is known in: registration, incidents and cards.
  static std::vector<int64_t> PersonAreas(Tx& tx, int64_t person_id);

  // The anonymous facts only (person and sealed fields are not read).
  static int64_t InsertIncident(Tx& tx, const IncidentRow& incident);
  static void LinkIncidentPerson(Tx& tx, int64_t incident_id, int64_t person_id,
                                 const std::string& sealed_description,
                                 const std::string& sealed_report);
  static std::optional<IncidentRow> IncidentById(Tx& tx, int64_t id);
  // Records the incident's police report: the sealed number on its link,
  // has_police_report on its facts (which the reduction report counts).
  static void SetPoliceReport(Tx& tx, int64_t incident_id,
                              const std::string& sealed_report);
  // An area's incidents as `filter` asks, newest first (then by id), with
  // their person and sealed texts when still linked (person_id 0 once the
  // person was erased): at most filter.limit rows.
  static std::vector<IncidentRow> IncidentsOfArea(Tx& tx,
                                                  const IncidentFilter& filter);
  // The incident with its person, locked as PersonForUpdate does.
  static std::optional<std::pair<IncidentRow, PersonRow>> IncidentForCard(
      Tx& tx, int64_t incident_id);
  // What deciding a card for `incident_id` reads, in one statement: also
  // the person's sealed `fields` (the card shows the person).
  static CardHistory CardHistoryOf(Tx& tx, int64_t person_id, int64_t area_id,
                                   int64_t incident_id,
                                   const std::vector<std::string>& fields);

  static int64_t InsertCard(Tx& tx, const CardRow& card);
  static std::optional<CardRow> CardById(Tx& tx, int64_t id);
  // Cards of the area; active ones only (at `now`, not revoked) unless
  // `include_inactive`; `person_id` 0 for all.
  static std::vector<CardRow> CardsOfArea(Tx& tx, int64_t area_id,
                                          bool include_inactive,
                                          int64_t person_id, absl::Time now);
  // Revokes at `now` every card of the person not yet revoked (erasure) and
  // returns them.
  static std::vector<CardRow> RevokeCardsOfPerson(Tx& tx, int64_t person_id,
                                                  int64_t revoked_by,
                                                  const std::string& reason,
                                                  absl::Time now);
  // The shop's own (individual) bans not revoked and not ended at `now`:
  // what a member who joins the shop must find at the door.
  static std::vector<CardRow> OwnBansOfShop(Tx& tx, int64_t shop_id,
                                            absl::Time now);
  // The bans not yet revoked that rest on the warning `warning_id`.
  static std::vector<CardRow> BansResting(Tx& tx, int64_t warning_id);
  // Revokes at `now`; false when the card was already revoked.
  static bool RevokeCard(Tx& tx, int64_t card_id, int64_t revoked_by,
                         const std::string& reason, absl::Time now);

  static int64_t InsertObjection(Tx& tx, int64_t card_id,
                                 const std::string& sealed_grounds,
                                 int64_t filed_by, absl::Time filed_at,
                                 absl::Time respond_by);
  static std::optional<ObjectionRow> ObjectionForUpdate(Tx& tx, int64_t id);
  static std::optional<ObjectionRow> ObjectionById(Tx& tx, int64_t id);
  static void DecideObjection(Tx& tx, int64_t id, const std::string& decision,
                              const std::string& sealed_reasons,
                              int64_t decided_by, absl::Time now);
  // Retention (`grace_days`: retention.card_grace_days). Cards that ended
  // (valid_until or revocation) at least the grace period before `now` and
  // are not yet retained; RetainCards drops their revocation reason and
  // marks them retained.
  static std::vector<RetainedRow> CardsDue(Tx& tx, absl::Time now,
                                           int grace_days);
  static std::vector<RetainedRow> RetainCards(Tx& tx, absl::Time now,
                                              int grace_days);
  static std::optional<absl::Time> NextCardDue(Tx& tx, absl::Time now,
                                               int grace_days);
  // Every person with data (only `person_id` unless 0) with what the
  // person retention rule decides on. Reads without locking: lock the
  // person and ask again for that one before erasing.
  static std::vector<PersonRetentionRow> PersonRetentionRows(Tx& tx,
                                                             int64_t person_id);
  // Incident links (and their sealed texts) of erased persons; id is the
  // incident's. The incidents' facts stay.
  static std::vector<RetainedRow> ErasedIncidentLinks(Tx& tx);
  static std::vector<RetainedRow> UnlinkErasedIncidents(Tx& tx);

  static std::vector<ObjectionRow> ObjectionsOfArea(Tx& tx, int64_t area_id,
                                                    bool open_only);

  // When the area joined the registry; none for an unknown area.
  static std::optional<absl::Time> AreaJoinedAt(Tx& tx, int64_t area_id);

  // Incidents that occurred and cards issued (valid_from) in [from, to),
  // counted in one statement over the covering indexes (V014__report_indexes).
  static AreaFacts FactsOfArea(Tx& tx, int64_t area_id, absl::Time from,
                               absl::Time to);
  // The same for several areas in the same one statement, grouped by area:
  // an area without anything in the period has empty facts.
  static std::map<int64_t, AreaFacts> FactsOfAreas(
      Tx& tx, const std::vector<int64_t>& area_ids, absl::Time from,
      absl::Time to);
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_PG_REGISTRY_STORE_H_
