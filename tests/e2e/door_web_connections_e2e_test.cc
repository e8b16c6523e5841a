// The door page's connections against the real kvod: idle and half-open
// connections do not stall it, and a browser's address is its own only
// behind a proxy kvod trusts.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/door_page_client.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/kvod_process.h"
#include "tests/support/pg_environment.h"

namespace kvo::testing {
namespace {

using Clock = std::chrono::steady_clock;

class DoorWebConnectionsE2E : public ::testing::Test {
 protected:
  void StartKvod(std::vector<std::string> args, const PolicyEdits& edits = {}) {
    args.push_back("--policy=" + TestPolicy(tmp_.path(), edits).string());
    kvod_ = KvodProcess::Start(tmp_.path() / "data", args);
    ASSERT_NE(kvod_, nullptr);
    page_ =
        std::make_unique<DoorPageClient>(kvod_->door_url(), kvod_->ca_path());
  }
  void TearDown() override {
    if (kvod_ != nullptr) EXPECT_EQ(kvod_->Stop(), 0);
  }

  // POST /login for a login that does not exist: 401, or 429 once the
  // address has used up its attempts.
  int FailedLogin(const std::string& forwarded_for) {
    return page_->Login("nobody", "not the password", forwarded_for).status;
  }

  TempDir tmp_;
  std::unique_ptr<KvodProcess> kvod_;
  std::unique_ptr<DoorPageClient> page_;
};

// Browsers keep their connection between polls, and anyone can open
// connections and send nothing: neither may take the workers the next
// request needs. Kept-alive connections are held 60 s here, so a page that
// gave each a worker would leave the new request waiting tens of seconds.
TEST_F(DoorWebConnectionsE2E, ManyIdleConnectionsDoNotStallTheNextRequest) {
  constexpr int kWorkers = 4;
  StartKvod(
      {"--page-threads=" + std::to_string(kWorkers), "--page-keep-alive=60"});
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 6 * kWorkers; ++i) {
    auto c = page_->Https();
    c->set_keep_alive(true);
    c->set_connection_timeout(30, 0);
    auto res = c->Get("/login");
    // Until the page holds idle connections apart, the later ones wait for
    // a worker here already (60 s each round).
    ASSERT_TRUE(res) << "idle connection " << i << ": "
                     << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200);
    idle.push_back(std::move(c));
  }
  std::vector<int> silent;
  for (int i = 0; i < 4 * kWorkers; ++i) {
    // Connected, and never a byte: a TLS handshake that does not come.
    const int fd = ConnectLoopback(PortOf(kvod_->door_url()));
    ASSERT_GE(fd, 0);
    silent.push_back(fd);
  }

  const auto start = Clock::now();
  auto c = page_->Https();
  auto res = c->Get("/login");
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  // Generous for a loaded machine (it takes milliseconds), far below the
  // 60 s an idle connection is held and the 10 s a handshake may take.
  EXPECT_LT(seconds, 8.0) << "the new request waited behind idle connections";

  // The kept-alive connections are still served.
  for (auto& held : idle) {
    auto again = held->Get("/login");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
  }
  for (int fd : silent) ::close(fd);
}

// Without --trusted-proxy an X-Forwarded-For header is the client's own
// word: one address that makes up a fresh one each time stays one address.
TEST_F(DoorWebConnectionsE2E, ForwardedForFromAnUntrustedPeerIsIgnored) {
  StartKvod({}, {{"logins_per_address_per_minute: 100000",
                  "logins_per_address_per_minute: 3"}});
  std::vector<int> statuses;
  for (int i = 1; i <= 5; ++i) {
    statuses.push_back(FailedLogin(absl::StrCat("198.51.100.", i)));
  }
  EXPECT_EQ(statuses, (std::vector<int>{401, 401, 401, 429, 429}));
}

// Behind a trusted proxy (127.0.0.1 here) each forwarded address has its
// own login limit, and the audit log names it, not the proxy.
TEST_F(DoorWebConnectionsE2E, BehindATrustedProxyEachBrowserCountsApart) {
  StartKvod({"--trusted-proxy=127.0.0.1/32"},
            {{"logins_per_address_per_minute: 100000",
              "logins_per_address_per_minute: 3"}});
  std::vector<int> first;
  for (int i = 0; i < 4; ++i) first.push_back(FailedLogin("198.51.100.1"));
  EXPECT_EQ(first, (std::vector<int>{401, 401, 401, 429}));
  // Another browser behind the same proxy; a value it sent itself comes
  // first and is not believed, the proxy's own entry is.
  EXPECT_EQ(FailedLogin("203.0.113.9, 198.51.100.2"), 401);

  pqxx::connection db(EmbeddedConninfo(tmp_.path() / "data"));
  pqxx::work tx(db);
  const auto peers = tx.exec(
      "SELECT peer FROM audit_entries WHERE action = 'identity.login' "
      "ORDER BY id");
  std::vector<std::string> seen;
  for (const auto& row : peers) seen.push_back(row[0].as<std::string>());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "ipv4:198.51.100.2");
  for (const std::string& peer : seen) {
    EXPECT_NE(peer, "ipv4:127.0.0.1") << "the proxy's address was audited";
  }
}

}  // namespace
}  // namespace kvo::testing
