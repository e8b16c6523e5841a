// The registry's retention rules against a real PostgreSQL: what goes and
// what stays, and a run racing a new card for the same person.
#include <future>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/keystore/pg_key_store.h"
#include "services/privacy/subject_request_holds.h"
#include "services/registry/card_changes.h"
#include "services/registry/key_ring.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_retention.h"
#include "tests/support/pg_environment.h"

namespace kvo::registry {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class FakeSink final : public CardChangeSink {
 public:
  void CardsChanged(pqxx::transaction_base&,
                    const std::vector<ChangedCard>& cards) override {
    changed += cards.size();
  }
  void PersonErased(pqxx::transaction_base& tx, int64_t person_id) override {
    tx.exec0(absl::StrCat("DELETE FROM person_photos WHERE person_id = ",
                          person_id));
    erased.push_back(person_id);
  }
  void CardsCommitted(const std::vector<ChangedCard>&) override {}
  void ShopMembersChanged(pqxx::transaction_base&) override {}
  void ShopMembersCommitted() override {}
  size_t changed = 0;
  std::vector<int64_t> erased;
};

constexpr int kGraceDays = 3;
constexpr int kIncidentGraceDays = 5;
const PersonRetentionPolicy kPolicy{kGraceDays, kIncidentGraceDays};

class RegistryRetentionPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    area_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES "
           "('A', 'shopping_area', 'Deventer') RETURNING id");
    key_pool_ = std::make_unique<common::DbPool>(keystore_conninfo(), 4);
    key_store_ = std::make_unique<keystore::PgKeyStore>(*key_pool_);
    auto ring = KeyRing::Open(common::SecretKey::Generate(), *key_store_);
    ASSERT_TRUE(ring.ok()) << ring.status();
    keys_ = std::move(*ring);
    shop_ = Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_,
                            ", 'shop') RETURNING id"));
  }

  int64_t Id(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    const int64_t id = tx.exec1(sql)[0].as<int64_t>();
    tx.commit();
    return id;
  }
  void Exec(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    tx.exec0(sql);
    tx.commit();
  }
  std::string Text(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    auto r = tx.exec1(sql);
    return r[0].is_null() ? "NULL" : r[0].as<std::string>();
  }

  // A person registered `days_ago` days ago, with a field and a photo.
  int64_t Person(const std::string& pseudonym, int days_ago) {
    const int64_t p = Id(absl::StrCat(
        "INSERT INTO persons (pseudonym, blind_index, registered_area_id, "
        "created_at) VALUES ('",
        pseudonym, "', 'b', ", area_, ", now() - interval '", days_ago,
        " days') RETURNING id"));
    EXPECT_TRUE(keys_->CreateDataKey(p).ok());
    Exec(absl::StrCat(
        "INSERT INTO person_fields (person_id, field, sealed) VALUES (", p,
        ", 'surname', 'x')"));
    Exec(absl::StrCat(
        "INSERT INTO person_photos (person_id, sealed_jpeg, sealed_thumbnail, "
        "width, height) VALUES (",
        p, ", 'j', 't', 1, 1)"));
    return p;
  }
  // An incident of `person` with sealed texts, occurred and recorded
  // `days_ago` days ago; its id.
  int64_t Incident(int64_t person, int days_ago = 400) {
    const int64_t i = Id(absl::StrCat(
        "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
        "damage_cents, has_police_report, created_at) VALUES (",
        area_, ", ", shop_, ", now() - interval '", days_ago,
        " days', 'theft', 1234, true, now() - interval '", days_ago,
        " days') RETURNING id"));
    Exec(
        absl::StrCat("INSERT INTO incident_persons (incident_id, person_id, "
                     "sealed_description, sealed_report_number) VALUES (",
                     i, ", ", person, ", 'd', 'r')"));
    return i;
  }
  // A card of `person` for `incident` ending `ends_in_days` from now.
  int64_t Card(int64_t person, int64_t incident, int ends_in_days) {
    return Id(absl::StrCat(
        "INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, "
        "valid_from, valid_until, days, rule, shops) VALUES (",
        person, ", ", incident, ", ", area_, ", ", shop_,
        ", 'collective_warning', now() - interval '400 days', now() + "
        "interval '",
        ends_in_days, " days', 365, 'test', 'shop') RETURNING id"));
  }
  bool Erased(int64_t person) {
    return Text(absl::StrCat("SELECT erased_at IS NOT NULL AND blind_index IS "
                             "NULL AND NOT EXISTS (SELECT 1 FROM "
                             "person_fields WHERE person_id = id) AND NOT "
                             "EXISTS (SELECT 1 FROM person_photos WHERE "
                             "person_id = id) FROM persons WHERE id = ",
                             person)) == "t";
  }

  // The three rules in the job's order, in one transaction.
  std::vector<common::RetentionItem> Run(pqxx::connection& conn, bool apply,
                                         const PersonHolds* holds = nullptr,
                                         absl::Time at = absl::Now()) {
    CardRetention card(kGraceDays);
    PersonRetention person(kPolicy, sink_, *keys_, {holds});
    IncidentLinkRetention link;
    pqxx::work tx(conn);
    std::vector<common::RetentionItem> out;
    for (common::RetentionRule* r :
         std::vector<common::RetentionRule*>{&card, &person, &link}) {
      out.push_back(apply ? r->Apply(tx, at) : r->Due(tx, at));
    }
    tx.commit();
    for (const auto& item : out) {
      if (item.after_commit) item.after_commit();
    }
    return out;
  }
  bool HasKey(int64_t person) {
    auto keys = keys_->OpenDataKeys({person});
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() && keys->contains(person);
  }

  FakeSink sink_;
  std::unique_ptr<common::DbPool> key_pool_;
  std::unique_ptr<keystore::PgKeyStore> key_store_;
  std::unique_ptr<KeyRing> keys_;
  int64_t area_ = 0, shop_ = 0;
};

// Holds everyone named.
class FakeHolds final : public PersonHolds {
 public:
  explicit FakeHolds(std::set<int64_t> held) : held_(std::move(held)) {}
  bool Holds(pqxx::transaction_base&, int64_t person_id) const override {
    return held_.contains(person_id);
  }

 private:
  std::set<int64_t> held_;
};

TEST_F(RegistryRetentionPgTest, AHeldPersonIsKeptUntilTheHoldGoes) {
  const int64_t held = Person("held", 400);
  Card(held, Incident(held), -10);
  const int64_t free = Person("free", 400);
  Card(free, Incident(free), -10);
  pqxx::connection conn(conninfo());
  const FakeHolds holds({held});
  auto due = Run(conn, /*apply=*/false, &holds);
  EXPECT_EQ(due[1].count, 1u) << "only the person without a hold";
  Run(conn, /*apply=*/true, &holds);
  EXPECT_FALSE(Erased(held));
  EXPECT_TRUE(Erased(free));
  const FakeHolds none({});
  Run(conn, /*apply=*/true, &none);
  EXPECT_TRUE(Erased(held)) << "erased once the hold is gone";
}

TEST_F(RegistryRetentionPgTest, ErasesWhatIsDueAndKeepsTheFacts) {
  // Ended 10 days ago (past the grace): erased.
  const int64_t gone = Person("gone", 400);
  const int64_t gone_incident = Incident(gone);
  const int64_t gone_card = Card(gone, gone_incident, -10);
  // Ended a day ago (within the grace): kept.
  const int64_t recent = Person("recent", 400);
  Card(recent, Incident(recent), -1);
  // A card in force: kept.
  const int64_t active = Person("active", 400);
  Card(active, Incident(active), 30);
  // Ended long ago but an objection is open: kept.
  const int64_t objecting = Person("objecting", 400);
  const int64_t objected = Card(objecting, Incident(objecting), -10);
  Exec(absl::StrCat(
      "INSERT INTO objections (card_id, sealed_grounds, respond_by) VALUES (",
      objected, ", 'g', now() + interval '20 days')"));
  // Never given a card: kept for the incident grace period after
  // registration.
  const int64_t new_one = Person("new", 1);
  const int64_t old_one = Person("old", 10);

  pqxx::connection conn(conninfo());
  auto due = Run(conn, /*apply=*/false);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[1].kind, "person");
  EXPECT_EQ(due[1].count, 2u);
  EXPECT_FALSE(Erased(gone));  // a dry run deletes nothing

  auto done = Run(conn, /*apply=*/true);
  EXPECT_EQ(done[0].kind, "card");
  EXPECT_EQ(done[0].count, 2u);  // gone's and objecting's: ended 10 days ago
  EXPECT_THAT(done[1].subjects, ElementsAre("person:gone", "person:old"));
  EXPECT_EQ(done[2].kind, "incident_link");
  EXPECT_THAT(done[2].subjects, ElementsAre("person:gone"));
  EXPECT_THAT(sink_.erased, ElementsAre(gone, old_one));

  EXPECT_TRUE(Erased(gone));
  EXPECT_TRUE(Erased(old_one));
  // Their data keys left the key store once the run committed.
  EXPECT_FALSE(HasKey(gone));
  EXPECT_FALSE(HasKey(old_one));
  for (int64_t kept : {recent, active, objecting, new_one}) {
    EXPECT_FALSE(Erased(kept)) << kept;
    EXPECT_TRUE(HasKey(kept)) << kept;
  }
  // The incident's facts stay; the link and the sealed texts go.
  EXPECT_EQ(Text(absl::StrCat("SELECT concat_ws(',', area_id = ", area_,
                              ", offence_type, damage_cents, "
                              "has_police_report) FROM incidents WHERE id = ",
                              gone_incident)),
            "t,theft,1234,t");
  EXPECT_EQ(Text(absl::StrCat("SELECT count(*) FROM incident_persons WHERE "
                              "incident_id = ",
                              gone_incident)),
            "0");
  EXPECT_EQ(Text(absl::StrCat("SELECT retained_at IS NOT NULL FROM cards "
                              "WHERE id = ",
                              gone_card)),
            "t");
  // Nothing more is due.
  auto again = Run(conn, /*apply=*/true);
  for (const auto& item : again) EXPECT_EQ(item.count, 0u) << item.kind;
  EXPECT_TRUE(again[1].next_due.has_value());
}

// Issue 24: with card_grace_days 0 a person registered with an incident
// at 10:00 was erased by the 10:05 run, before anyone could issue the card.
// The incident keeps them for retention.incident_grace_days; once that has
// passed (and no card, objection or hold needs them) the next run erases
// them.
TEST_F(RegistryRetentionPgTest, AnIncidentKeepsThePersonForItsGrace) {
  const int64_t p = Person("vanochtend", 0);
  Incident(p, /*days_ago=*/0);
  // Registered long ago, incident today: the incident counts, not the
  // registration.
  const int64_t known = Person("bekend", 400);
  Incident(known, /*days_ago=*/0);
  pqxx::connection conn(conninfo());
  const absl::Time now = absl::Now();
  auto five_minutes =
      Run(conn, /*apply=*/true, nullptr, now + absl::Minutes(5));
  EXPECT_EQ(five_minutes[1].count, 0u);
  EXPECT_FALSE(Erased(p));
  EXPECT_FALSE(Erased(known));
  // The next time anyone falls due is the end of the incident's grace.
  ASSERT_TRUE(five_minutes[1].next_due.has_value());
  EXPECT_GT(*five_minutes[1].next_due,
            now + absl::Hours(24 * kIncidentGraceDays) - absl::Minutes(1));
  EXPECT_LE(*five_minutes[1].next_due,
            absl::Now() + absl::Hours(24 * kIncidentGraceDays));

  auto within = Run(conn, /*apply=*/true, nullptr,
                    now + absl::Hours(24 * kIncidentGraceDays - 1));
  EXPECT_EQ(within[1].count, 0u);
  EXPECT_FALSE(Erased(p));

  auto past = Run(conn, /*apply=*/true, nullptr,
                  now + absl::Hours(24 * kIncidentGraceDays + 1));
  EXPECT_EQ(past[1].count, 2u);
  EXPECT_TRUE(Erased(p));
  EXPECT_TRUE(Erased(known));
}

// A card keeps the person while in force and for card_grace_days after,
// however old the incident; an open data-subject request (the privacy
// module's hold) keeps them until it is closed.
TEST_F(RegistryRetentionPgTest, ACardAndAnOpenRequestKeepThePerson) {
  const int64_t carded = Person("kaart", 400);
  Card(carded, Incident(carded), 30);
  const int64_t asking = Person("vraagt", 400);
  Incident(asking);
  const int64_t request = Id(absl::StrCat(
      "INSERT INTO subject_requests (person_id, kind, received_on, due_on, "
      "channel) VALUES (",
      asking,
      ", 'access', current_date, current_date + 28, 'letter') "
      "RETURNING id"));
  const privacy::OpenRequestHolds requests;
  pqxx::connection conn(conninfo());
  Run(conn, /*apply=*/true, &requests);
  EXPECT_FALSE(Erased(carded));
  EXPECT_FALSE(Erased(asking)) << "an open request holds the record";
  Exec(absl::StrCat(
      "UPDATE subject_requests SET closed_on = current_date, outcome = "
      "'granted' WHERE id = ",
      request));
  Run(conn, /*apply=*/true, &requests);
  EXPECT_TRUE(Erased(asking));
  EXPECT_FALSE(Erased(carded));
  // Past the card's end plus the card grace: erased.
  Run(conn, /*apply=*/true, &requests,
      absl::Now() + absl::Hours(24 * (30 + kGraceDays + 1)));
  EXPECT_TRUE(Erased(carded));
}

// A year in a line, on the clock kvod hands the registry: a card goes out
// of force when the clock passes its end, and one revoked at the moved
// clock ends then, not at the database's now.
TEST_F(RegistryRetentionPgTest, AYearOnByTheClockCardsEndByTheClock) {
  common::OffsetClock clock;
  const int64_t p = Person("jaar", 400);
  const int64_t ends = Card(p, Incident(p), 200);
  const int64_t lasts = Card(p, Incident(p), 500);
  pqxx::connection conn(conninfo());
  auto in_force = [&] {
    pqxx::work tx(conn);
    std::vector<int64_t> ids;
    for (const CardRow& c : PgRegistryStore::CardsOfArea(
             tx, area_, /*include_inactive=*/false, 0, clock.Now())) {
      ids.push_back(c.id);
    }
    return ids;
  };
  auto cards_due = [&] {
    pqxx::work tx(conn);
    std::vector<int64_t> ids;
    for (const auto& r :
         PgRegistryStore::CardsDue(tx, clock.Now(), kGraceDays)) {
      ids.push_back(r.id);
    }
    return ids;
  };
  EXPECT_THAT(in_force(), ::testing::UnorderedElementsAre(ends, lasts));
  EXPECT_THAT(cards_due(), IsEmpty());

  clock.Advance(absl::Hours(24 * 365));

  EXPECT_THAT(in_force(), ElementsAre(lasts));
  EXPECT_THAT(cards_due(), ElementsAre(ends));
  {
    // Every card not yet revoked, the one that ended too (erasure's way).
    pqxx::work tx(conn);
    ASSERT_EQ(PgRegistryStore::RevokeCardsOfPerson(tx, p, /*revoked_by=*/0,
                                                   "test", clock.Now())
                  .size(),
              2u);
    tx.commit();
  }
  EXPECT_THAT(in_force(), IsEmpty());
  // Revoked "today" by the clock: within the grace period still.
  EXPECT_THAT(cards_due(), ElementsAre(ends));
  clock.Advance(absl::Hours(24 * kGraceDays));
  EXPECT_THAT(cards_due(), ElementsAre(ends, lasts));
}

// An officer issuing a card locks the person first (PersonForUpdate); the
// run that meets the lock waits, asks again and keeps the person.
TEST_F(RegistryRetentionPgTest, ACardIssuedDuringTheRunKeepsThePerson) {
  const int64_t p = Person("racing", 400);
  Card(p, Incident(p), -10);
  // Recorded before the card is issued (a link takes a key-share lock).
  const int64_t new_incident = Incident(p);

  pqxx::connection issuer(conninfo());
  pqxx::work issue(issuer);
  issue.exec1(
      absl::StrCat("SELECT 1 FROM persons WHERE id = ", p, " FOR UPDATE"));
  std::vector<common::RetentionItem> items;
  auto run = std::async(std::launch::async, [&] {
    pqxx::connection conn(conninfo());
    return Run(conn, /*apply=*/true);
  });
  // The run found the person due and now waits for the lock.
  EXPECT_EQ(run.wait_for(std::chrono::milliseconds(500)),
            std::future_status::timeout);
  issue.exec0(absl::StrCat(
      "INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, "
      "valid_from, valid_until, days, rule, shops) VALUES (",
      p, ", ", new_incident, ", ", area_, ", ", shop_,
      ", 'collective_ban', now(), now() + interval '365 days', 365, 'test', "
      "'shop')"));
  issue.commit();
  items = run.get();
  EXPECT_EQ(items[1].count, 0u);
  EXPECT_FALSE(Erased(p));
}

// The other order: the run holds the person; the card issue's lock waits
// and then finds the record erased (the use case refuses: it is erased).
TEST_F(RegistryRetentionPgTest, ARunFirstLeavesNoKeyForTheCard) {
  const int64_t p = Person("first", 400);
  Card(p, Incident(p), -10);

  pqxx::connection conn(conninfo());
  CardRetention card(kGraceDays);
  PersonRetention person(kPolicy, sink_, *keys_);
  pqxx::work run(conn);
  card.Apply(run, absl::Now());
  EXPECT_EQ(person.Apply(run, absl::Now()).count, 1u);
  auto issue = std::async(std::launch::async, [&] {
    pqxx::connection issuer(conninfo());
    pqxx::work tx(issuer);
    auto r = tx.exec1(
        absl::StrCat("SELECT erased_at IS NOT NULL FROM persons WHERE id = ", p,
                     " FOR UPDATE"));
    return r[0].as<bool>();
  });
  EXPECT_EQ(issue.wait_for(std::chrono::milliseconds(500)),
            std::future_status::timeout);
  run.commit();
  EXPECT_TRUE(issue.get());  // the issue sees the erased record
}

}  // namespace
}  // namespace kvo::registry
