#include <chrono>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "gtest/gtest.h"
#include "services/common/db_pool.h"
#include "services/common/pg_rate_limiter.h"
#include "tests/support/pg_environment.h"

namespace kvo::common {
namespace {

using std::chrono::seconds;

class PgRateLimiterTest : public kvo::testing::PgTest {
 protected:
  int64_t Rows() {
    pqxx::connection conn(conninfo());
    pqxx::nontransaction tx(conn);
    return tx.exec1("SELECT count(*) FROM rate_windows")[0].as<int64_t>();
  }
};

// Two limiters on pools of their own are two kvods on one database: the
// limit is counted once across them.
TEST_F(PgRateLimiterTest, TwoReplicasShareOneCount) {
  DbPool pool_a(conninfo(), 1), pool_b(conninfo(), 1);
  PgRateLimiter a(pool_a, "login", seconds(3600));
  PgRateLimiter b(pool_b, "login", seconds(3600));
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    auto wait = (i % 2 == 0 ? a : b).Acquire("ipv4:10.0.0.1", 4);
    ASSERT_TRUE(wait.ok()) << wait.status();
    if (*wait == 0) {
      ++allowed;
    } else {
      EXPECT_GE(*wait, 1);
      EXPECT_LE(*wait, 3600);
    }
  }
  EXPECT_EQ(allowed, 4);
  // Other keys and other scopes count apart.
  EXPECT_EQ(a.Acquire("ipv4:10.0.0.2", 4).value_or(-1), 0);
  PgRateLimiter photos(pool_a, "photo", seconds(3600));
  EXPECT_EQ(photos.Acquire("ipv4:10.0.0.1", 4).value_or(-1), 0);
}

TEST_F(PgRateLimiterTest, AWindowEndsAndEndedWindowsAreDeleted) {
  DbPool pool(conninfo(), 1);
  PgRateLimiter limiter(pool, "login", seconds(1));
  ASSERT_EQ(limiter.Acquire("k", 1).value_or(-1), 0);
  // The next window (a second after the first event) allows again.
  bool allowed_again = false;
  for (int i = 0; i < 30 && !allowed_again; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    allowed_again = limiter.Acquire("k", 1).value_or(-1) == 0;
  }
  EXPECT_TRUE(allowed_again);
  // The first Acquire of a process cleans up: a new limiter (a restarted
  // kvod) deletes the windows that ended.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  PgRateLimiter restarted(pool, "login", seconds(1));
  ASSERT_TRUE(restarted.Acquire("other", 1).ok());
  EXPECT_EQ(Rows(), 1);
}

// Fails closed: a limit that cannot be counted lets nothing through.
TEST_F(PgRateLimiterTest, UnavailableWhenTheDatabaseIsAway) {
  DbPool pool("host=/nonexistent port=1 dbname=none connect_timeout=1", 1);
  PgRateLimiter limiter(pool, "login", seconds(60));
  auto wait = limiter.Acquire("ipv4:10.0.0.1", 20);
  EXPECT_EQ(wait.status().code(), absl::StatusCode::kUnavailable);
}

// What the hot path pays: one round trip and an UNLOGGED upsert per event.
TEST_F(PgRateLimiterTest, CostPerEvent) {
  DbPool pool(conninfo(), 1);
  PgRateLimiter limiter(pool, "photo", seconds(3600));
  constexpr int kEvents = 2000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(limiter.Acquire(std::to_string(i % 50), 1000000).ok());
  }
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
  std::cout << "PgRateLimiter::Acquire: " << us / kEvents
            << " us per event (one connection, " << kEvents << " events)\n";
}

}  // namespace
}  // namespace kvo::common
