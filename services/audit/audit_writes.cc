#include "services/audit/audit_writes.h"

#include <sodium.h>

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"

namespace kvo::audit {
namespace {

// Far more than a stalled sequencer leaves waiting before the stall makes
// kvod fail closed; beyond it the oldest are forgotten (logged).
constexpr size_t kMaxTracked = 1'000'000;

}  // namespace

// The writes of the transaction open on this thread.
thread_local std::vector<int64_t> AuditWrites::pending_;

AuditWrites::AuditWrites() : writer_(16, '\0') {
  randombytes_buf(writer_.data(), writer_.size());
}

void AuditWrites::Track(AuditIntegrity* integrity) {
  std::lock_guard lock(mu_);
  tracking_ = integrity != nullptr;
  integrity_ = integrity;
  if (!tracking_) written_.clear();
}

void AuditWrites::Written(int64_t id, int64_t xid, int64_t at_micros) {
  std::lock_guard lock(mu_);
  if (!tracking_) return;
  if (written_.size() >= kMaxTracked) {
    common::LogWarn("audit writes: too many waiting for the sequencer",
                    {{"forgotten", absl::StrCat(written_.size() / 2)}});
    written_.erase(written_.begin(), written_.begin() + written_.size() / 2);
  }
  written_.push_back({id, xid, at_micros, false});
  unacknowledged_.insert(id);
  pending_.push_back(id);
  common::ListenToThisCommit(this);
}

void AuditWrites::CommitOutcome(bool committed) {
  std::vector<int64_t> ids;
  ids.swap(pending_);
  if (!committed) return;
  std::lock_guard lock(mu_);
  for (int64_t id : ids) unacknowledged_.erase(id);
}

void AuditWrites::Alarm(const std::string& reason) {
  AuditIntegrity* integrity = nullptr;
  {
    std::lock_guard lock(mu_);
    integrity = integrity_;
  }
  if (integrity != nullptr) {
    integrity->Trip(reason);
  } else {
    common::LogError("ALARM: the audit log lost what kvod wrote",
                     {{"alarm", "audit_integrity"}, {"detail", reason}});
  }
}

void AuditWrites::NothingStored(absl::string_view action) {
  Alarm(absl::StrCat(
      "the database stored nothing for an audit entry kvod wrote (action ",
      action,
      "): a trigger or rule on audit_entries drops entries; the call failed"));
}

absl::StatusOr<AuditWrites::CheckResult> AuditWrites::Check(
    pqxx::transaction_base& tx, int64_t now_micros, int64_t limit_micros) {
  std::lock_guard check_lock(check_mu_);
  std::vector<Write> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(written_);
  }
  CheckResult result;
  std::vector<Write> keep;
  std::vector<int64_t> forget;  // no longer tracked
  auto unacknowledged = [&](int64_t id) {
    std::lock_guard lock(mu_);
    return unacknowledged_.contains(id);
  };
  std::string lost;
  if (!batch.empty()) {
    std::vector<int64_t> ids;
    std::vector<int64_t> xids;
    for (const Write& w : batch) {
      ids.push_back(w.id);
      xids.push_back(w.xid);
    }
    std::unordered_map<int64_t, WrittenRow> rows;
    for (WrittenRow& r : PgAuditStore::WrittenRows(tx, ids, xids)) {
      rows.emplace(r.id, std::move(r));
    }
    for (Write& w : batch) {
      auto it = rows.find(w.id);
      if (it == rows.end()) continue;  // not asked: cannot happen
      const WrittenRow& r = it->second;
      if (r.found && r.sequenced) {
        forget.push_back(w.id);
        continue;
      }
      if (r.found && r.quarantined) {
        lost = absl::StrCat("the audit entry kvod wrote as row ", w.id,
                            " was rewritten in the database (its MAC fails)");
        continue;
      }
      if (r.found) {
        if (now_micros - w.at_micros > limit_micros) ++result.overdue;
        keep.push_back(w);
        continue;
      }
      if (r.xact == "in progress") {
        keep.push_back(w);
      } else if (r.xact == "committed" || r.xact == "future") {
        if (!w.missing_once) {
          w.missing_once = true;
          keep.push_back(w);
        } else if (unacknowledged(w.id)) {
          // Its commit failed as far as kvod saw; a failover can lose such
          // a transaction and hand its id to another on the new primary.
          common::LogWarn(
              "audit writes: an entry of a call whose commit failed is not "
              "in the database (the call failed; nothing was disclosed)",
              {{"row", absl::StrCat(w.id)}});
          forget.push_back(w.id);
        } else {
          lost = absl::StrCat(
              "the audit entry kvod wrote as row ", w.id,
              " was deleted from the database before it was sequenced");
        }
      } else {
        // aborted (or too old to tell): the write's transaction rolled back.
        forget.push_back(w.id);
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    for (int64_t id : forget) unacknowledged_.erase(id);
    keep.insert(keep.end(), written_.begin(), written_.end());
    written_.swap(keep);
    result.still_tracked = written_.size();
  }
  if (!lost.empty()) {
    Alarm(lost);
    return absl::InternalError(lost);
  }
  return result;
}

AuditWrites& ProcessAuditWrites() {
  static AuditWrites* writes = new AuditWrites();
  return *writes;
}

}  // namespace kvo::audit
