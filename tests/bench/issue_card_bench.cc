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
//
// Issue 28: the machine is shared, so the figures are measured in
// interleaved rounds (kvod, the minimal SQL on LIKE copies and the same SQL
// on copies with the real schema's foreign keys and checks, alternating
// order each round) and summed up as medians with the min/max of the
// ratios; each figure has the load average (/proc/loadavg) beside it.
// KVO_BENCH_ROUNDS (default 3) and KVO_BENCH_SECONDS (default 4) size the
// run; KVO_BENCH_QUICK=1 is 2 rounds of 2 s (a smoke run).

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
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
#include "tests/bench/wait_sampler.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using namespace kvo::v1;
using Clock = std::chrono::steady_clock;

constexpr int kPrepareThreads = 8;
constexpr int kLevels[] = {4, 16, 64};
// Incidents made for the real-schema baseline's cards (by SQL, not kvod).
constexpr int kBaselineIncidents = 200000;

// The run's size, from the environment.
struct Plan {
  int rounds = 3;
  std::chrono::seconds run_for{4};
  // Persons with one incident each for IssueCard: enough for every round
  // at about 1,200 cards a second (a quiet machine reached 880).
  int incidents() const {
    return std::min(60000,
                    int(rounds * std::size(kLevels) * run_for.count() * 1200));
  }
};

Plan PlanFromEnv() {
  Plan plan;
  if (std::getenv("KVO_BENCH_QUICK") != nullptr) {
    plan.rounds = 2;
    plan.run_for = std::chrono::seconds(2);
  }
  int n = 0;
  if (const char* r = std::getenv("KVO_BENCH_ROUNDS");
      r != nullptr && absl::SimpleAtoi(r, &n) && n > 0) {
    plan.rounds = n;
  }
  if (const char* t = std::getenv("KVO_BENCH_SECONDS");
      t != nullptr && absl::SimpleAtoi(t, &n) && n > 0) {
    plan.run_for = std::chrono::seconds(n);
  }
  return plan;
}

// The 1-minute load average (0 when unreadable).
double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double PerSecond(int64_t count, Clock::duration elapsed) {
  return count / std::chrono::duration<double>(elapsed).count();
}

// kIncidents persons with one incident each.
std::vector<int64_t> Prepare(RegistryService::Stub& registry,
                             const std::string& police, int64_t area,
                             int64_t shop, int count) {
  std::vector<std::future<std::vector<int64_t>>> work;
  for (int c = 0; c < kPrepareThreads; ++c) {
    work.push_back(std::async(std::launch::async, [&, c] {
      std::vector<int64_t> incidents;
      for (int i = 0; i < count / kPrepareThreads; ++i) {
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

// The same least SQL into copies that carry the real schema's constraints
// too: the cards' foreign keys (person, incident, area, shop, issuer, the
// card escalated from) and checks, the gallery change's to its card, and
// each card for an incident of its own (made for it by SQL beforehand).
// What it costs beside kMinimalCardSql is what the constraints cost.
constexpr char kRealSchemaCardSql[] = R"(\set p random(:pmin, :pmax)
BEGIN;
SELECT id FROM persons WHERE id = :p FOR UPDATE;
SELECT id, kind, valid_from, valid_until, revoked_at IS NOT NULL FROM cards WHERE person_id = :p AND area_id = :a UNION ALL SELECT 0, '', o.at, o.at, o.revoked FROM incident_persons ip CROSS JOIN LATERAL (SELECT i.occurred_at AS at, EXISTS (SELECT 1 FROM cards c WHERE c.incident_id = i.id AND c.revoked_at IS NOT NULL) AS revoked FROM incidents i WHERE i.id = ip.incident_id AND i.area_id = :a OFFSET 0) o WHERE ip.person_id = :p UNION ALL SELECT s.id, s.name, now(), now(), false FROM shops s WHERE s.area_id = :a;
INSERT INTO bench_real_cards (person_id, incident_id, area_id, shop_id, kind, valid_from, valid_until, days, rule, shops, issued_by) VALUES (:p, nextval('bench_real_incident'), :a, :s, 'collective_warning', now(), now() + interval '365 days', 365, 'bench', 'Bakkerij', :u) RETURNING id \gset c
INSERT INTO bench_audit (principal_id, role, action, subject, purpose, outcome, request_id, entry_mac) VALUES (1, 'police', 'registry.issue_card', 'person-bench', 'card', 'ok', 'bench', '\x00');
INSERT INTO bench_real_gallery_changes (area_id, card_id) VALUES (:a, :cid);
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

// `op(client, i)` as often as it goes in `run_for` (or until it runs out
// of work) on each client thread; operations per second over all clients.
template <typename Op>
double Run(int clients, std::chrono::seconds run_for, Op op) {
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; Clock::now() - start < run_for; ++i) {
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
               int clients, std::chrono::seconds run_for,
               const std::vector<std::string>& vars, std::string* note) {
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
                                   std::to_string(run_for.count()),
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
  // How long pgbench took to connect its clients (PostgreSQL 15 counts -T
  // from before that): "initial connection time = 8.123 ms".
  if (const auto c = r.out.find("initial connection time = ");
      c != std::string::npos) {
    *note = absl::StrFormat("  pgbench connected in %.0f ms",
                            std::strtod(r.out.c_str() + c + 26, nullptr));
  }
  return std::strtod(r.out.c_str() + at + 6, nullptr);
}

// Calls and PostgreSQL time per card of each statement since the extension
// was reset (only kvod's: the profile runs no pgbench), the WAL written
// and each table's writes and analyses per card since `wal_before` was read.
void PrintStatements(const std::string& conninfo,
                     const std::string& keys_conninfo, size_t cards,
                     const std::string& wal_before) {
  pqxx::connection conn(conninfo);
  pqxx::nontransaction tx(conn);
  const double n = double(std::max<size_t>(cards, 1));
  std::printf("statements per card (%zu cards), by time:\n", cards);
  for (const auto& row :
       tx.exec("SELECT calls, total_exec_time, left(regexp_replace(query, "
               "'\\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY "
               "total_exec_time DESC LIMIT 25")) {
    std::printf("  %6.2f calls %7.3f ms  %s\n", row[0].as<double>() / n,
                row[1].as<double>() / n, row[2].c_str());
  }
  const auto wal = tx.exec1("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" +
                            wal_before + "'::pg_lsn)");
  std::printf("WAL per card: %.0f bytes (since the runs began)\n",
              wal[0].as<double>() / n);
  // The key store (its own database): how its tables were read.
  pqxx::connection key_conn(keys_conninfo);
  pqxx::nontransaction key_tx(key_conn);
  for (const auto& row : key_tx.exec(
           "SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0), "
           "n_live_tup, COALESCE(GREATEST(last_analyze, "
           "last_autoanalyze)::text, 'never') FROM pg_stat_user_tables "
           "ORDER BY 1")) {
    std::printf(
        "  key store %-20s %ld seq scans (%ld rows read), %ld index "
        "scans, %ld rows, analysed %s\n",
        row[0].c_str(), row[1].as<long>(), row[2].as<long>(), row[3].as<long>(),
        row[4].as<long>(), row[5].c_str());
  }
  std::printf("per card, by table: inserts, updates (HOT), analyses\n");
  for (const auto& row : tx.exec(
           "SELECT s.relname, s.n_tup_ins - b.n_tup_ins, s.n_tup_upd - "
           "b.n_tup_upd, s.n_tup_hot_upd - b.n_tup_hot_upd, s.analyze_count + "
           "s.autoanalyze_count - b.analyses, s.autovacuum_count + "
           "s.vacuum_count - b.vacuums FROM pg_stat_user_tables s JOIN "
           "bench_stat_before b USING (relid) ORDER BY s.n_tup_ins - "
           "b.n_tup_ins + s.n_tup_upd - b.n_tup_upd DESC LIMIT 12")) {
    std::printf(
        "  %-24s %6.2f ins %6.2f upd (%.2f HOT), analysed %ld, "
        "vacuumed %ld times during the runs\n",
        row[0].c_str(), row[1].as<double>() / n, row[2].as<double>() / n,
        row[3].as<double>() / n, row[4].as<long>(), row[5].as<long>());
  }
}

// Copies of cards and gallery_changes with the real tables' foreign keys
// (a card's on itself and the change's on its card pointing at the copy),
// and kBaselineIncidents incidents, copies of `incident`, for their cards;
// the first of those is where sequence bench_real_incident starts.
void MakeRealSchemaCopies(pqxx::work& tx, int64_t incident) {
  tx.exec0("CREATE TABLE bench_real_cards (LIKE cards INCLUDING ALL)");
  tx.exec0(
      "CREATE TABLE bench_real_gallery_changes (LIKE gallery_changes "
      "INCLUDING ALL)");
  for (const char* table : {"cards", "gallery_changes"}) {
    for (const auto& fk : tx.exec_params(
             "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
             "WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY 1",
             table)) {
      std::string def = fk[1].as<std::string>();
      const std::string self = "REFERENCES cards(";
      if (auto at = def.find(self); at != std::string::npos) {
        def.replace(at, self.size(), "REFERENCES bench_real_cards(");
      }
      tx.exec0(absl::StrCat("ALTER TABLE bench_real_", table,
                            " ADD CONSTRAINT ", fk[0].as<std::string>(), " ",
                            def));
    }
  }
  auto range = tx.exec_params1(
      "WITH made AS (INSERT INTO incidents (area_id, shop_id, occurred_at, "
      "offence_type, damage_cents, has_police_report, reported_by) SELECT "
      "area_id, shop_id, occurred_at, offence_type, damage_cents, "
      "has_police_report, reported_by FROM incidents, generate_series(1, $2) "
      "WHERE id = $1 RETURNING id) SELECT min(id), max(id), count(*) FROM made",
      incident, kBaselineIncidents);
  if (range[1].as<int64_t>() - range[0].as<int64_t>() + 1 !=
      range[2].as<int64_t>()) {
    std::fprintf(stderr,
                 "bench: the baseline's incidents are not contiguous\n");
  }
  tx.exec0(absl::StrCat("CREATE SEQUENCE bench_real_incident START ",
                        range[0].as<int64_t>(), " MAXVALUE ",
                        range[1].as<int64_t>()));
}

// One level's figures of one round.
struct Figures {
  double minimal = 0, real = 0, issue = 0;
  double load_minimal = 0, load_real = 0, load_issue = 0;
};

int Main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress in a log file
  const Plan plan = PlanFromEnv();
  KvodEnv env;
  // Durable commits, as kvod runs in production (tests turn fsync off).
  env.extra_kvod_args_ = {"--pg-setting=fsync=on"};
  AddKvodArgsFromEnv(env.extra_kvod_args_);
  // KVO_BENCH_STATEMENTS=1, the profile: load pg_stat_statements, run
  // IssueCard alone at each level with its backends' wait events sampled,
  // and print what PostgreSQL spent per card on each statement.
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
  std::printf(
      "%d rounds of %ld s at each level; preparing %d persons and "
      "incidents... (load %.2f)\n",
      plan.rounds, long(plan.run_for.count()), plan.incidents(), LoadAverage());
  const std::vector<int64_t> incidents =
      Prepare(*registry, police, env.area_a_, shop.id(), plan.incidents());
  if (incidents.empty()) {
    std::fprintf(stderr, "bench: no incidents\n");
    return 1;
  }

  const std::string conninfo = EmbeddedConninfo(env.data_);
  int64_t pmin = 0, pmax = 0, issuer = 0;
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
    MakeRealSchemaCopies(tx, incidents.front());
    auto r = tx.exec1("SELECT min(id), max(id) FROM persons");
    pmin = r[0].as<int64_t>();
    pmax = r[1].as<int64_t>();
    issuer = tx.exec1("SELECT min(id) FROM principals")[0].as<int64_t>();
    tx.commit();
    pqxx::nontransaction analyze(conn);
    analyze.exec0("ANALYZE");
  }
  const std::filesystem::path script = env.data_ / "minimal_card.sql";
  std::ofstream(script) << kMinimalCardSql;
  const std::filesystem::path real_script = env.data_ / "real_schema_card.sql";
  std::ofstream(real_script) << kRealSchemaCardSql;
  const std::vector<std::string> vars = {
      absl::StrCat("pmin=", pmin), absl::StrCat("pmax=", pmax),
      absl::StrCat("a=", env.area_a_), absl::StrCat("s=", shop.id()),
      absl::StrCat("u=", issuer)};

  std::vector<std::unique_ptr<pqxx::connection>> conns;
  for (int c = 0; c < 4; ++c) {
    conns.push_back(std::make_unique<pqxx::connection>(conninfo));
  }
  const std::string payload(120, 'x');
  const double bare_load = LoadAverage();
  const double bare = Run(4, plan.run_for, [&](int c, int) {
    pqxx::work tx(*conns[c]);
    tx.exec_params0("INSERT INTO bench_rows (payload) VALUES ($1)", payload);
    tx.commit();
    return Step::kDone;
  });
  conns.clear();
  std::printf("bare INSERT+commit, 4 clients: %.0f/s (load %.2f)\n", bare,
              bare_load);

  std::string wal_before;
  if (statements) {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction tx(conn);
    tx.exec0("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    tx.exec("SELECT pg_stat_statements_reset()");  // not the preparation
    tx.exec0(
        "CREATE TABLE bench_stat_before AS SELECT relid, n_tup_ins, "
        "n_tup_upd, n_tup_hot_upd, analyze_count + autoanalyze_count AS "
        "analyses, autovacuum_count + vacuum_count AS vacuums FROM "
        "pg_stat_user_tables");
    wal_before = tx.exec1("SELECT pg_current_wal_lsn()::text")[0].c_str();
  }
  std::atomic<size_t> next{0};
  const pid_t kvod = env.kvod_->process().pid();
  const double seconds = double(plan.run_for.count());
  auto minimal_run = [&](const std::filesystem::path& sql, int clients,
                         const char* what, double* load) {
    *load = LoadAverage();
    const CpuSample c0 = SampleCpu(kvod, env.data_);
    std::string note;
    const double rate =
        PgBench(env.data_, sql.string(), clients, plan.run_for, vars, &note);
    const CpuSample c1 = SampleCpu(kvod, env.data_);
    std::printf("  %-24s %6.0f/s  (load %.2f)  %s%s\n", what, rate, *load,
                CpuPer(c0, c1, rate * seconds).c_str(), note.c_str());
    return rate;
  };
  auto issue_run = [&](int clients, double* load) {
    *load = LoadAverage();
    const CpuSample c0 = SampleCpu(kvod, env.data_);
    const size_t issued_before = std::min(next.load(), incidents.size());
    const double rate = Run(clients, plan.run_for, [&](int, int) {
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
    const CpuSample c1 = SampleCpu(kvod, env.data_);
    std::printf(
        "  %-24s %6.0f/s  (load %.2f)  %s%s\n", "IssueCard (gRPC+TLS)", rate,
        *load,
        CpuPer(c0, c1,
               double(std::min(next.load(), incidents.size()) - issued_before))
            .c_str(),
        next >= incidents.size() ? " [ran out of prepared incidents]" : "");
    return rate;
  };
  if (statements) {
    // The profile: only IssueCard, so the statement counts and the wait
    // events are kvod's alone.
    for (int clients : kLevels) {
      std::printf("%d clients:\n", clients);
      WaitSampler sampler(conninfo);
      double load = 0;
      issue_run(clients, &load);
      std::printf("   wait events of kvod's active backends (5 ms samples):");
      for (const auto& [n, what] : sampler.Stop()) {
        std::printf(" %s %d;", what.c_str(), n);
      }
      std::printf("\n");
    }
    PrintStatements(conninfo, EmbeddedConninfo(env.data_, "kvo_keys"),
                    next.load(), wal_before);
    env.TearDown();
    return 0;
  }
  std::map<int, std::vector<Figures>> figures;
  for (int round = 0; round < plan.rounds; ++round) {
    for (int clients : kLevels) {
      std::printf("round %d, %d clients:\n", round + 1, clients);
      Figures f;
      // Each round in the other order, so neither side always runs on the
      // table (and the WAL) the other one just grew.
      if (round % 2 == 0) {
        f.minimal = minimal_run(script, clients, "minimal SQL (LIKE copies)",
                                &f.load_minimal);
        f.real = minimal_run(real_script, clients, "minimal SQL, real schema",
                             &f.load_real);
        f.issue = issue_run(clients, &f.load_issue);
      } else {
        f.issue = issue_run(clients, &f.load_issue);
        f.real = minimal_run(real_script, clients, "minimal SQL, real schema",
                             &f.load_real);
        f.minimal = minimal_run(script, clients, "minimal SQL (LIKE copies)",
                                &f.load_minimal);
      }
      figures[clients].push_back(f);
    }
  }
  std::printf(
      "\nmedians over %d rounds (min-max), load average median (min-max):\n",
      plan.rounds);
  for (int clients : kLevels) {
    std::vector<double> minimal, real, issue, ratio, ratio_real, cost, load;
    for (const Figures& f : figures[clients]) {
      minimal.push_back(f.minimal);
      real.push_back(f.real);
      issue.push_back(f.issue);
      if (f.minimal > 0) ratio.push_back(f.issue / f.minimal);
      if (f.real > 0) ratio_real.push_back(f.issue / f.real);
      if (f.minimal > 0) cost.push_back(f.real / f.minimal);
      load.insert(load.end(), {f.load_minimal, f.load_real, f.load_issue});
    }
    auto range = [](const std::vector<double>& v, const char* format) {
      if (v.empty()) return std::string("-");
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      return absl::StrFormat("%s (%s-%s)", absl::StrFormat(format, Median(v)),
                             absl::StrFormat(format, *lo),
                             absl::StrFormat(format, *hi));
    };
    std::printf(
        "%2d clients: IssueCard %s/s; minimal SQL %s/s; real schema %s/s\n"
        "   IssueCard / minimal SQL %s (target >= 0.5); IssueCard / real "
        "schema %s; real schema / minimal SQL %s; load %s\n",
        clients, range(issue, "%.0f").c_str(), range(minimal, "%.0f").c_str(),
        range(real, "%.0f").c_str(), range(ratio, "%.3f").c_str(),
        range(ratio_real, "%.3f").c_str(), range(cost, "%.3f").c_str(),
        range(load, "%.2f").c_str());
    if (clients == 4) {
      std::printf(
          "   IssueCard against the bare INSERT+commit at 4 clients: "
          "%.3f\n",
          bare > 0 ? Median(issue) / bare : 0.0);
    }
  }
  env.TearDown();
  return 0;
}

}  // namespace
}  // namespace kvo::testing

int main() { return kvo::testing::Main(); }
