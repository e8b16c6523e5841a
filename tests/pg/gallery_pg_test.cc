// The gallery's store and in-memory versions against a real PostgreSQL:
// versions in commit order, expiry swept once, what a door may see, and
// LISTEN/NOTIFY keeping another replica's versions current.
#include <algorithm>
#include <atomic>
#include <future>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/gallery/expiry_sweeper.h"
#include "services/gallery/gallery_versions.h"
#include "services/gallery/pg_gallery_store.h"
#include "tests/support/pg_environment.h"

namespace kvo::gallery {
namespace {

using Store = PgGalleryStore;

class GalleryPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    pool_ = std::make_unique<common::DbPool>(conninfo(), 4);
    area_a_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES "
           "('A', 'shopping_area', 'Deventer') RETURNING id");
    area_b_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES "
           "('B', 'shopping_area', 'Deventer') RETURNING id");
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

  // A card in `area` that ends `hours` from now, of a new person or of the
  // person of card `of`.
  int64_t Card(int64_t area, int hours,
               const std::string& kind = "collective_ban", int64_t of = 0) {
    const int64_t shop =
        Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area,
                        ", 'shop", next_++, "') RETURNING id"));
    const int64_t person =
        of != 0 ? PersonOf(of)
                : Id(absl::StrCat("INSERT INTO persons (pseudonym, "
                                  "blind_index, registered_area_id) VALUES "
                                  "('p",
                                  next_++, "', 'b', ", area, ") RETURNING id"));
    const int64_t incident = Id(absl::StrCat(
        "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
        "damage_cents, has_police_report) VALUES (",
        area, ", ", shop, ", now(), 'theft', 0, false) RETURNING id"));
    return Id(absl::StrCat(
        "INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, "
        "valid_from, valid_until, days, rule, shops) VALUES (",
        person, ", ", incident, ", ", area, ", ", shop, ", '", kind,
        "', now() - interval '1 day', now() + interval '", hours,
        " hours', 30, 'test', 'shop') RETURNING id"));
  }

  int64_t PersonOf(int64_t card) {
    return Id(absl::StrCat("SELECT person_id FROM cards WHERE id = ", card));
  }

  template <typename Fn>
  auto Tx(Fn fn) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    auto out = fn(tx);
    tx.commit();
    return out;
  }

  // Logs a change and sequences it, as a use case and its commit do.
  int64_t Record(int64_t area, int64_t card) {
    Tx([&](auto& tx) {
      Store::RecordChanges(tx, {{area, card}});
      return 0;
    });
    return Tx([&](auto& tx) { return Store::SequencePending(tx).version; });
  }

  std::unique_ptr<common::DbPool> pool_;
  int64_t area_a_ = 0, area_b_ = 0;
  int next_ = 0;
};

TEST_F(GalleryPgTest, VersionsFollowCommitsAndChangesStayInTheirArea) {
  const int64_t a = Card(area_a_, 24), b = Card(area_b_, 24);
  const int64_t v1 = Record(area_a_, a);
  const int64_t v2 = Record(area_b_, b);
  EXPECT_EQ(v1, 1);
  EXPECT_EQ(v2, 2);
  // Nothing pending: no version taken.
  EXPECT_EQ(Tx([&](auto& tx) { return Store::SequencePending(tx).version; }),
            0);
  EXPECT_EQ(Tx([&](auto& tx) { return Store::CurrentVersion(tx); }), 2);
  EXPECT_EQ(
      Tx([&](auto& tx) { return Store::ChangedPersons(tx, {area_a_}, 0, 2); }),
      std::vector<int64_t>{PersonOf(a)});
  EXPECT_TRUE(Tx([&](auto& tx) {
                return Store::ChangedPersons(tx, {area_a_}, 1, 2);
              }).empty());
  const auto states = Tx([&](auto& tx) { return Store::AreaStates(tx, {}); });
  EXPECT_EQ(states.at(area_a_).version, 1);
  EXPECT_EQ(states.at(area_b_).version, 2);
  EXPECT_TRUE(states.at(area_a_).next_expiry.has_value());
}

TEST_F(GalleryPgTest, ConcurrentWritersAreSequencedInCommitOrder) {
  const int64_t card = Card(area_a_, 24);
  std::atomic<bool> stop{false};
  // A device syncing all along: what it sees at or below a version must
  // never grow later (that change would be lost to a device holding it).
  auto below = [](pqxx::transaction_base& tx, int64_t v) {
    return tx
        .exec1("SELECT count(*) FROM gallery_changes WHERE version <= " +
               std::to_string(v))[0]
        .as<int64_t>();
  };
  auto reader = std::async(std::launch::async, [&] {
    std::vector<std::pair<int64_t, int64_t>> seen;  // version, changes <= it
    pqxx::connection conn(conninfo());
    while (!stop) {
      pqxx::read_transaction tx(conn);
      const int64_t v = Store::CurrentVersion(tx);
      seen.emplace_back(v, below(tx, v));
    }
    return seen;
  });
  std::vector<std::future<void>> writers;
  for (int w = 0; w < 4; ++w) {
    writers.push_back(std::async(std::launch::async, [&] {
      for (int i = 0; i < 25; ++i) {
        auto logged = pool_->InTransaction("record", [&](pqxx::work& tx) {
          Store::RecordChanges(tx, {{area_a_, card}});
          return absl::OkStatus();
        });
        EXPECT_TRUE(logged.ok()) << logged;
        auto sequenced = pool_->InTransaction(
            "sequence", [&](pqxx::work& tx) -> absl::StatusOr<Sequenced> {
              return Store::SequencePending(tx);
            });
        EXPECT_TRUE(sequenced.ok()) << sequenced.status();
      }
    }));
  }
  for (auto& w : writers) w.get();
  stop = true;
  const auto seen = reader.get();
  EXPECT_GT(seen.size(), 10u);
  for (const auto& [v, count] : seen) {
    EXPECT_EQ(Tx([&](auto& tx) { return below(tx, v); }), count)
        << "a change appeared at or below version " << v << " after it";
  }
  // Every change has a version; the counter is the newest.
  const int64_t current =
      Tx([&](auto& tx) { return Store::CurrentVersion(tx); });
  EXPECT_GE(current, 1);
  EXPECT_LE(current, 100);
  EXPECT_EQ(Tx([&](auto& tx) {
              return tx
                  .exec1(
                      "SELECT count(*) FROM gallery_changes WHERE "
                      "version IS NULL OR version > " +
                      std::to_string(current))[0]
                  .template as<int64_t>();
            }),
            0);
  EXPECT_EQ(Tx([&](auto& tx) {
              return Store::ChangedPersons(tx, {area_a_}, 0, current).size();
            }),
            1u);
}

TEST_F(GalleryPgTest, ExpiryIsSweptOnceByWhoeverComesFirst) {
  const int64_t soon = Card(area_a_, 1);
  Card(area_a_, 48);
  const absl::Time now = absl::Now();
  EXPECT_TRUE(Tx([&](auto& tx) {
                return Store::SweepExpired(tx, {area_a_}, now);
              }).empty());
  // Two replicas sweep at once, two hours later: one of them logs it.
  std::vector<std::future<size_t>> sweeps;
  for (int i = 0; i < 2; ++i) {
    sweeps.push_back(std::async(std::launch::async, [&] {
      auto swept = pool_->InTransaction(
          "sweep", [&](pqxx::work& tx) -> absl::StatusOr<size_t> {
            auto s = Store::SweepExpired(tx, {area_a_}, now + absl::Hours(2));
            Store::RecordChanges(tx, s);
            Store::SequencePending(tx);
            return s.size();
          });
      return swept.ok() ? *swept : 99;
    }));
  }
  EXPECT_EQ(sweeps[0].get() + sweeps[1].get(), 1u);
  EXPECT_EQ(Tx([&](auto& tx) {
              return Store::ChangedPersons(tx, {area_a_}, 0, 100);
            }),
            std::vector<int64_t>{PersonOf(soon)});
  // In force at +2h: only the other card.
  const auto entries = Tx([&](auto& tx) {
    return Store::EntriesInForce(tx, {area_a_}, now + absl::Hours(2),
                                 std::nullopt);
  });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(entries[0].card_id, soon);
}

TEST_F(GalleryPgTest, DoorSeesCollectiveCardsInForceOfItsAreasOnly) {
  const int64_t shown = Card(area_a_, 24);
  const int64_t individual = Card(area_a_, 24, "individual_ban");
  const int64_t revoked = Card(area_a_, 24);
  const int64_t erased = Card(area_a_, 24);
  const int64_t other = Card(area_b_, 24);
  Exec(
      absl::StrCat("UPDATE cards SET revoked_at = now() WHERE id = ", revoked));
  Exec(
      absl::StrCat("UPDATE persons SET erased_at = now() WHERE id = "
                   "(SELECT person_id FROM cards WHERE id = ",
                   erased, ")"));
  const auto entries = Tx([&](auto& tx) {
    return Store::EntriesInForce(tx, {area_a_}, absl::Now(), std::nullopt);
  });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].card_id, shown);
  const auto only = Tx([&](auto& tx) {
    return Store::EntriesInForce(
        tx, {area_a_}, absl::Now(),
        std::vector<int64_t>{PersonOf(individual), PersonOf(other)});
  });
  EXPECT_TRUE(only.empty());
}

// A shop's individual ban is in force at that shop's door alone: its
// entry and its change reach a door seeing that shop's own bans, never one
// seeing another shop's of the area or of another area (a chain's branch).
// Revoked or expired it is out of force and swept like any card.
TEST_F(GalleryPgTest, AnIndividualBanIsAtItsOwnShopsDoorOnly) {
  const int64_t own = Card(area_a_, 24, "individual_ban");
  const int64_t collective = Card(area_a_, 24, "collective_warning");
  const int64_t shop =
      Id(absl::StrCat("SELECT shop_id FROM cards WHERE id = ", own));
  const int64_t neighbour =
      Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_a_,
                      ", 'neighbour') RETURNING id"));
  const int64_t branch =
      Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_b_,
                      ", 'shop0') RETURNING id"));
  const int64_t v = Record(area_a_, own);
  auto cards_seen_by = [&](std::vector<int64_t> shops) {
    std::vector<int64_t> ids;
    for (const auto& e : Tx([&](auto& tx) {
           return Store::EntriesInForce(tx, {area_a_, area_b_}, absl::Now(),
                                        std::nullopt, shops);
         })) {
      ids.push_back(e.card_id);
      if (e.card_id == own) {
        EXPECT_EQ(e.shop_id, shop);
      }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(cards_seen_by({shop}), (std::vector<int64_t>{own, collective}));
  EXPECT_EQ(cards_seen_by({neighbour}), std::vector<int64_t>{collective});
  EXPECT_EQ(cards_seen_by({branch}), std::vector<int64_t>{collective});
  EXPECT_EQ(cards_seen_by({}), std::vector<int64_t>{collective});
  EXPECT_EQ(Tx([&](auto& tx) {
              return Store::ChangedPersons(tx, {area_a_}, 0, v, {shop});
            }),
            std::vector<int64_t>{PersonOf(own)});
  for (int64_t other : {neighbour, branch}) {
    EXPECT_TRUE(
        Tx([&](auto& tx) {
          return Store::ChangedPersons(tx, {area_a_, area_b_}, 0, v, {other});
        }).empty());
  }
  // The photo may be added while the ban is in force (any kind counts).
  EXPECT_EQ(Tx([&](auto& tx) {
              return Store::CardsInForceOfPerson(tx, PersonOf(own), absl::Now())
                  .size();
            }),
            1u);
  // Its end is the area's next expiry, and a sweep past it purges it.
  const auto swept = Tx([&](auto& tx) {
    return Store::SweepExpired(tx, {area_a_}, absl::Now() + absl::Hours(30));
  });
  EXPECT_EQ(swept.size(), 2u);
  Exec(absl::StrCat("UPDATE cards SET revoked_at = now() WHERE id = ", own));
  EXPECT_EQ(cards_seen_by({shop}), std::vector<int64_t>{collective});
}

// The door shows one tile per person: the store gives the changes by
// person and every card in force of the persons asked for, in all the
// caller's areas, so the sync can choose the strongest.
TEST_F(GalleryPgTest, ChangesAndCardsInForceComeByPerson) {
  const int64_t warning = Card(area_a_, 24, "collective_warning");
  const int64_t ban = Card(area_a_, 12, "collective_ban", warning);
  const int64_t in_b = Card(area_b_, 48, "collective_warning", warning);
  const int64_t stranger = Card(area_a_, 24);
  const int64_t person = PersonOf(warning);
  Tx([&](auto& tx) {
    Store::RecordChanges(tx, {{area_a_, warning}, {area_a_, ban}});
    return 0;
  });
  const int64_t v =
      Tx([&](auto& tx) { return Store::SequencePending(tx).version; });
  EXPECT_EQ(
      Tx([&](auto& tx) { return Store::ChangedPersons(tx, {area_a_}, 0, v); }),
      std::vector<int64_t>{person});
  EXPECT_TRUE(Tx([&](auto& tx) {
                return Store::ChangedPersons(tx, {area_b_}, 0, v);
              }).empty());
  auto cards_of = [&](const std::vector<int64_t>& areas) {
    std::vector<int64_t> ids;
    for (const auto& e : Tx([&](auto& tx) {
           return Store::EntriesInForce(tx, areas, absl::Now(),
                                        std::vector<int64_t>{person});
         })) {
      EXPECT_EQ(e.person.id, person);
      ids.push_back(e.card_id);
    }
    return ids;
  };
  EXPECT_EQ(cards_of({area_a_}), (std::vector<int64_t>{warning, ban}));
  EXPECT_EQ(cards_of({area_a_, area_b_}),
            (std::vector<int64_t>{warning, ban, in_b}));
  Exec(absl::StrCat("UPDATE cards SET revoked_at = now() WHERE id = ", ban));
  EXPECT_EQ(cards_of({area_a_}), std::vector<int64_t>{warning});
  // Everything in force: by person, so a person's cards come together.
  const auto all = Tx([&](auto& tx) {
    return Store::EntriesInForce(tx, {area_a_, area_b_}, absl::Now(),
                                 std::nullopt);
  });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].person.id, person);
  EXPECT_EQ(all[1].person.id, person);
  EXPECT_EQ(all[2].card_id, stranger);
}

TEST_F(GalleryPgTest, SweeperPurgesWhatEndedAndPhotosPastTheirGrace) {
  GalleryVersions versions(*pool_);
  versions.Start();
  ASSERT_TRUE(versions.WaitUntilTrusted(absl::Seconds(10)));
  const int64_t ends = Card(area_a_, 1);
  const int64_t stays = Card(area_b_, 48);
  Exec(
      "INSERT INTO person_photos (person_id, sealed_jpeg, sealed_thumbnail, "
      "width, height) SELECT person_id, 'j', 't', 1, 1 FROM cards");
  // What IssueCard tells this process's versions when it commits.
  versions.Set(Tx([&](auto& tx) { return Store::AreaStates(tx, {}); }));
  common::OffsetClock clock;
  ExpirySweeper sweeper(*pool_, versions, clock, /*grace_days=*/1,
                        std::chrono::hours(1));
  auto swept = sweeper.RunOnce();
  ASSERT_TRUE(swept.ok());
  EXPECT_TRUE(swept->empty());
  // Two hours on: the card ended and is purged; its photo stays one day.
  clock.Advance(absl::Hours(2));
  swept = sweeper.RunOnce();
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(*swept, std::vector<int64_t>{area_a_});
  EXPECT_EQ(Tx([&](auto& tx) {
              return Store::ChangedPersons(tx, {area_a_}, 0, 100);
            }),
            std::vector<int64_t>{PersonOf(ends)});
  const std::vector<int64_t> a = {area_a_};
  EXPECT_FALSE(versions.Lookup(a, clock.Now())->expiry_due);
  EXPECT_EQ(Tx([&](auto& tx) {
              return tx.exec1("SELECT count(*) FROM person_photos")[0]
                  .template as<int64_t>();
            }),
            2);
  clock.Advance(absl::Hours(28));
  ASSERT_TRUE(sweeper.RunOnce().ok());
  EXPECT_EQ(Tx([&](auto& tx) {
              return tx.exec1("SELECT person_id FROM person_photos")[0]
                  .template as<int64_t>();
            }),
            Tx([&](auto& tx) {
              return tx
                  .exec1("SELECT person_id FROM cards WHERE id = " +
                         std::to_string(stays))[0]
                  .template as<int64_t>();
            }));
  versions.Stop();
}

// A year in a line: the same clock that kvod hands the registry, the
// gallery and the sweeper, moved instead of slept on.
TEST_F(GalleryPgTest, AYearOnByTheClockTheCardIsOutOfForceAndSwept) {
  GalleryVersions versions(*pool_);
  versions.Start();
  ASSERT_TRUE(versions.WaitUntilTrusted(absl::Seconds(10)));
  const int64_t card = Card(area_a_, 24 * 365 - 24);
  const int64_t person = Tx([&](auto& tx) {
    return tx
        .exec1("SELECT person_id FROM cards WHERE id = " +
               std::to_string(card))[0]
        .template as<int64_t>();
  });
  versions.Set(Tx([&](auto& tx) { return Store::AreaStates(tx, {}); }));
  common::OffsetClock clock;
  ExpirySweeper sweeper(*pool_, versions, clock, /*grace_days=*/1,
                        std::chrono::hours(1));
  const std::vector<int64_t> a = {area_a_};
  auto in_force = [&] {
    return Tx([&](auto& tx) {
      return Store::EntriesInForce(tx, a, clock.Now(), std::nullopt);
    });
  };
  ASSERT_EQ(in_force().size(), 1u);
  ASSERT_EQ(Tx([&](auto& tx) {
              return Store::CardsInForceOfPerson(tx, person, clock.Now());
            }).size(),
            1u);
  auto swept = sweeper.RunOnce();
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_TRUE(swept->empty());

  clock.Advance(absl::Hours(24 * 365));

  EXPECT_TRUE(in_force().empty());
  EXPECT_TRUE(Tx([&](auto& tx) {
                return Store::CardsInForceOfPerson(tx, person, clock.Now());
              }).empty());
  EXPECT_TRUE(versions.Lookup(a, clock.Now())->expiry_due);
  swept = sweeper.RunOnce();
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(*swept, a);
  EXPECT_EQ(Tx([&](auto& tx) { return Store::ChangedPersons(tx, a, 0, 100); }),
            std::vector<int64_t>{person});
  EXPECT_FALSE(versions.Lookup(a, clock.Now())->expiry_due);
  versions.Stop();
}

TEST_F(GalleryPgTest, AnotherReplicaHearsOfChangesThroughNotify) {
  GalleryVersions replica(*pool_);
  replica.Start();
  ASSERT_TRUE(replica.WaitUntilTrusted(absl::Seconds(10)));
  const std::vector<int64_t> areas = {area_a_};
  EXPECT_EQ(replica.Lookup(areas, absl::Now())->version, 0);
  const int64_t card = Card(area_a_, 24);
  const int64_t v = Record(area_a_, card);
  int64_t seen = 0;
  for (int i = 0; i < 100 && seen != v; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    seen = replica.Lookup(areas, absl::Now())->version;
  }
  EXPECT_EQ(seen, v);
  const auto view = replica.Lookup(areas, absl::Now() + absl::Hours(25));
  EXPECT_TRUE(view->expiry_due);
  EXPECT_EQ(view->newest, v);
  replica.Stop();
}

// During a database failover the listener is down: Lookup no longer
// vouches for the state, but a caller that could not reach the database
// either may answer from the state as it was, for a bounded time (issue 27).
TEST_F(GalleryPgTest, TheLastKnownStateAnswersOnlyWhileTheDatabaseIsAway) {
  GalleryVersions versions(*pool_);
  versions.Start();
  ASSERT_TRUE(versions.WaitUntilTrusted(absl::Seconds(10)));
  const std::vector<int64_t> areas = {area_a_};
  const int64_t v = Record(area_a_, Card(area_a_, 24));
  for (int i = 0; i < 100 && versions.Lookup(areas, absl::Now())->version != v;
       ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(versions.Lookup(areas, absl::Now())->version, v);
  EXPECT_EQ(versions.LastKnown(areas, absl::Now(), absl::Seconds(30))->version,
            v)
      << "while trusted, the last known state is the state";

  // The database goes away: the listener loses its connection.
  pqxx::connection admin(conninfo() + " dbname=postgres");
  pqxx::nontransaction tx(admin);
  tx.exec0("ALTER DATABASE " + tx.quote_name(dbname()) +
           " ALLOW_CONNECTIONS false");
  tx.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "datname = " +
      tx.quote(dbname()));
  for (int i = 0; i < 100 && versions.Lookup(areas, absl::Now()); ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_FALSE(versions.Lookup(areas, absl::Now()))
      << "a listener that is down vouches for nothing";
  const auto last = versions.LastKnown(areas, absl::Now(), absl::Seconds(30));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->version, v);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(versions.LastKnown(areas, absl::Now(), absl::Milliseconds(40)))
      << "past the bound the old state answers for nothing";
  tx.exec0("ALTER DATABASE " + tx.quote_name(dbname()) +
           " ALLOW_CONNECTIONS true");
  ASSERT_TRUE(versions.WaitUntilTrusted(absl::Seconds(10)));
  versions.Stop();
}

}  // namespace
}  // namespace kvo::gallery
