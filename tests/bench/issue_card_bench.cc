// What does issuing a card cost? DESIGN.md: IssueCard (decide, encrypt,
// write, audit) from 4 concurrent clients must reach at least half the
// commits per second of 4 clients doing a bare single-row INSERT+commit on
// the same PostgreSQL, in the same run.
//
// The real kvod runs on its own embedded cluster (kvod's settings, durable
// commits) and is called over TLS by 4 client threads, each issuing cards
// for its own persons (different persons never wait for one another). The
// baseline connects 4 threads straight to the same cluster's socket.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "tests/support/kvod_fixture.h"

namespace kvo::testing {
namespace {

using namespace kvo::v1;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 4;
constexpr int kIncidentsPerClient = 500;
constexpr auto kRunFor = std::chrono::seconds(6);

double PerSecond(int64_t count, Clock::duration elapsed) {
  return count / std::chrono::duration<double>(elapsed).count();
}

// Each client's own persons, one incident each.
std::vector<std::vector<int64_t>> Prepare(RegistryService::Stub& registry,
                                          const std::string& police,
                                          int64_t area, int64_t shop) {
  std::vector<std::future<std::vector<int64_t>>> work;
  for (int c = 0; c < kClients; ++c) {
    work.push_back(std::async(std::launch::async, [&, c] {
      std::vector<int64_t> incidents;
      for (int i = 0; i < kIncidentsPerClient; ++i) {
        CreatePersonRequest person;
        person.set_area_id(area);
        person.set_given_names("Piet");
        person.set_surname(absl::StrCat("Bench", c, "x", i));
        person.set_date_of_birth("1988-02-03");
        person.set_address("Brink 1");
        person.set_description("grijze jas");
        Person created;
        if (!registry.CreatePerson(Ctx(police).get(), person, &created).ok()) {
          continue;
        }
        RecordIncidentRequest incident;
        incident.set_shop_id(shop);
        incident.set_person_id(created.id());
        incident.mutable_occurred_at()->set_seconds(
            absl::ToUnixSeconds(absl::Now()) - 3600);
        incident.set_offence_type("theft");
        incident.set_description("winkeldiefstal");
        Incident recorded;
        if (registry.RecordIncident(Ctx(police).get(), incident, &recorded)
                .ok()) {
          incidents.push_back(recorded.id());
        }
      }
      return incidents;
    }));
  }
  std::vector<std::vector<int64_t>> out;
  for (auto& w : work) out.push_back(w.get());
  return out;
}

enum class Step { kDone, kFailed, kNoMoreWork };

// `op(client, i)` as often as it goes in kRunFor (or until it runs out of
// work) on each client thread; operations per second over all clients.
template <typename Op>
double Run(Op op) {
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; Clock::now() - start < kRunFor; ++i) {
        const Step step = op(c, i);
        if (step == Step::kNoMoreWork) return;
        if (step == Step::kFailed && ++failed > 10) return;
        if (step == Step::kDone) ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed > 0) std::printf("  (%ld operations failed)\n", long(failed));
  return PerSecond(done, Clock::now() - start);
}

int Main() {
  KvodEnv env;
  // Durable commits, as kvod runs in production (tests turn fsync off).
  env.extra_kvod_args_ = {"--pg-setting=fsync=on"};
  env.SetUp();
  if (env.kvod_ == nullptr || env.admin_.empty()) {
    std::fprintf(stderr, "bench: kvod did not start\n");
    return 1;
  }
  auto registry = RegistryService::NewStub(env.kvod_->Channel());
  const std::string coordinator =
      env.MakeUser("coord", ROLE_COORDINATOR, {env.area_a_});
  const std::string police = env.MakeUser("agent", ROLE_POLICE, {env.area_a_});
  CreateShopRequest shop_req;
  shop_req.set_area_id(env.area_a_);
  shop_req.set_name("Bakkerij");
  Shop shop;
  if (!registry->CreateShop(Ctx(coordinator).get(), shop_req, &shop).ok()) {
    std::fprintf(stderr, "bench: no shop\n");
    return 1;
  }
  std::printf("preparing %d persons and incidents...\n",
              kClients * kIncidentsPerClient);
  const auto incidents = Prepare(*registry, police, env.area_a_, shop.id());

  const std::string conninfo = EmbeddedConninfo(env.data_);
  {
    pqxx::connection conn(conninfo);
    pqxx::work tx(conn);
    tx.exec0(
        "CREATE TABLE bench_rows (id bigint GENERATED ALWAYS AS IDENTITY "
        "PRIMARY KEY, payload text NOT NULL)");
    tx.commit();
  }
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  for (int c = 0; c < kClients; ++c) {
    conns.push_back(std::make_unique<pqxx::connection>(conninfo));
  }
  const std::string payload(120, 'x');
  const double bare = Run([&](int c, int) {
    pqxx::work tx(*conns[c]);
    tx.exec_params0("INSERT INTO bench_rows (payload) VALUES ($1)", payload);
    tx.commit();
    return Step::kDone;
  });
  std::printf("bare INSERT+commit, %d clients: %.0f/s\n", kClients, bare);

  const double issue = Run([&](int c, int i) {
    if (i >= static_cast<int>(incidents[c].size())) return Step::kNoMoreWork;
    IssueCardRequest req;
    req.set_incident_id(incidents[c][i]);
    req.set_scope(CARD_SCOPE_COLLECTIVE);
    Card card;
    return registry->IssueCard(Ctx(police).get(), req, &card).ok()
               ? Step::kDone
               : Step::kFailed;
  });
  std::printf("IssueCard over gRPC+TLS, %d clients: %.0f/s\n", kClients, issue);
  std::printf("ratio %.3f (target >= 0.5)\n", issue / bare);
  conns.clear();
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main() { return kvo::testing::Main(); }
