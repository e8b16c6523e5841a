// The session cache against a real database: a stale entry is refreshed by
// one caller while the token's other callers go on (a door of many tablets
// sharing one login must not become a burst of queries queueing behind the
// writers), for a bounded time only, and an ended session ends access.

#include <chrono>
#include <future>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/authenticator.h"
#include "services/identity/pg_identity_store.h"
#include "tests/support/pg_environment.h"

namespace kvo::identity {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kTtl{200};
const std::string kToken(64, 'a');

class AuthenticatorTest : public kvo::testing::PgTest {
 protected:
  common::OffsetClock clock_;
  void SetUp() override {
    PgTest::SetUp();
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    const int64_t id = PgIdentityStore::InsertPrincipal(
        tx, "bakker", "Bakker", "shopkeeper", "active", "x", 0);
    PgIdentityStore::InsertSession(
        tx, Authenticator::TokenHash(kToken), id,
        std::chrono::duration_cast<milliseconds>(
            std::chrono::system_clock::now().time_since_epoch() +
            std::chrono::minutes(30))
            .count());
    tx.commit();
  }

  // Holds the sessions table so that a session check blocks, until Release.
  struct TableLock {
    pqxx::connection conn;
    pqxx::work tx;
    explicit TableLock(const std::string& conninfo) : conn(conninfo), tx(conn) {
      tx.exec0("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
    }
    void Release() { tx.commit(); }
  };

  // Whether a query is waiting for the lock on sessions.
  bool SomeoneWaits() {
    pqxx::connection conn(conninfo());
    pqxx::nontransaction tx(conn);
    return tx.exec1(
                 "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = "
                 "l.relation WHERE c.relname = 'sessions' AND NOT l.granted")[0]
               .as<int>() > 0;
  }

  void AwaitWaiter() {
    for (int i = 0; i < 500 && !SomeoneWaits(); ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_TRUE(SomeoneWaits()) << "the refresh never reached the database";
  }
};

TEST_F(AuthenticatorTest, OneCallerRefreshesAStaleEntryWhileTheOthersGoOn) {
  common::DbPool pool(conninfo(), 2);
  Authenticator auth(pool, clock_, kTtl);
  ASSERT_TRUE(auth.Authenticate(kToken).ok());
  std::this_thread::sleep_for(kTtl + milliseconds(20));  // stale now

  TableLock lock(conninfo());
  auto refresher =
      std::async(std::launch::async, [&] { return auth.Authenticate(kToken); });
  AwaitWaiter();
  // The refresh is stuck in the database; the others answer from memory.
  std::vector<std::future<absl::StatusOr<Caller>>> others;
  for (int i = 0; i < 20; ++i) {
    others.push_back(std::async(std::launch::async,
                                [&] { return auth.Authenticate(kToken); }));
  }
  for (auto& f : others) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "a caller queued behind the refresh instead of using the entry";
    auto caller = f.get();
    ASSERT_TRUE(caller.ok()) << caller.status();
    EXPECT_EQ(caller->login, "bakker");
  }
  EXPECT_EQ(refresher.wait_for(milliseconds(0)), std::future_status::timeout)
      << "the refresh should still wait for the table";

  // Past 3 × the ttl a stale entry answers no one: the next caller waits.
  std::this_thread::sleep_for(3 * kTtl);
  auto late =
      std::async(std::launch::async, [&] { return auth.Authenticate(kToken); });
  EXPECT_EQ(late.wait_for(milliseconds(300)), std::future_status::timeout)
      << "an entry older than 3 x the ttl must not answer";
  lock.Release();
  EXPECT_TRUE(refresher.get().ok());
  EXPECT_TRUE(late.get().ok());
}

TEST_F(AuthenticatorTest, AnEndedSessionEndsAccessAfterTheTtl) {
  common::DbPool pool(conninfo(), 2);
  Authenticator auth(pool, clock_, kTtl);
  ASSERT_TRUE(auth.Authenticate(kToken).ok());
  {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    PgIdentityStore::RevokeSession(tx, Authenticator::TokenHash(kToken));
    tx.commit();
  }
  std::this_thread::sleep_for(kTtl + milliseconds(20));
  for (int i = 0; i < 3; ++i) {
    auto caller = auth.Authenticate(kToken);
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated)
        << "call " << i << " after the session ended";
  }
}

// The session ends at its expiry on kvod's clock, the one that set it, not
// on the database's: a simulated year moves kvod's clock only (issue 24).
TEST_F(AuthenticatorTest, ASessionEndsAtItsExpiryOnKvodsClock) {
  common::DbPool pool(conninfo(), 2);
  Authenticator auth(pool, clock_, kTtl);
  ASSERT_TRUE(auth.Authenticate(kToken).ok());
  clock_.Advance(absl::Minutes(29));
  std::this_thread::sleep_for(kTtl + milliseconds(20));
  EXPECT_TRUE(auth.Authenticate(kToken).ok()) << "a minute before its end";
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(auth.Authenticate(kToken).status().code(),
            absl::StatusCode::kUnauthenticated)
      << "cached or not, a session past its end on kvod's clock is over";
  std::this_thread::sleep_for(kTtl + milliseconds(20));
  EXPECT_EQ(auth.Authenticate(kToken).status().code(),
            absl::StatusCode::kUnauthenticated)
      << "the database's now() must not decide";
}

// A database failover takes seconds: a token confirmed shortly before is
// still let in meanwhile (a door's no-change sync is answered from memory),
// one never confirmed is not, and a session past its end is over even then
// (issue 27).
TEST_F(AuthenticatorTest, AConfirmedTokenOutlivesADatabaseThatWentAway) {
  common::DbPool pool(conninfo(), 2);
  Authenticator auth(pool, clock_, kTtl);
  ASSERT_TRUE(auth.Authenticate(kToken).ok());
  const std::string stranger(64, 'b');
  // The database goes away for this pool: no new connections, and the
  // pool's own are cut (this one, to another database, lets them in again).
  pqxx::connection admin(conninfo() + " dbname=postgres");
  pqxx::nontransaction tx(admin);
  tx.exec0("ALTER DATABASE " + tx.quote_name(dbname()) +
           " ALLOW_CONNECTIONS false");
  tx.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "datname = " +
      tx.quote(dbname()));
  std::this_thread::sleep_for(3 * kTtl + milliseconds(20));  // stale
  for (int i = 0; i < 3; ++i) {
    auto caller = auth.Authenticate(kToken);
    ASSERT_TRUE(caller.ok()) << "call " << i << ": " << caller.status();
    EXPECT_EQ(caller->login, "bakker");
  }
  EXPECT_EQ(auth.Authenticate(stranger).status().code(),
            absl::StatusCode::kUnavailable)
      << "a token never confirmed must wait for the database";
  clock_.Advance(absl::Minutes(31));
  EXPECT_EQ(auth.Authenticate(kToken).status().code(),
            absl::StatusCode::kUnavailable)
      << "past its end the session is not let in from memory";
  tx.exec0("ALTER DATABASE " + tx.quote_name(dbname()) +
           " ALLOW_CONNECTIONS true");
}

}  // namespace
}  // namespace kvo::identity
