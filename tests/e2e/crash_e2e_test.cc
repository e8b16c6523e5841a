// Crashes users will have: the embedded PostgreSQL killed under load, kvod
// itself killed and started again at once, and a second kvod started on a
// data directory that is in use.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/common/embedded_postgres.h"
#include "services/common/proc_stat.h"
#include "tests/support/polling.h"
#include "tests/support/registry_fixture.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using grpc::health::v1::HealthCheckResponse;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

constexpr int kWriters = 3;

long PostmasterPid(const fs::path& data) {
  long pid = 0;
  std::ifstream(data / "pg" / "postmaster.pid") >> pid;
  return pid;
}

// Running, not a zombie (an orphan's exit may wait for its reaper).
bool Alive(long pid) { return common::ProcessAlive(static_cast<pid_t>(pid)); }

// What the writers were told: the ids of acknowledged writes (kept apart
// per kind), and every failure's code, with the messages of UNAVAILABLE.
struct Acked {
  std::mutex mu;
  std::vector<int64_t> persons, incidents, cards;
  std::map<int, int> failures;
  std::set<std::string> unavailable_messages;
  std::vector<std::string> other_failures;

  void Fail(const grpc::Status& s) {
    std::lock_guard lock(mu);
    ++failures[s.error_code()];
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
      unavailable_messages.insert(s.error_message());
    } else if (other_failures.size() < 10) {
      other_failures.push_back(
          absl::StrCat(s.error_code(), ": ", s.error_message()));
    }
  }
  size_t persons_acked() {
    std::lock_guard lock(mu);
    return persons.size();
  }
};

class CrashE2E : public RegistryFixture {
 protected:
  HealthCheckResponse::ServingStatus Health() { return HealthOf(*kvod_); }

  // Writers on channels of their own, each person with an incident and,
  // when `cards`, a card for it, until `stop`.
  std::vector<std::thread> StartWriters(Acked& acked, std::atomic<bool>& stop,
                                        bool cards) {
    std::vector<std::thread> writers;
    const std::shared_ptr<grpc::Channel> channel = kvod_->Channel();
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([this, w, &acked, &stop, cards] {
        auto registry = RegistryService::NewStub(kvod_->Channel());
        for (int i = 0; !stop; ++i) {
          Person person;
          grpc::Status s = registry->CreatePerson(
              Ctx(police_).get(),
              PersonRequest(absl::StrCat("Crash", w, "x", i)), &person);
          if (!s.ok()) {
            acked.Fail(s);
            std::this_thread::sleep_for(milliseconds(20));
            continue;
          }
          {
            std::lock_guard lock(acked.mu);
            acked.persons.push_back(person.id());
          }
          if (!cards) continue;
          RecordIncidentRequest req;
          req.set_shop_id(bakery_);
          req.set_person_id(person.id());
          *req.mutable_occurred_at() = SecondsFromNow(-kHour);
          req.set_offence_type("theft");
          req.set_description("nam een fles wijn mee");
          req.set_damage_cents(1299);
          kvo::v1::Incident incident;
          s = registry->RecordIncident(Ctx(police_).get(), req, &incident);
          if (!s.ok()) {
            acked.Fail(s);
            continue;
          }
          {
            std::lock_guard lock(acked.mu);
            acked.incidents.push_back(incident.id());
          }
          IssueCardRequest issue;
          issue.set_incident_id(incident.id());
          issue.set_scope(CARD_SCOPE_COLLECTIVE);
          Card card;
          s = registry->IssueCard(Ctx(police_).get(), issue, &card);
          if (!s.ok()) {
            acked.Fail(s);
            continue;
          }
          std::lock_guard lock(acked.mu);
          acked.cards.push_back(card.id());
        }
      });
    }
    return writers;
  }

  // Every acknowledged id is in `table`, once.
  void ExpectAllPresent(const std::string& table,
                        const std::vector<int64_t>& ids) {
    const std::set<int64_t> distinct(ids.begin(), ids.end());
    EXPECT_EQ(distinct.size(), ids.size()) << table << ": an id acked twice";
    if (ids.empty()) return;
    EXPECT_EQ(
        Count(absl::StrCat("SELECT count(*) FROM ", table, " WHERE id = ANY('{",
                           absl::StrJoin(ids, ","), "}'::bigint[])")),
        static_cast<int64_t>(ids.size()))
        << table << ": an acknowledged write is missing";
  }

  // Starts kvod again on the same data with the fixture's flags.
  void Restart() {
    std::vector<std::string> args = {
        "--policy=" + (tmp_.path() / "policy.textproto").string()};
    args.insert(args.end(), extra_kvod_args_.begin(), extra_kvod_args_.end());
    kvod_ = KvodProcess::Start(data_, args);
    ASSERT_NE(kvod_, nullptr);
    registry_ = RegistryService::NewStub(kvod_->Channel());
    audit_ = AuditService::NewStub(kvod_->Channel());
    identity_ = IdentityService::NewStub(kvod_->Channel());
  }
};

TEST_F(CrashE2E, KilledPostmasterIsRestartedAndHealthFollowsIt) {
  ASSERT_EQ(Health(), HealthCheckResponse::SERVING);
  Acked acked;
  std::atomic<bool> stop = false;
  std::vector<std::thread> writers = StartWriters(acked, stop, false);
  ASSERT_TRUE(PollUntil([&] { return acked.persons_acked() >= 10; },
                        milliseconds(30000)));

  const long postmaster = PostmasterPid(data_);
  ASSERT_TRUE(Alive(postmaster));
  ASSERT_EQ(::kill(static_cast<pid_t>(postmaster), SIGKILL), 0);
  auto down =
      PollUntil([&] { return Health() == HealthCheckResponse::NOT_SERVING; },
                milliseconds(5000));
  ASSERT_TRUE(down.has_value()) << "health must say NOT_SERVING";
  EXPECT_LT(down->count(), 1000);
  auto up = PollUntil([&] { return Health() == HealthCheckResponse::SERVING; },
                      milliseconds(30000));
  ASSERT_TRUE(up.has_value()) << "kvod must serve again";
  const size_t before = acked.persons_acked();
  auto writes = PollUntil([&] { return acked.persons_acked() >= before + 5; },
                          milliseconds(10000));
  ASSERT_TRUE(writes.has_value()) << "writes must succeed again";
  std::cout << "postmaster kill -> NOT_SERVING in " << down->count()
            << " ms, -> SERVING again " << up->count() << " ms later, writes "
            << writes->count() << " ms after that\n";
  stop = true;
  for (auto& t : writers) t.join();

  const long restarted = PostmasterPid(data_);
  EXPECT_NE(restarted, postmaster);
  EXPECT_TRUE(Alive(restarted));
  {
    std::lock_guard lock(acked.mu);
    EXPECT_EQ(acked.failures.count(grpc::StatusCode::INTERNAL), 0u)
        << absl::StrJoin(acked.other_failures, "\n");
    for (const std::string& m : acked.unavailable_messages) {
      EXPECT_THAT(m, HasSubstr("retry")) << m;
    }
    std::cout << acked.persons.size() << " persons acked; failures:";
    for (const auto& [code, n] : acked.failures) {
      std::cout << " code " << code << " x" << n;
    }
    std::cout << "; UNAVAILABLE said: "
              << absl::StrJoin(acked.unavailable_messages, " | ") << "\n";
    ExpectAllPresent("persons", acked.persons);
  }
  // The audit sequencer found its way back: what was logged gets signed.
  WaitForSignedHead(admin_);
  EXPECT_THAT(kvod_->process().Stderr(),
              HasSubstr("embedded postgres started again"));
}

class CrashDrillE2E : public CrashE2E {
 protected:
  void SetUp() override {
    // Durable commits: an acknowledged write must survive the kill.
    extra_kvod_args_ = {"--pg-setting=fsync=on",
                        "--pg-setting=synchronous_commit=on"};
    CrashE2E::SetUp();
  }
};

TEST_F(CrashDrillE2E, KvodKilledThreeTimesLosesNoAcknowledgedWrite) {
  Acked acked;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> stop = false;
    const size_t before = acked.persons_acked();
    std::vector<std::thread> writers = StartWriters(acked, stop, true);
    ASSERT_TRUE(PollUntil([&] { return acked.persons_acked() >= before + 6; },
                          milliseconds(30000)))
        << "round " << round;
    kvod_->process().Signal(SIGKILL);
    ASSERT_TRUE(kvod_->process().Wait(std::chrono::seconds(10)).has_value());
    stop = true;
    for (auto& t : writers) t.join();
    const auto t0 = steady_clock::now();
    ASSERT_NO_FATAL_FAILURE(Restart()) << "round " << round;
    std::cout << "restart " << round << " after SIGKILL ready in "
              << std::chrono::duration_cast<milliseconds>(steady_clock::now() -
                                                          t0)
                     .count()
              << " ms\n";
  }
  std::lock_guard lock(acked.mu);
  ASSERT_GE(acked.cards.size(), 3u);
  ExpectAllPresent("persons", acked.persons);
  ExpectAllPresent("incidents", acked.incidents);
  ExpectAllPresent("cards", acked.cards);
  EXPECT_EQ(acked.failures.count(grpc::StatusCode::INTERNAL), 0u)
      << absl::StrJoin(acked.other_failures, "\n");

  CommandResult login =
      kvod_->Kvo({"login", "--login", "root", "--password-stdin"}, kPassword);
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  CommandResult verify;
  PollUntil(
      [&] {
        verify = kvod_->Kvo({"audit", "verify"});
        return verify.exit_code == 0;
      },
      milliseconds(20000));
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_EQ(Field(verify.out, "ok"), "ja") << Describe(verify);

  // PostgreSQL's own check of every table and index of both databases
  // after three crashes: nothing corrupt.
  auto bin = common::FindPostgresBinDir();
  ASSERT_TRUE(bin.ok()) << bin.status();
  for (const char* db : {"kvo", "kvo_keys"}) {
    CommandResult amcheck = RunCommand(
        {(*bin / "pg_amcheck").string(), "--install-missing", "-h",
         (data_ / "pgrun").string(), "-p", "5432", "-U", "kvo", "-d", db},
        std::chrono::seconds(120));
    EXPECT_EQ(amcheck.exit_code, 0) << db << ": " << Describe(amcheck);
    EXPECT_EQ(amcheck.out, "") << db << ": " << Describe(amcheck);
  }
}

TEST_F(CrashE2E, SecondKvodOnTheSameDataIsRefusedAndTouchesNothing) {
  const long postmaster = PostmasterPid(data_);
  const fs::path cert = data_ / "tls" / "server.crt";
  struct stat before {};
  const bool had_cert = ::stat(cert.c_str(), &before) == 0;

  Subprocess second(
      KvodCommand({"--data-dir=" + data_.string(), "--pg-setting=fsync=off",
                   "--policy=" + (tmp_.path() / "policy.textproto").string()}));
  EXPECT_EQ(second.Wait(std::chrono::seconds(30)), 2);
  EXPECT_THAT(second.Stderr(),
              HasSubstr("is in use by another kvod (pid " +
                        std::to_string(kvod_->process().pid()) + ")"));

  EXPECT_EQ(PostmasterPid(data_), postmaster);
  EXPECT_TRUE(Alive(postmaster));
  if (had_cert) {
    struct stat after {};
    ASSERT_EQ(::stat(cert.c_str(), &after), 0);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  }
  EXPECT_EQ(Health(), HealthCheckResponse::SERVING);
  EXPECT_FALSE(Login("root").empty()) << "the first kvod still serves";
}

// The operator's case: kvod and its postmaster killed while a backend of
// the cluster still runs (here held stopped). The next kvod must not start
// a postmaster on the data until that process is gone; PostgreSQL itself
// would refuse ("pre-existing shared memory block is still in use").
TEST_F(CrashE2E, RestartWaitsUntilTheOldClustersLastProcessIsGone) {
  pqxx::connection held(EmbeddedConninfo(data_));
  const int backend = [&] {
    pqxx::nontransaction tx(held);
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  }();
  const long postmaster = PostmasterPid(data_);
  ASSERT_EQ(::kill(backend, SIGSTOP), 0);
  kvod_->process().Signal(SIGKILL);
  ASSERT_TRUE(kvod_->process().Wait(std::chrono::seconds(10)).has_value());
  kvod_.reset();
  ::kill(static_cast<pid_t>(postmaster), SIGKILL);
  ASSERT_TRUE(
      PollUntil([&] { return !Alive(postmaster); }, milliseconds(10000)));

  Subprocess next(
      KvodCommand({"--data-dir=" + data_.string(), "--pg-setting=fsync=off",
                   "--policy=" + (tmp_.path() / "policy.textproto").string()}));
  const bool waited =
      PollUntil(
          [&] {
            return next.Stderr().find(
                       "waiting for the processes of an earlier "
                       "PostgreSQL") != std::string::npos;
          },
          milliseconds(30000))
          .has_value();
  EXPECT_TRUE(waited) << next.Stderr();
  EXPECT_FALSE(next.WaitForLine("kvod: ready", milliseconds(1000)).has_value())
      << "kvod must not start while the old cluster's process runs";
  EXPECT_EQ(PostmasterPid(data_), postmaster)
      << "no new postmaster while the old cluster's process runs";

  ::kill(backend, SIGCONT);  // it notices its postmaster died and exits
  const auto t0 = steady_clock::now();
  ASSERT_TRUE(next.WaitForLine("kvod: ready", milliseconds(60000)).has_value())
      << next.Stderr();
  std::cout << "ready "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() -
                                                        t0)
                   .count()
            << " ms after the old cluster's last process could exit\n";
  EXPECT_FALSE(Alive(backend));
  EXPECT_EQ(Count("SELECT count(*) FROM areas"), 2);
  next.Signal(SIGTERM);
  EXPECT_EQ(next.Wait(std::chrono::seconds(60)), 0);
}

// With --database-url kvod has no cluster to restart: it reconnects, and
// health follows whether the database answers.
TEST(CrashExternalE2E, HealthFollowsAnExternalDatabaseThatGoesAndComesBack) {
  TempDir tmp;
  common::EmbeddedPostgresOptions options;
  options.root = tmp.path() / "external";
  fs::create_directories(options.root);
  options.fast_initdb = true;
  options.settings = {"fsync=off"};
  auto pg = common::EmbeddedPostgres::Start(options);
  ASSERT_TRUE(pg.ok()) << pg.status();
  ASSERT_TRUE((*pg)->CreateDatabaseIfMissing("registry").ok());
  ASSERT_TRUE((*pg)->CreateDatabaseIfMissing("registry_keys").ok());
  auto kvod = KvodProcess::Start(
      tmp.path() / "data",
      {"--database-url=" + (*pg)->ConnectionString("registry"),
       "--keystore-url=" + (*pg)->ConnectionString("registry_keys")});
  ASSERT_NE(kvod, nullptr);
  ASSERT_EQ(HealthOf(*kvod), HealthCheckResponse::SERVING);

  ASSERT_TRUE((*pg)->Stop().ok());
  auto down = PollUntil(
      [&] { return HealthOf(*kvod) == HealthCheckResponse::NOT_SERVING; },
      milliseconds(5000));
  ASSERT_TRUE(down.has_value()) << "health must follow the database";
  auto identity = IdentityService::NewStub(kvod->Channel());
  BootstrapRequest boot;
  boot.set_code(kvod->bootstrap_code());
  boot.set_login("root");
  boot.set_display_name("Operator");
  boot.set_password(kPassword);
  BootstrapResponse booted;
  grpc::Status refused = identity->Bootstrap(Ctx().get(), boot, &booted);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr("retry"));

  pg = common::EmbeddedPostgres::Start(options);
  ASSERT_TRUE(pg.ok()) << pg.status();
  auto up =
      PollUntil([&] { return HealthOf(*kvod) == HealthCheckResponse::SERVING; },
                milliseconds(10000));
  ASSERT_TRUE(up.has_value()) << "kvod must serve again on its own";
  grpc::Status s = identity->Bootstrap(Ctx().get(), boot, &booted);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(kvod->Stop(), 0);
}

}  // namespace
}  // namespace kvo::testing
