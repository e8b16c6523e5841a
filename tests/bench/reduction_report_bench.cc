// Is the reduction report computed from indexed aggregates, not by loading
// rows? Issue 17: an area with 5 years of incidents (100,000), the report
// over two periods that together cover all of them, against a bare
// `SELECT offence_type, count(*) ... GROUP BY` over the same rows, in the
// same run. Another 100,000 incidents in other areas sit beside them.
//
// Store side: PgRegistryStore::FactsOfArea for both periods (the SQL kvod
// runs) and the pure report built from them. Rows go in by SQL; the tables
// are vacuumed and analysed as autovacuum would have them.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/registry/pg_registry_store.h"
#include "services/reports/reduction_reports.h"
#include "tests/bench/bench_pg.h"

namespace kvo::registry {
namespace {

constexpr int64_t kIncidents = 100'000;  // in the area, over 5 years
constexpr int64_t kOtherIncidents = 100'000;
constexpr char kFrom[] = "2021-01-01";
constexpr char kSplit[] = "2023-07-02";
constexpr char kTo[] = "2026-01-01";

std::string g_conninfo;

constexpr char kFillSql[] = R"(
INSERT INTO areas (name, kind, municipality)
  SELECT 'Gebied ' || a, 'shopping_area', 'Deventer' FROM generate_series(1, 10) a;
INSERT INTO shops (area_id, name)
  SELECT 1 + s % 10, 'Winkel ' || s FROM generate_series(0, 199) s;
INSERT INTO persons (pseudonym, blind_index, registered_area_id)
  SELECT md5(p::text), 'b', 1 FROM generate_series(1, 20000) p;
INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type,
                       damage_cents, has_police_report)
  SELECT 1, 1 + 10 * (i % 20),
         timestamptz '2021-01-01' + i * (interval '1826 days' / 100000),
         (ARRAY['theft', 'violence', 'nuisance', 'vandalism', 'threat',
                'fraud'])[1 + i % 6], (i * 37) % 50000, i % 3 = 0
  FROM generate_series(0, 99999) i;
INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type,
                       damage_cents, has_police_report)
  SELECT 2 + i % 9, 2 + i % 9,
         timestamptz '2021-01-01' + i * (interval '1826 days' / 100000),
         'theft', 100, false
  FROM generate_series(0, 99999) i;
INSERT INTO cards (person_id, incident_id, area_id, shop_id, kind, valid_from,
                   valid_until, days, rule, shops)
  SELECT 1 + (i.id * 7919) % 20000, i.id, 1, i.shop_id,
         CASE WHEN i.id % 40 = 0 THEN 'collective_ban'
              ELSE 'collective_warning' END,
         i.occurred_at + interval '1 day', i.occurred_at + interval '366 days',
         365, 'r', 'Winkel'
  FROM incidents i WHERE i.area_id = 1 AND i.id % 10 = 0;
INSERT INTO objections (card_id, sealed_grounds, respond_by, decision,
                        decided_at)
  SELECT c.id, 'g', c.valid_from + interval '42 days',
         CASE WHEN c.id % 3 = 0 THEN 'upheld' ELSE 'rejected' END,
         c.valid_from + interval '30 days'
  FROM cards c WHERE c.id % 10 = 0;
)";

constexpr char kBareSql[] =
    "SELECT offence_type, count(*) FROM incidents WHERE area_id = 1 AND "
    "occurred_at >= ($1 || ' 00:00+00')::timestamptz AND occurred_at < ($2 "
    "|| ' 00:00+00')::timestamptz GROUP BY offence_type";

absl::Time At(const char* day) {
  absl::CivilDay d;
  absl::ParseCivilTime(day, &d);
  return absl::FromCivil(d, absl::UTCTimeZone());
}

template <typename Fn>
void Loop(benchmark::State& state, Fn fn) {
  pqxx::connection conn(g_conninfo);
  int64_t counted = 0;
  for (auto _ : state) {
    pqxx::read_transaction tx(conn);
    counted += fn(tx);
  }
  if (counted != kIncidents * int64_t(state.iterations())) {
    state.SkipWithError("counted other rows than the area's incidents");
  }
  state.SetItemsProcessed(state.iterations());
}

int64_t Total(const AreaFacts& f) {
  int64_t n = 0;
  for (const auto& [type, count] : f.incidents_by_type) n += count;
  return n;
}

void BM_BareCountGroupBy(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx) {
    int64_t n = 0;
    for (const auto& [from, to] : {std::pair{kFrom, kSplit}, {kSplit, kTo}}) {
      for (const auto& row : tx.exec_params(kBareSql, from, to)) {
        n += row[1].as<int64_t>();
      }
    }
    return n;
  });
}

void BM_ReductionReport(benchmark::State& state) {
  Loop(state, [](pqxx::transaction_base& tx) {
    reports::ReductionInputs in;
    in.area_name = "Gebied 1";
    in.first = {absl::CivilDay(2021, 1, 1), absl::CivilDay(2023, 7, 1)};
    in.second = {absl::CivilDay(2023, 7, 2), absl::CivilDay(2025, 12, 31)};
    int64_t n = 0;
    for (auto [facts, from, to] : {std::tuple{&in.first_facts, kFrom, kSplit},
                                   std::tuple{&in.second_facts, kSplit, kTo}}) {
      const AreaFacts f = PgRegistryStore::FactsOfArea(tx, 1, At(from), At(to));
      n += Total(f);
      reports::AddRegistryFacts(f, *facts);
    }
    auto report = reports::BuildReductionReport(in);
    if (!report.ok()) bench::Check(report.status());
    benchmark::DoNotOptimize(report);
    return n;
  });
}

BENCHMARK(BM_BareCountGroupBy)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_ReductionReport)->UseRealTime()->MinTime(3.0);

void Fill() {
  pqxx::connection conn(g_conninfo);
  {
    pqxx::work tx(conn);
    tx.exec0(kFillSql);
    tx.commit();
  }
  pqxx::nontransaction nt(conn);
  for (const char* t : {"incidents", "cards", "objections", "persons"}) {
    nt.exec0(absl::StrCat("VACUUM ANALYZE ", t));
  }
  std::printf("plan of the bare query, first period:\n");
  for (const auto& row : nt.exec(absl::StrCat(
           "EXPLAIN SELECT offence_type, count(*) FROM incidents WHERE "
           "area_id = 1 AND occurred_at >= '",
           kFrom, " 00:00+00' AND occurred_at < '", kSplit,
           " 00:00+00' GROUP BY offence_type"))) {
    std::printf("  %s\n", row[0].c_str());
  }
}

}  // namespace
}  // namespace kvo::registry

int main(int argc, char** argv) {
  using namespace kvo;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::BenchDatabase db;
  registry::g_conninfo = db.conninfo();
  registry::Fill();
  bench::RatesReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double bare = reporter.PerSecond("BM_BareCountGroupBy");
  const double report = reporter.PerSecond("BM_ReductionReport");
  if (bare > 0 && report > 0) {
    std::printf(
        "reduction report over %lld incidents (two periods): bare count "
        "GROUP BY %.2f ms, report %.2f ms, ratio %.3f\n",
        static_cast<long long>(registry::kIncidents), 1000.0 / bare,
        1000.0 / report, report / bare);
  }
  benchmark::Shutdown();
  return 0;
}
