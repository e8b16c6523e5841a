#ifndef KVO_TESTS_BENCH_BENCH_PG_H_
#define KVO_TESTS_BENCH_BENCH_PG_H_

// What the PostgreSQL benches share: a throwaway embedded cluster with the
// project's migrations, and a reporter that keeps each benchmark's rate so
// a bench can print its store-against-baseline ratio.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/embedded_postgres.h"
#include "services/common/migrator.h"
#include "services/common/source_dir.h"

namespace kvo::bench {

// Ends the bench with the message when `s` is not OK.
inline void Check(const absl::Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(s.message()).c_str());
    std::exit(1);
  }
}

// An embedded cluster in a fresh temp directory with database "kvo_bench"
// migrated; stopped and removed when destroyed.
class BenchDatabase {
 public:
  BenchDatabase() {
    namespace fs = std::filesystem;
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base ? base : "/tmp") +
                       "/kvo-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      Check(absl::InternalError("mkdtemp"));
    }
    root_ = tmpl;
    fs::permissions(root_, fs::perms::owner_all | fs::perms::others_exec |
                               fs::perms::group_exec);
    common::EmbeddedPostgresOptions options;
    options.root = root_ / "db";
    fs::create_directories(options.root);
    auto pg = common::EmbeddedPostgres::Start(options);
    Check(pg.status());
    pg_ = std::move(*pg);
    Check(pg_->CreateDatabaseIfMissing("kvo_bench"));
    conninfo_ = pg_->ConnectionString("kvo_bench");
    pqxx::connection conn(conninfo_);
    auto migrations =
        common::ReadMigrations(fs::path(KVO_SOURCE_DIR) / "migrations");
    Check(migrations.status());
    Check(common::ApplyMigrations(conn, *migrations).status());
  }
  ~BenchDatabase() {
    Check(pg_->Stop());
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  BenchDatabase(const BenchDatabase&) = delete;
  BenchDatabase& operator=(const BenchDatabase&) = delete;

  const std::string& conninfo() const { return conninfo_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::unique_ptr<common::EmbeddedPostgres> pg_;
  std::string conninfo_;
};

// The console output, plus each benchmark's items per second by name.
class RatesReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      const std::string name = run.benchmark_name();
      per_second_[name.substr(0, name.find('/'))] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // 0 when the benchmark did not run.
  double PerSecond(const std::string& name) const {
    auto it = per_second_.find(name);
    return it == per_second_.end() ? 0.0 : it->second;
  }

 private:
  std::map<std::string, double> per_second_;
};

}  // namespace kvo::bench

#endif  // KVO_TESTS_BENCH_BENCH_PG_H_
