// Does auditing slow writers down? DESIGN.md asks that appends do not queue
// behind one chain head: 4 concurrent writers appending audit entries (each
// in its own transaction, through the same DbPool the services use, while the
// sequencer runs beside them as in kvod) must reach at least half the
// commits per second of 4 writers doing a bare single-row INSERT + commit on
// the same database in the same run.
//
// The cluster is a throwaway one started with kvod's own launcher and kvod's
// settings (durable commits: fsync and synchronous_commit on), so the figure
// is what a real deployment on this disk would see.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_sequencer.h"
#include "services/audit/audit_watch.h"
#include "services/audit/audit_writes.h"
#include "services/audit/pg_audit_store.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"
#include "services/common/embedded_postgres.h"
#include "services/common/envelope.h"
#include "services/common/migrator.h"
#include "tests/bench/bench_pg.h"

namespace kvo::audit {
namespace {

namespace fs = std::filesystem;

constexpr int kWriters = 4;
constexpr char kBaselineTable[] =
    "CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS "
    "IDENTITY PRIMARY KEY, payload text NOT NULL)";
constexpr char kBaselineInsert[] =
    "INSERT INTO bench_rows (payload) VALUES ($1)";

struct Shared {
  std::unique_ptr<common::DbPool> pool;
  std::unique_ptr<AuditSequencer> sequencer;
};
Shared* g_shared = nullptr;

using bench::Check;

// One plain row per transaction: the cheapest durable write there is.
void BM_BareInsertCommit(benchmark::State& state) {
  const std::string payload(120, 'x');
  for (auto _ : state) {
    Check(g_shared->pool->InTransaction("bench insert", [&](pqxx::work& tx) {
      tx.exec_params0(kBaselineInsert, payload);
      return absl::OkStatus();
    }));
  }
  state.SetItemsProcessed(state.iterations());
}

// What every module does: one audit entry appended in its own transaction.
void BM_AuditAppendCommit(benchmark::State& state) {
  AuditRecord record;
  record.principal_id = 42 + state.thread_index();
  record.role = "police";
  record.action = "registry.read_person";
  record.subject = "person:7f3a9c2e41d04b6f8e5a1c3b2d4e6f70";
  record.purpose = "door check";
  record.request_id = "0123456789abcdef0123456789abcdef";
  for (auto _ : state) {
    Check(g_shared->pool->InTransaction("bench audit", [&](pqxx::work& tx) {
      PgAuditStore::Append(tx, record);
      return absl::OkStatus();
    }));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_BareInsertCommit)->Threads(kWriters)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_AuditAppendCommit)->Threads(kWriters)->UseRealTime()->MinTime(3.0);

void PrintRatio(const bench::RatesReporter& rates) {
  const double bare = rates.PerSecond("BM_BareInsertCommit");
  const double audit = rates.PerSecond("BM_AuditAppendCommit");
  if (bare <= 0 || audit <= 0) return;
  std::printf(
      "\nbare INSERT+commit: %.0f/s, audit append+commit: %.0f/s "
      "(%d writers), ratio %.3f (target >= 0.8)\n",
      bare, audit, kWriters, audit / bare);
  std::fflush(stdout);
}

}  // namespace
}  // namespace kvo::audit

int main(int argc, char** argv) {
  using namespace kvo;
  namespace fs = std::filesystem;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!common::InitCrypto()) return 1;

  bench::BenchDatabase db;
  const fs::path root = db.root();
  const std::string conninfo = db.conninfo();
  {
    pqxx::connection conn(conninfo);
    pqxx::work tx(conn);
    tx.exec0(audit::kBaselineTable);
    tx.commit();
  }
  auto signer = audit::TreeHeadSigner::LoadOrCreate(root / "signing.key");
  audit::Check(signer.status());
  // As kvod runs it: every entry MACed, the sequencer checking each MAC and
  // recording (fsynced) every head it signs in its witness file.
  auto mac_key = common::LoadOrCreateKeyFile(root / "mac.key", "audit MAC key");
  audit::Check(mac_key.status());
  audit::InstallProcessAuditMac(
      std::make_shared<const audit::AuditMac>(std::move(*mac_key)));
  auto witness = audit::Witness::Open(root / "witness.log");
  audit::Check(witness.status());
  audit::AuditIntegrity integrity;
  audit::SequencerOptions sequencer_options;
  sequencer_options.witness = witness->get();
  sequencer_options.integrity = &integrity;

  audit::Shared shared;
  shared.pool = std::make_unique<common::DbPool>(conninfo, audit::kWriters);
  shared.sequencer = std::make_unique<audit::AuditSequencer>(
      conninfo, std::move(*signer), std::chrono::milliseconds(500),
      sequencer_options);
  shared.sequencer->Start();
  // And kvod's watch: every insert confirmed and followed until sequenced,
  // the quick checks every 5 s.
  audit::ProcessAuditWrites().Track(&integrity);
  common::DbPool watch_pool(conninfo, 1);
  audit::AuditWatchOptions watch_options;
  watch_options.witness = witness->get();
  watch_options.integrity = &integrity;
  audit::AuditWatch watch(watch_pool, watch_options);
  watch.Start();
  audit::g_shared = &shared;

  bench::RatesReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  audit::PrintRatio(reporter);
  benchmark::Shutdown();

  watch.Stop();
  shared.sequencer->Stop();
  shared.sequencer.reset();
  audit::ProcessAuditWrites().Track(nullptr);
  if (!integrity.ok()) {
    std::fprintf(stderr, "bench: audit integrity tripped: %s\n",
                 integrity.reason().c_str());
    return 1;
  }
  shared.pool.reset();
  return 0;
}
