#include "services/audit/audit_watch.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_writes.h"
#include "services/audit/log_verification.h"
#include "services/audit/merkle.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"

namespace kvo::audit {
namespace {

using ReadTx = pqxx::transaction<pqxx::repeatable_read>;

// The newest heads this kvod witnessed that each round finds stored; the
// scheduled whole verification checks every one the witness holds.
constexpr size_t kRecentHeads = 64;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string AsBytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// Not reaching the database is the health probes' business, not an
// integrity failure.
void LogUnreachable(const absl::Status& s) {
  common::LogWarn("audit watch: round skipped", {{"detail", s.message()}});
}

}  // namespace

AuditWatch::AuditWatch(common::DbPool& pool, AuditWatchOptions options)
    : pool_(pool), options_(std::move(options)) {}

AuditWatch::~AuditWatch() { Stop(); }

void AuditWatch::Start() {
  (void)CheckHiddenMachinery();
  // Once tripped, kvod stays closed until restarted on a whole log: no
  // need to say so again every round.
  quick_.Start(
      options_.interval,
      [this] {
        if (!options_.integrity->tripped()) (void)CheckQuick();
      },
      /*run_first=*/false);
  full_.Start(
      options_.full_interval,
      [this] {
        if (!options_.integrity->tripped()) (void)VerifyAll();
      },
      /*run_first=*/false);
}

void AuditWatch::Stop() {
  quick_.Stop();
  full_.Stop();
}

absl::Status AuditWatch::Problem(std::string problem) {
  options_.integrity->Trip(problem);
  return absl::InternalError(problem);
}

absl::Status AuditWatch::CheckHiddenMachinery() {
  std::vector<std::string> found;
  for (common::DbPool* pool : {&pool_, options_.keystore}) {
    if (pool == nullptr) continue;
    auto in = pool->InTransaction(
        "audit watch: hidden machinery",
        [](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
          return PgAuditStore::HiddenMachinery(tx);
        });
    if (!in.ok()) {
      LogUnreachable(in.status());
      continue;
    }
    const char* where = pool == &pool_ ? "" : " (key store)";
    for (const std::string& what : *in) found.push_back(what + where);
  }
  if (found.empty()) return absl::OkStatus();
  return Problem(absl::StrCat(
      "the database has machinery kvod never creates on its tables (",
      absl::StrJoin(found, ", "),
      "): it can drop or change what kvod writes; remove it"));
}

absl::Status AuditWatch::CheckWritesAndSealing() {
  auto result = pool_.InTransaction(
      "audit watch: writes",
      [&](pqxx::work& tx) -> absl::StatusOr<std::pair<int64_t, uint64_t>> {
        auto writes = ProcessAuditWrites().Check(
            tx, NowMicros(), options_.max_unsequenced_micros);
        if (!writes.ok()) return writes.status();
        unsealed_entries_.Set(
            static_cast<double>(PgAuditStore::UnsequencedCount(tx)));
        return std::make_pair(PgAuditStore::OldestUnsequencedAgeMicros(tx),
                              writes->overdue);
      });
  if (!result.ok()) {
    // Check() tripped already when a write was lost.
    if (result.status().code() == absl::StatusCode::kInternal) {
      return result.status();
    }
    LogUnreachable(result.status());
    return absl::OkStatus();
  }
  const auto [age, overdue] = *result;
  oldest_unsealed_seconds_.Set(static_cast<double>(age) / 1e6);
  if (age > options_.max_unsequenced_micros || overdue > 0) {
    options_.integrity->SetSealing(
        false, absl::StrCat("entries have waited ", age / 1000000,
                            " s for a signed tree head (the limit is ",
                            options_.max_unsequenced_micros / 1000000,
                            " s): the sequencer cannot seal the log"));
  } else {
    options_.integrity->SetSealing(true);
  }
  return absl::OkStatus();
}

absl::Status AuditWatch::CheckNewest() {
  const AuditMac* mac = ProcessAuditMac();
  // The witness first: a head it saw committed is in the snapshot below.
  std::vector<StoredTreeHead> witnessed;
  if (options_.witness != nullptr) {
    for (const WitnessedHead& w : options_.witness->Heads()) {
      if (w.committed) witnessed.push_back(w.head);
    }
    if (witnessed.size() > kRecentHeads) {
      witnessed.erase(witnessed.begin(), witnessed.end() - kRecentHeads);
    }
  }
  auto problem = pool_.InTransaction<ReadTx>(
      "audit watch: newest entries",
      [&](ReadTx& tx) -> absl::StatusOr<std::string> {
        const uint64_t count = PgAuditStore::SequencedCount(tx);
        if (!witnessed.empty()) {
          if (count < witnessed.back().tree_size) {
            return absl::StrCat("the database holds ", count,
                                " audit entries but this kvod witnessed a "
                                "signed head of ",
                                witnessed.back().tree_size,
                                ": entries were removed");
          }
          std::map<uint64_t, std::string> stored;
          for (StoredTreeHead& h :
               PgAuditStore::TreeHeadsFrom(tx, witnessed.front().tree_size)) {
            stored[h.tree_size] = std::move(h.root_hash);
          }
          for (const StoredTreeHead& w : witnessed) {
            auto it = stored.find(w.tree_size);
            if (it == stored.end() || it->second != w.root_hash) {
              return absl::StrCat(
                  "the signed tree head of size ", w.tree_size,
                  " this kvod witnessed is ",
                  it == stored.end() ? "gone" : "replaced by another",
                  " in the database: signed heads were removed or rewritten");
            }
          }
        }
        const uint64_t from = count > options_.recent_entries
                                  ? count - options_.recent_entries
                                  : 0;
        uint64_t expected = from;
        std::string found;
        PgAuditStore::ForEachSequenced(
            tx,
            [&](const StoredEntry& s) {
              const uint64_t i = s.entry.index;
              if (i != expected) {
                found = absl::StrCat("audit entry ", expected,
                                     " is missing (deleted or renumbered)");
                return false;
              }
              ++expected;
              if (!s.content_erased &&
                  AsBytes(LeafHash(CanonicalBytes(s.entry))) != s.leaf_hash) {
                found = absl::StrCat("audit entry ", i,
                                     " does not match what was logged "
                                     "(rewritten in place or moved)");
                return false;
              }
              if (mac != nullptr &&
                  !mac->SequenceMacOk(i, s.entry.at_micros, s.leaf_hash,
                                      s.seq_mac)) {
                found = absl::StrCat("audit entry ", i,
                                     " is not what kvod sequenced (its "
                                     "sequence MAC does not match)");
                return false;
              }
              return true;
            },
            from);
        if (found.empty() && expected != count) {
          found = absl::StrCat("audit entry ", expected,
                               " is missing (deleted or renumbered)");
        }
        return found;
      });
  if (!problem.ok()) {
    LogUnreachable(problem.status());
    return absl::OkStatus();
  }
  if (problem->empty()) return absl::OkStatus();
  return Problem(*problem);
}

absl::Status AuditWatch::CheckQuick() {
  absl::Status first = CheckHiddenMachinery();
  absl::Status writes = CheckWritesAndSealing();
  if (first.ok()) first = writes;
  absl::Status newest = CheckNewest();
  if (first.ok()) first = newest;
  return first;
}

absl::Status AuditWatch::VerifyAll() {
  auto report = pool_.InTransaction<ReadTx>(
      "audit watch: whole log",
      [&](ReadTx& tx) -> absl::StatusOr<VerifyReport> {
        StoredLogChecks checks = TrustedChecks(
            options_.witness, options_.public_key,
            options_.erasable_before_micros ? options_.erasable_before_micros()
                                            : 0);
        checks.quarantine = false;
        return VerifyStoredLog(tx, checks);
      });
  if (!report.ok()) {
    LogUnreachable(report.status());
    return absl::OkStatus();
  }
  if (report->ok) {
    common::LogInfo("audit log re-verified",
                    {{"entries", absl::StrCat(report->entries_checked)}});
    return absl::OkStatus();
  }
  return Problem(absl::StrCat("the whole log re-verified: ", report->problem));
}

}  // namespace kvo::audit
