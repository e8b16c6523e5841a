// Do the privacy officer's queries stay fast on a long log? The issue asks
// for a 5,000,000-entry log and the first page (50 rows, newest first) of a
// by-subject and a by-principal query, each against a bare indexed SELECT
// of the same rows in the same run.
//
// The log is shaped like a busy registry: 5,000 principals, 200,000 persons
// (about 25 entries each), one subject per entry. Rows go in by SQL (the
// sequencer would take hours to place 5M entries; hashes do not matter for
// reading). The store query is PgAuditStore::Query, the SQL kvod runs for
// `kvo audit log`; the baseline selects the same columns with the simplest
// SQL that uses the same index. Both run in one read transaction each on
// one connection. The plans are printed so a missing index shows.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/embedded_postgres.h"
#include "services/common/migrator.h"
#include "tests/bench/audit_page_sql.h"
#include "tests/bench/bench_pg.h"

namespace kvo::audit {
namespace {

constexpr int64_t kEntries = 5'000'000;
constexpr int kPrincipals = 5'000;
constexpr int kPersons = 200'000;
constexpr int kPage = 50;

constexpr char kFillSql[] =
    "INSERT INTO audit_entries (principal_id, role, action, subject, "
    "purpose, outcome, request_id, seq, at, area_id, peer) SELECT "
    "1 + (i * 7919) % 5000, 'shopkeeper', CASE WHEN i % 10 = 0 THEN "
    "'registry.read_person' ELSE 'gallery.sync' END, 'person:' || "
    "md5(((i * 104729) % 200000)::text), 'door check', 'ok', md5(i::text), i, "
    "timestamptz '2026-01-01' + i * interval '6 second', 1 + i % 1000, "
    "'ipv4:10.0.' || (i % 250) || '.1' FROM generate_series($1::bigint, "
    "$2::bigint) i";
constexpr char kSubjectsSql[] =
    "INSERT INTO audit_subjects (subject, seq) SELECT subject, seq FROM "
    "audit_entries";

const std::string kBareByPrincipal = absl::StrCat(
    "SELECT ", bench::kPageColumns,
    " FROM audit_entries WHERE principal_id = $1 AND seq IS NOT NULL ORDER "
    "BY seq DESC LIMIT $2");

std::string g_conninfo;

std::string Person(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, kPersons - 1);
  pqxx::connection conn(g_conninfo);
  pqxx::work tx(conn);
  return "person:" + tx.exec_params1("SELECT md5($1::text)", pick(rng))[0]
                         .as<std::string>();
}

// Subjects drawn once, outside the timed loops, the same for both sides.
std::vector<std::string>& Subjects() {
  static std::vector<std::string> subjects = [] {
    std::mt19937 rng(7);
    std::vector<std::string> out;
    for (int i = 0; i < 256; ++i) out.push_back(Person(rng));
    return out;
  }();
  return subjects;
}

template <typename Fn>
void Loop(benchmark::State& state, Fn fn) {
  pqxx::connection conn(g_conninfo);
  size_t i = 0;
  size_t rows = 0;
  for (auto _ : state) {
    pqxx::read_transaction tx(conn);
    rows += fn(tx, i++);
  }
  if (rows == 0) state.SkipWithError("no rows");
  state.SetItemsProcessed(state.iterations());
}

void BM_StoreFirstPageBySubject(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx, size_t i) {
    LogFilter f;
    f.subject = Subjects()[i % Subjects().size()];
    return PgAuditStore::Query(tx, f, std::nullopt, kPage + 1).size();
  });
}
void BM_BareFirstPageBySubject(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx, size_t i) {
    return tx
        .exec_params(bench::kBareBySubject, Subjects()[i % Subjects().size()],
                     kPage + 1)
        .size();
  });
}
void BM_StoreFirstPageByPrincipal(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx, size_t i) {
    LogFilter f;
    f.principal_id = 1 + static_cast<int64_t>(i * 37 % kPrincipals);
    return PgAuditStore::Query(tx, f, std::nullopt, kPage + 1).size();
  });
}
void BM_BareFirstPageByPrincipal(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx, size_t i) {
    return tx
        .exec_params(kBareByPrincipal,
                     1 + static_cast<int64_t>(i * 37 % kPrincipals), kPage + 1)
        .size();
  });
}

BENCHMARK(BM_BareFirstPageBySubject)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_StoreFirstPageBySubject)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_BareFirstPageByPrincipal)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_StoreFirstPageByPrincipal)->UseRealTime()->MinTime(3.0);

void PrintRatios(const bench::RatesReporter& rates) {
  for (const char* what : {"BySubject", "ByPrincipal"}) {
    const double bare = rates.PerSecond(absl::StrCat("BM_BareFirstPage", what));
    const double store =
        rates.PerSecond(absl::StrCat("BM_StoreFirstPage", what));
    if (bare <= 0 || store <= 0) continue;
    std::printf(
        "first page %s on %lld entries: bare SELECT %.0f/s (%.3f ms), "
        "store query %.0f/s (%.3f ms), ratio %.3f\n",
        what, static_cast<long long>(kEntries), bare, 1000.0 / bare, store,
        1000.0 / store, store / bare);
  }
  std::fflush(stdout);
}

void Fill(const std::string& conninfo) {
  pqxx::connection conn(conninfo);
  constexpr int64_t kChunk = 500'000;
  for (int64_t from = 0; from < kEntries; from += kChunk) {
    pqxx::work tx(conn);
    tx.exec_params0(kFillSql, from, std::min(kEntries, from + kChunk) - 1);
    tx.commit();
    std::fprintf(stderr, "filled %lld entries\n",
                 static_cast<long long>(std::min(kEntries, from + kChunk)));
  }
  pqxx::work tx(conn);
  tx.exec0(kSubjectsSql);
  tx.commit();
  pqxx::nontransaction nt(conn);
  nt.exec0("VACUUM ANALYZE audit_entries");
  nt.exec0("VACUUM ANALYZE audit_subjects");
}

void PrintPlans(const std::string& conninfo) {
  pqxx::connection conn(conninfo);
  pqxx::read_transaction tx(conn);
  const std::string subject = Subjects()[0];
  for (const auto& [name, sql] :
       std::vector<std::pair<std::string, std::string>>{
           {"store by subject",
            absl::StrCat("EXPLAIN SELECT seq FROM (SELECT e.* FROM "
                         "audit_subjects s JOIN audit_entries e ON e.seq = "
                         "s.seq WHERE s.subject = ",
                         tx.quote(subject),
                         ") AS q WHERE seq IS NOT NULL ORDER BY seq DESC "
                         "LIMIT 51")},
           {"store by principal",
            "EXPLAIN SELECT seq FROM audit_entries AS q WHERE seq IS NOT "
            "NULL AND principal_id = 42 ORDER BY seq DESC LIMIT 51"}}) {
    std::printf("plan, %s:\n", name.c_str());
    for (const auto& row : tx.exec(sql)) std::printf("  %s\n", row[0].c_str());
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace kvo::audit

int main(int argc, char** argv) {
  using namespace kvo;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  bench::BenchDatabase db;
  audit::g_conninfo = db.conninfo();
  audit::Fill(audit::g_conninfo);
  audit::PrintPlans(audit::g_conninfo);

  bench::RatesReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  audit::PrintRatios(reporter);
  benchmark::Shutdown();
  return 0;
}
