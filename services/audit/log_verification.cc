#include "services/audit/log_verification.h"

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"

namespace kvo::audit {

VerifyReport VerifyStoredLog(pqxx::transaction_base& tx,
                             const StoredLogChecks& checks) {
  std::vector<StoredTreeHead> heads = PgAuditStore::AllTreeHeads(tx);
  const int64_t latest_ms = heads.empty() ? 0 : heads.back().timestamp_ms;
  LogVerifier verifier(std::move(heads), checks.trust);
  PgAuditStore::ForEachSequenced(
      tx, [&](const StoredEntry& s) { return verifier.Add(s.evidence()); });
  VerifyReport report = verifier.Finish();
  if (!report.ok && report.bad_range_end > 0 && checks.trust.mac != nullptr &&
      report.first_bad_index >= 0) {
    // A head's root does not match: name the entry, not only the range.
    BadEntryLocator locator(*checks.trust.mac);
    PgAuditStore::ForEachSequenced(
        tx,
        [&](const StoredEntry& s) {
          if (s.entry.index >= report.bad_range_end) return false;
          return locator.Add(s.evidence());
        },
        static_cast<uint64_t>(report.first_bad_index));
    if (auto i = locator.found()) {
      report.first_bad_index = static_cast<int64_t>(*i);
      report.problem = absl::StrCat(
          "entry ", *i,
          " is not what kvod sequenced (edited with its leaf hash "
          "recomputed, moved, renumbered or written outside kvod: its "
          "sequence MAC does not match); ",
          report.problem);
    }
  }
  if (!report.ok) return report;
  auto fail = [&](std::string problem) {
    report.ok = false;
    report.problem = std::move(problem);
    return report;
  };
  if (const uint64_t q = PgAuditStore::QuarantinedCount(tx); q > 0) {
    return fail(absl::StrCat(
        q,
        " row(s) were written into the audit log outside kvod (their MAC "
        "fails); the sequencer quarantined them and never signed them"));
  }
  if (checks.max_unsequenced_micros > 0) {
    const int64_t age = PgAuditStore::OldestUnsequencedAgeMicros(tx);
    if (age > checks.max_unsequenced_micros) {
      return fail(absl::StrCat("entries have waited ", age / 1000000,
                               " s for a signed tree head (the limit is ",
                               checks.max_unsequenced_micros / 1000000,
                               " s): the sequencer is not running"));
    }
  }
  if (checks.max_head_age_ms > 0 && checks.now_ms > 0 &&
      checks.now_ms - latest_ms > checks.max_head_age_ms) {
    return fail(absl::StrCat(
        "the latest signed tree head is ", (checks.now_ms - latest_ms) / 1000,
        " s old (the limit is ", checks.max_head_age_ms / 1000,
        " s): heads are not being signed, or were removed"));
  }
  return report;
}

absl::Status CheckLogKeys(pqxx::transaction_base& tx, const AuditMac& mac,
                          const std::string& public_key) {
  constexpr char kHow[] =
      ": replicas of one database must share the files signing.key and "
      "mac.key of <data-dir>/audit (or the log was tampered with: run kvo "
      "audit verify on a kvod that has the right keys)";
  if (auto last = PgAuditStore::LastSequenced(tx);
      last.has_value() &&
      !mac.SequenceMacOk(last->entry.index, last->entry.at_micros,
                         last->leaf_hash, last->seq_mac)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit log in this database was written with another audit MAC "
        "key",
        kHow));
  }
  if (auto head = PgAuditStore::TreeHead(tx, 0);
      head.has_value() && head->public_key != public_key) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit log in this database is signed with another key", kHow));
  }
  return absl::OkStatus();
}

}  // namespace kvo::audit
