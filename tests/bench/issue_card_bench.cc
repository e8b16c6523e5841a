// What does issuing a card cost? Issue 12: IssueCard must reach at least
// half the rate of the least SQL that issuing one card needs (lock the
// person, read their history in the area, insert the card, its audit entry
// and its gallery change), run by pgbench on the same PostgreSQL in the same
// run, at 4, 16 and 64 clients. DESIGN.md's older yardstick, a bare
// single-row INSERT+commit at 4 clients, is printed too.
//
// The real kvod runs on its own embedded cluster (kvod's settings, durable
// commits) and is called over TLS; every card is for another person (one
// incident each), so no two clients wait for one person.

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/embedded_postgres.h"
#include "services/common/proc_stat.h"
#include "tests/bench/bench_load.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using namespace kvo::v1;
using Clock = std::chrono::steady_clock;

constexpr int kPrepareThreads = 8;
constexpr int kIncidents = 16000;
constexpr auto kRunFor = std::chrono::seconds(4);
constexpr int kLevels[] = {4, 16, 64};

double PerSecond(int64_t count, Clock::duration elapsed) {
  return count / std::chrono::duration<double>(elapsed).count();
}

// kIncidents persons with one incident each.
std::vector<int64_t> Prepare(RegistryService::Stub& registry,
                             const std::string& police, int64_t area,
                             int64_t shop) {
  std::vector<std::future<std::vector<int64_t>>> work;
  for (int c = 0; c < kPrepareThreads; ++c) {
    work.push_back(std::async(std::launch::async, [&, c] {
      std::vector<int64_t> incidents;
      for (int i = 0; i < kIncidents / kPrepareThreads; ++i) {
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
  std::vector<int64_t> out;
  for (auto& w : work) {
    auto part = w.get();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// The least SQL of one card, as a pgbench script: the same statements'
// shapes as kvod's (lock, history in one statement, three inserts), into
// copies of the tables so kvod's own rows stay as they are.
constexpr char kMinimalCardSql[] = R"(\set p random(:pmin, :pmax)
BEGIN;
SELECT id FROM persons WHERE id = :p FOR UPDATE;
SELECT id, kind, valid_from, valid_until, revoked_at IS NOT NULL FROM cards WHERE person_id = :p AND area_id = :a UNION ALL SELECT 0, '', o.at, o.at, o.revoked FROM incident_persons ip CROSS JOIN LATERAL (SELECT i.occurred_at AS at, EXISTS (SELECT 1 FROM cards c WHERE c.incident_id = i.id AND c.revoked_at IS NOT NULL) AS revoked FROM incidents i WHERE i.id = ip.incident_id AND i.area_id = :a OFFSET 0) o WHERE ip.person_id = :p UNION ALL SELECT s.id, s.name, now(), now(), false FROM shops s WHERE s.area_id = :a;
INSERT INTO bench_cards (person_id, incident_id, area_id, shop_id, kind, valid_from, valid_until, days, rule, shops, issued_by) VALUES (:p, nextval('bench_incident'), :a, :s, 'collective_warning', now(), now() + interval '365 days', 365, 'bench', 'Bakkerij', NULL) RETURNING id;
INSERT INTO bench_audit (principal_id, role, action, subject, purpose, outcome, request_id, entry_mac) VALUES (1, 'police', 'registry.issue_card', 'person-bench', 'card', 'ok', 'bench', '\x00');
INSERT INTO bench_gallery_changes (area_id, card_id) VALUES (:a, 1);
COMMIT;
)";

// CPU seconds (user + system) of `pid` from /proc, with its reaped
// children's when `children`; 0 when unreadable.
double CpuSeconds(pid_t pid, bool children) {
  const auto f = common::ProcStatFields(pid);
  // Fields 14-17 of stat(5), counted here from field 3 (state) on.
  if (f.size() < 15) return 0;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / sysconf(_SC_CLK_TCK);
}

// The parent pid of `pid` (0 when unreadable).
pid_t ParentOf(pid_t pid) {
  const auto f = common::ProcStatFields(pid);
  pid_t parent = 0;
  if (f.size() < 2 || !absl::SimpleAtoi(f[1], &parent)) return 0;
  return parent;
}

// Where the CPU went: kvod, PostgreSQL (the postmaster, its live children
// and the ones that exited), and this process (the clients or pgbench's
// waiting).
struct CpuSample {
  double kvod = 0, postgres = 0, self = 0;
};
CpuSample SampleCpu(pid_t kvod, const std::filesystem::path& data) {
  CpuSample s;
  s.kvod = CpuSeconds(kvod, false);
  std::ifstream pid_file(data / "pg" / "postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  if (postmaster > 0) {
    s.postgres = CpuSeconds(postmaster, true);
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      pid_t pid = 0;
      if (!absl::SimpleAtoi(e.path().filename().string(), &pid)) continue;
      if (ParentOf(pid) == postmaster) s.postgres += CpuSeconds(pid, false);
    }
  }
  rusage self{}, kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);  // pgbench, once it exited
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  s.self = secs(self.ru_utime) + secs(self.ru_stime) + secs(kids.ru_utime) +
           secs(kids.ru_stime);
  return s;
}

// Milliseconds of CPU per operation between two samples.
std::string CpuPer(const CpuSample& a, const CpuSample& b, double ops) {
  if (ops <= 0) return "-";
  return absl::StrFormat(
      "CPU per op: PostgreSQL %.3f ms, kvod %.3f ms, client %.3f ms",
      (b.postgres - a.postgres) * 1e3 / ops, (b.kvod - a.kvod) * 1e3 / ops,
      (b.self - a.self) * 1e3 / ops);
}

enum class Step { kDone, kFailed, kNoMoreWork };

// `op(client, i)` as often as it goes in kRunFor (or until it runs out of
// work) on each client thread; operations per second over all clients.
template <typename Op>
double Run(int clients, Op op) {
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
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

// pgbench's transactions per second for `script` at `clients`.
double PgBench(const std::filesystem::path& data, const std::string& script,
               int clients, const std::vector<std::string>& vars) {
  auto bin = common::FindPostgresBinDir();
  if (!bin.ok()) return 0;
  std::vector<std::string> argv = {(*bin / "pgbench").string(),
                                   "-n",
                                   "-M",
                                   "prepared",
                                   "-c",
                                   std::to_string(clients),
                                   "-j",
                                   std::to_string(std::min(clients, 4)),
                                   "-T",
                                   std::to_string(kRunFor.count()),
                                   "-f",
                                   script,
                                   "-h",
                                   (data / "pgrun").string(),
                                   "-p",
                                   "5432",
                                   "-U",
                                   "kvo"};
  for (const auto& v : vars) {
    argv.push_back("-D");
    argv.push_back(v);
  }
  argv.push_back("kvo");
  CommandResult r = RunCommand(argv, std::chrono::seconds(60));
  const auto at = r.out.find("tps = ");
  if (r.exit_code != 0 || at == std::string::npos) {
    std::fprintf(stderr, "pgbench failed: %s\n", Describe(r).c_str());
    return 0;
  }
  return std::strtod(r.out.c_str() + at + 6, nullptr);
}

// Calls and PostgreSQL time per card of each statement since the extension
// was created (the pgbench runs are in it too, under their bench_ tables).
void PrintStatements(const std::string& conninfo, size_t cards) {
  pqxx::connection conn(conninfo);
  pqxx::nontransaction tx(conn);
  std::printf(
      "statements per card (%zu cards; pgbench's on bench_ tables), by time:\n",
      cards);
  for (const auto& row :
       tx.exec("SELECT calls, total_exec_time, left(regexp_replace(query, "
               "'\\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY "
               "total_exec_time DESC LIMIT 25")) {
    std::printf("  %6.2f calls %7.3f ms  %s\n",
                row[0].as<double>() / double(cards),
                row[1].as<double>() / double(cards), row[2].c_str());
  }
}

int Main() {
  KvodEnv env;
  // Durable commits, as kvod runs in production (tests turn fsync off).
  env.extra_kvod_args_ = {"--pg-setting=fsync=on"};
  AddKvodArgsFromEnv(env.extra_kvod_args_);
  // KVO_BENCH_STATEMENTS=1: load pg_stat_statements and print, after the
  // IssueCard runs, what PostgreSQL spent per card on each statement.
  const bool statements = std::getenv("KVO_BENCH_STATEMENTS") != nullptr;
  if (statements) {
    env.extra_kvod_args_.push_back(
        "--pg-setting=shared_preload_libraries=pg_stat_statements");
  }
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
  std::printf("preparing %d persons and incidents...\n", kIncidents);
  const std::vector<int64_t> incidents =
      Prepare(*registry, police, env.area_a_, shop.id());

  const std::string conninfo = EmbeddedConninfo(env.data_);
  int64_t pmin = 0, pmax = 0;
  {
    pqxx::connection conn(conninfo);
    pqxx::work tx(conn);
    tx.exec0(
        "CREATE TABLE bench_rows (id bigint GENERATED ALWAYS AS IDENTITY "
        "PRIMARY KEY, payload text NOT NULL)");
    tx.exec0(
        "CREATE TABLE bench_cards (LIKE cards INCLUDING DEFAULTS INCLUDING "
        "IDENTITY INCLUDING INDEXES)");
    tx.exec0(
        "CREATE TABLE bench_audit (LIKE audit_entries INCLUDING DEFAULTS "
        "INCLUDING IDENTITY INCLUDING INDEXES)");
    tx.exec0(
        "CREATE TABLE bench_gallery_changes (LIKE gallery_changes INCLUDING "
        "DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)");
    tx.exec0("CREATE SEQUENCE bench_incident START 1000000000");
    auto r = tx.exec1("SELECT min(id), max(id) FROM persons");
    pmin = r[0].as<int64_t>();
    pmax = r[1].as<int64_t>();
    tx.commit();
    pqxx::nontransaction analyze(conn);
    analyze.exec0("ANALYZE");
  }
  const std::filesystem::path script = env.data_ / "minimal_card.sql";
  std::ofstream(script) << kMinimalCardSql;
  const std::vector<std::string> vars = {
      absl::StrCat("pmin=", pmin), absl::StrCat("pmax=", pmax),
      absl::StrCat("a=", env.area_a_), absl::StrCat("s=", shop.id())};

  std::vector<std::unique_ptr<pqxx::connection>> conns;
  for (int c = 0; c < 4; ++c) {
    conns.push_back(std::make_unique<pqxx::connection>(conninfo));
  }
  const std::string payload(120, 'x');
  const double bare = Run(4, [&](int c, int) {
    pqxx::work tx(*conns[c]);
    tx.exec_params0("INSERT INTO bench_rows (payload) VALUES ($1)", payload);
    tx.commit();
    return Step::kDone;
  });
  conns.clear();
  std::printf("bare INSERT+commit, 4 clients: %.0f/s\n", bare);

  if (statements) {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction tx(conn);
    tx.exec0("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    tx.exec("SELECT pg_stat_statements_reset()");  // not the preparation
  }
  std::atomic<size_t> next{0};
  const pid_t kvod = env.kvod_->process().pid();
  for (int clients : kLevels) {
    const CpuSample c0 = SampleCpu(kvod, env.data_);
    const double minimal = PgBench(env.data_, script.string(), clients, vars);
    const CpuSample c1 = SampleCpu(kvod, env.data_);
    const size_t issued_before = std::min(next.load(), incidents.size());
    const double issue = Run(clients, [&](int, int) {
      const size_t i = next++;
      if (i >= incidents.size()) return Step::kNoMoreWork;
      IssueCardRequest req;
      req.set_incident_id(incidents[i]);
      req.set_scope(CARD_SCOPE_COLLECTIVE);
      Card card;
      return registry->IssueCard(Ctx(police).get(), req, &card).ok()
                 ? Step::kDone
                 : Step::kFailed;
    });
    std::printf(
        "%2d clients: minimal card SQL (pgbench) %.0f/s, IssueCard over "
        "gRPC+TLS %.0f/s, ratio %.3f (target >= 0.5)%s\n",
        clients, minimal, issue, minimal > 0 ? issue / minimal : 0.0,
        next >= incidents.size() ? " [ran out of prepared incidents]" : "");
    const CpuSample c2 = SampleCpu(kvod, env.data_);
    std::printf("   pgbench:   %s\n",
                CpuPer(c0, c1, minimal * kRunFor.count()).c_str());
    std::printf(
        "   IssueCard: %s\n",
        CpuPer(c1, c2,
               double(std::min(next.load(), incidents.size()) - issued_before))
            .c_str());
    if (clients == 4) {
      std::printf("   against the bare INSERT+commit at 4 clients: %.3f\n",
                  issue / bare);
    }
  }
  if (statements) PrintStatements(conninfo, next.load());
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main() { return kvo::testing::Main(); }
