#include "services/retention/retention_job.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"
#include "services/common/metrics.h"

namespace kvo::retention {
namespace {

// pg_advisory_xact_lock key: "kvo-ret" as an int64.
constexpr int64_t kRetentionLockKey = 0x6b766f2d726574;

std::string Summary(const std::vector<common::RetentionItem>& items) {
  std::vector<std::string> parts;
  for (const auto& item : items) {
    parts.push_back(absl::StrCat(item.kind, "=", item.count));
  }
  return absl::StrJoin(parts, ", ");
}

std::string Subjects(const std::vector<common::RetentionItem>& items) {
  std::vector<std::string> all;
  for (const auto& item : items) {
    for (const auto& s : item.subjects) {
      if (all.size() < common::kMaxSubjects) all.push_back(s);
    }
  }
  return audit::JoinSubjects(all);
}

// Every run this kvod started, for the operator: done, dry_run,
// other_replica (another kvod held the lock), failed; and what the done
// ones deleted, by kind.
void CountRun(const absl::StatusOr<RetentionRun>& run) {
  common::MetricRegistry& metrics = common::ProcessMetrics();
  std::string outcome = "failed";
  if (run.ok()) {
    outcome = run->dry_run ? "dry_run" : "done";
  } else if (run.status().code() == absl::StatusCode::kFailedPrecondition) {
    outcome = "other_replica";
  }
  metrics
      .GetCounter("kvo_retention_runs_total",
                  "Retention runs this kvod started, by outcome: done, "
                  "dry_run, other_replica (another kvod ran it), failed.",
                  {{"outcome", outcome}})
      .Increment();
  if (!run.ok() || run->dry_run) return;
  for (const auto& item : run->items) {
    metrics
        .GetCounter("kvo_retention_deleted_total",
                    "What this kvod's retention runs deleted, by kind.",
                    {{"kind", item.kind}})
        .Increment(item.count);
  }
  metrics
      .GetGauge("kvo_retention_last_run_timestamp_seconds",
                "When this kvod last finished a retention run (Unix time).")
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
}

}  // namespace

RetentionJob::RetentionJob(common::DbPool& pool, const common::Clock& clock,
                           std::vector<common::RetentionRule*> rules)
    : pool_(pool), clock_(clock), rules_(std::move(rules)) {}

RetentionJob::~RetentionJob() { Stop(); }

absl::StatusOr<std::vector<common::RetentionRule*>> RetentionJob::Selected(
    const std::vector<std::string>& kinds) const {
  if (kinds.empty()) return rules_;
  std::vector<std::string> known;
  for (const common::RetentionRule* rule : rules_) {
    known.push_back(rule->kind());
  }
  for (const std::string& kind : kinds) {
    if (std::find(known.begin(), known.end(), kind) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kinds (kvo retention run --kind): unknown kind '", kind,
                       "'; one of ", absl::StrJoin(known, ", ")));
    }
  }
  std::vector<common::RetentionRule*> out;
  for (common::RetentionRule* rule : rules_) {
    if (std::find(kinds.begin(), kinds.end(), rule->kind()) != kinds.end()) {
      out.push_back(rule);
    }
  }
  return out;
}

absl::StatusOr<RetentionRun> RetentionJob::Run(
    bool dry_run, audit::AuditRecord requested_by,
    const std::vector<std::string>& kinds) {
  auto run = RunUncounted(dry_run, std::move(requested_by), kinds);
  CountRun(run);
  return run;
}

absl::StatusOr<RetentionRun> RetentionJob::RunUncounted(
    bool dry_run, audit::AuditRecord requested_by,
    const std::vector<std::string>& kinds) {
  auto rules = Selected(kinds);
  if (!rules.ok()) return rules.status();
  RetentionRun run;
  run.dry_run = dry_run;
  run.at = clock_.Now();
  absl::Status s =
      pool_.InTransaction("retention run", [&](pqxx::work& tx) -> absl::Status {
        if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)",
                             kRetentionLockKey)[0]
                 .as<bool>()) {
          return absl::FailedPreconditionError(
              "another kvod is running retention right now; try again in a "
              "minute");
        }
        run.items.clear();
        for (common::RetentionRule* rule : *rules) {
          run.items.push_back(dry_run ? rule->Due(tx, run.at)
                                      : rule->Apply(tx, run.at));
        }
        uint64_t total = 0;
        for (const auto& item : run.items) total += item.count;
        // The timer's empty runs are not worth an entry; asked-for ones are.
        if (requested_by.principal_id != 0 || total > 0) {
          requested_by.action = dry_run ? "retention.dry_run" : "retention.run";
          requested_by.subject = Subjects(run.items);
          requested_by.purpose =
              absl::StrCat("retention at ", absl::FormatTime(run.at), ": ",
                           Summary(run.items));
          audit::PgAuditStore::Append(tx, requested_by);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  for (auto& item : run.items) {
    if (item.after_commit) item.after_commit();
    item.after_commit = nullptr;
  }
  if (!dry_run) {
    common::LogInfo("retention run", {{"deleted", Summary(run.items)}});
  }
  return run;
}

void RetentionJob::Start(absl::Duration interval) {
  timer_.Start(
      absl::ToChronoMilliseconds(interval),
      [this] {
        audit::AuditRecord system;
        system.role = "system";
        system.request_id = "retention-timer";
        auto run = Run(/*dry_run=*/false, system);
        // Another replica holding the lock is the normal case.
        if (!run.ok() &&
            run.status().code() != absl::StatusCode::kFailedPrecondition) {
          common::LogWarn("retention run failed",
                          {{"detail", run.status().message()}});
        }
      },
      /*run_first=*/false);
}

}  // namespace kvo::retention
