#include <atomic>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/db_pool.h"
#include "services/common/metrics.h"
#include "tests/support/pg_environment.h"

namespace kvo::common {
namespace {

using ::testing::HasSubstr;

class DbPoolTest : public kvo::testing::PgTest {
 protected:
  int CountAreas(DbPool& pool) {
    auto n =
        pool.InTransaction("count", [](pqxx::work& tx) -> absl::StatusOr<int> {
          return tx.exec1("SELECT count(*) FROM areas")[0].as<int>();
        });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  static absl::Status InsertArea(pqxx::work& tx, const std::string& name) {
    tx.exec_params0(
        "INSERT INTO areas (name, kind, municipality) VALUES ($1, "
        "'shopping_area', 'Deventer')",
        name);
    return absl::OkStatus();
  }
};

TEST_F(DbPoolTest, CommitsOnOkAndRollsBackOnError) {
  DbPool pool(conninfo(), 2);
  ASSERT_TRUE(pool.InTransaction("insert",
                                 [](pqxx::work& tx) {
                                   return InsertArea(tx, "Binnenstad");
                                 })
                  .ok());
  absl::Status refused = pool.InTransaction("insert", [](pqxx::work& tx) {
    InsertArea(tx, "Keizerslanden").IgnoreError();
    return absl::InvalidArgumentError("name: not allowed");
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CountAreas(pool), 1) << "the refused write must not persist";
}

TEST_F(DbPoolTest, UniqueViolationIsAlreadyExistsWithoutSqlText) {
  DbPool pool(conninfo(), 2);
  auto insert = [](pqxx::work& tx) { return InsertArea(tx, "Binnenstad"); };
  ASSERT_TRUE(pool.InTransaction("create area", insert).ok());
  absl::Status dup = pool.InTransaction("create area", insert);
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), ::testing::Not(HasSubstr("INSERT")));
  EXPECT_THAT(dup.message(), ::testing::Not(HasSubstr("Binnenstad")));
}

TEST_F(DbPoolTest, OtherSqlErrorsAreInternalWithoutSqlText) {
  DbPool pool(conninfo(), 1);
  absl::Status s = pool.InTransaction("broken query", [](pqxx::work& tx) {
    tx.exec0("SELECT * FROM no_such_table");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "internal error during broken query");
}

TEST_F(DbPoolTest, ReconnectsAfterTheServerDropsTheConnection) {
  DbPool pool(conninfo(), 1);
  ASSERT_EQ(CountAreas(pool), 0);
  // Kill the pool's backend from outside, as a PostgreSQL restart would.
  {
    pqxx::connection admin(conninfo());
    pqxx::work tx(admin);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    tx.commit();
  }
  absl::Status during = pool.InTransaction("count", [](pqxx::work& tx) {
    tx.exec1("SELECT 1");
    return absl::OkStatus();
  });
  // The in-flight use may fail (UNAVAILABLE); the next one must work.
  if (!during.ok()) {
    EXPECT_EQ(during.code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(CountAreas(pool), 0);
}

TEST_F(DbPoolTest, DiscardAllReplacesIdleAndLeasedConnections) {
  DbPool pool(conninfo(), 2);
  auto backend = [](DbPool::Lease& lease) {
    pqxx::nontransaction tx(lease.conn());
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  };
  int leased_pid = 0, idle_pid = 0;
  {
    auto leased = pool.Acquire();
    ASSERT_TRUE(leased.ok()) << leased.status();
    leased_pid = backend(*leased);
    {
      auto idle = pool.Acquire();
      ASSERT_TRUE(idle.ok()) << idle.status();
      idle_pid = backend(*idle);
    }
    pool.DiscardAll();
    EXPECT_EQ(backend(*leased), leased_pid)
        << "a leased connection stays usable until it is returned";
  }
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  const std::set<int> now = {backend(*a), backend(*b)};
  EXPECT_EQ(now.count(leased_pid), 0u);
  EXPECT_EQ(now.count(idle_pid), 0u);
}

TEST_F(DbPoolTest, UnreachableDatabaseIsUnavailableNotACrash) {
  DbPool pool("host=/nonexistent-kvo-dir port=1 dbname=x connect_timeout=1", 1,
              std::chrono::milliseconds(200));
  absl::Status s = pool.InTransaction("count", [](pqxx::work& tx) {
    tx.exec1("SELECT 1");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("database is unavailable"));
}

TEST_F(DbPoolTest, ExhaustedPoolTimesOutWithUnavailable) {
  DbPool pool(conninfo(), 1, std::chrono::milliseconds(100));
  auto held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  auto second = pool.Acquire();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

// Only the requests that found no connection free are counted: how many,
// how long, and those that gave up.
TEST_F(DbPoolTest, WaitsAndTimeoutsAreCounted) {
  MetricRegistry registry;
  DbPool pool(conninfo(), 1, std::chrono::milliseconds(2000));
  pool.CountWaits(registry, "main");
  Counter& waits = registry.GetCounter(
      "kvo_db_pool_waits_total",
      "Connection requests that found no free connection and waited.",
      {{"pool", "main"}});
  {
    auto free = pool.Acquire();  // one free: no wait
    ASSERT_TRUE(free.ok());
  }
  EXPECT_EQ(waits.value(), 0u);
  std::optional<DbPool::Lease> held;
  held.emplace(*pool.Acquire());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    held.reset();
  });
  auto waited = pool.Acquire();
  release.join();
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ(waits.value(), 1u);
  const std::string text = registry.Render();
  EXPECT_THAT(text,
              HasSubstr("kvo_db_pool_wait_seconds_count{pool=\"main\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kvo_db_pool_timeouts_total{pool=\"main\"} 0\n"));

  DbPool tight(conninfo(), 1, std::chrono::milliseconds(100));
  tight.CountWaits(registry, "tight");
  auto first = tight.Acquire();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(tight.Acquire().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(registry.Render(),
              HasSubstr("kvo_db_pool_timeouts_total{pool=\"tight\"} 1\n"));
}

TEST_F(DbPoolTest, YieldsToForegroundCallsWhileTheyAreInFlight) {
  ForegroundCalls door(1);
  DbPool pool(conninfo(), 3, std::chrono::seconds(2));
  pool.YieldTo(&door);
  auto first = pool.Acquire();  // the door is quiet: any of the 3
  ASSERT_TRUE(first.ok());
  auto busy = std::make_unique<ForegroundCalls::Scope>(&door);
  // One slot while the door is busy: a second caller waits, though two
  // connections are free, until the door is quiet; no lease comes back.
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto second = pool.Acquire();
    EXPECT_TRUE(second.ok()) << second.status();
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(got) << "a caller got a connection while the door was busy";
  busy.reset();
  waiter.join();
  EXPECT_TRUE(got);
  std::this_thread::sleep_for(ForegroundCalls::kLinger * 2);
  auto third = pool.Acquire();
  auto fourth = pool.Acquire();
  EXPECT_TRUE(third.ok()) << third.status();
  EXPECT_TRUE(fourth.ok()) << fourth.status();
}

TEST(ForegroundCallsTest, LimitsOnlyWhileBusyAndShortlyAfter) {
  ForegroundCalls door(2);
  EXPECT_EQ(door.Allowed(8), 8u);
  {
    ForegroundCalls::Scope a(&door), b(&door);
    EXPECT_EQ(door.Allowed(8), 2u);
    EXPECT_EQ(door.Allowed(1), 1u);
  }
  EXPECT_EQ(door.Allowed(8), 2u) << "right after the last call";
  std::this_thread::sleep_for(ForegroundCalls::kLinger * 2);
  EXPECT_EQ(door.Allowed(8), 8u);
  ForegroundCalls off(0);
  ForegroundCalls::Scope c(&off);
  EXPECT_EQ(off.Allowed(8), 8u);
}

TEST_F(DbPoolTest, SerializationFailuresAreRetried) {
  DbPool pool(conninfo(), 2);
  int attempts = 0;
  absl::Status s = pool.InTransaction("retry", [&](pqxx::work& tx) {
    if (++attempts < 3) throw pqxx::serialization_failure("simulated");
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts, 3);
}

// A connection made to a primary that is read-only now (a standby after a
// failover, or read-only by setting) answers 25006 on a write: UNAVAILABLE
// with a retry hint, and the connection is dropped, so the next call gets
// a fresh one (which target_session_attrs=read-write points at the new
// primary) instead of failing on the old one for ever.
TEST_F(DbPoolTest, AReadOnlySessionIsUnavailableAndDropped) {
  DbPool pool(conninfo(), 1);
  ASSERT_TRUE(pool.InTransaction(
                      "demote",
                      [](pqxx::work& tx) {
                        tx.exec0(
                            "SET SESSION default_transaction_read_only = on");
                        return absl::OkStatus();
                      })
                  .ok());
  absl::Status refused = pool.InTransaction("create area", [](pqxx::work& tx) {
    return InsertArea(tx, "Binnenstad");
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("retry"));
  EXPECT_THAT(refused.message(), ::testing::Not(HasSubstr("INSERT")));
  absl::Status again = pool.InTransaction("create area", [](pqxx::work& tx) {
    return InsertArea(tx, "Binnenstad");
  });
  EXPECT_TRUE(again.ok()) << again << ": the read-only connection was kept";
  EXPECT_EQ(CountAreas(pool), 1);
}

}  // namespace
}  // namespace kvo::common
