#include "services/audit/log_verification.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/pg_audit_store.h"

namespace kvo::audit {

namespace {

// Compares the subject index with the entries, a window of indexes at a
// time: each entry's SplitSubjects, no row more, none less.
class SubjectIndexCheck final {
 public:
  explicit SubjectIndexCheck(pqxx::transaction_base& tx) : tx_(tx) {}

  // False once a difference is found.
  bool Add(const StoredEntry& s) {
    if (!problem_.empty()) return false;
    if (expected_.empty() && window_size_ == 0) from_ = s.entry.index;
    if (!s.content_erased) {
      for (std::string& subject : SplitSubjects(s.entry.subject)) {
        expected_.emplace_back(s.entry.index, std::move(subject));
      }
    }
    to_ = s.entry.index + 1;
    if (++window_size_ >= kWindow) return Flush();
    return true;
  }
  // Checks what is left; the problem, or "" when the index is complete.
  std::string Finish() {
    Flush();
    return problem_;
  }

 private:
  static constexpr uint64_t kWindow = 5000;

  bool Flush() {
    if (window_size_ == 0 || !problem_.empty()) return problem_.empty();
    auto stored = PgAuditStore::SubjectRows(tx_, from_, to_);
    // In bytes' order, as SplitSubjects sorts (not the database's collation).
    std::sort(stored.begin(), stored.end());
    if (stored != expected_) {
      size_t i = 0;
      while (i < stored.size() && i < expected_.size() &&
             stored[i] == expected_[i]) {
        ++i;
      }
      uint64_t at = i < expected_.size() ? expected_[i].first : to_;
      if (i < stored.size()) at = std::min(at, stored[i].first);
      problem_ = absl::StrCat(
          "the subject index (audit_subjects) does not match entry ", at,
          ": rows were deleted from it or added to it outside kvod, so "
          "queries by subject would miss or invent entries");
    }
    expected_.clear();
    window_size_ = 0;
    return problem_.empty();
  }

  pqxx::transaction_base& tx_;
  std::vector<std::pair<uint64_t, std::string>> expected_;
  uint64_t from_ = 0;
  uint64_t to_ = 0;
  uint64_t window_size_ = 0;
  std::string problem_;
};

}  // namespace

StoredLogChecks TrustedChecks(const Witness* witness,
                              const std::string& public_key,
                              int64_t erasable_before_micros) {
  StoredLogChecks checks;
  checks.trust.mac = ProcessAuditMac();
  if (!public_key.empty()) checks.trust.trusted_keys.push_back(public_key);
  if (witness != nullptr) {
    for (const WitnessedHead& w : witness->Heads()) {
      if (w.committed) checks.trust.witnessed.push_back(w.head);
    }
  }
  checks.trust.erasable_before_micros = erasable_before_micros;
  return checks;
}

VerifyReport VerifyStoredLog(pqxx::transaction_base& tx,
                             const StoredLogChecks& checks) {
  std::vector<StoredTreeHead> heads = PgAuditStore::AllTreeHeads(tx);
  const int64_t latest_ms = heads.empty() ? 0 : heads.back().timestamp_ms;
  LogVerifier verifier(std::move(heads), checks.trust);
  SubjectIndexCheck subjects(tx);
  PgAuditStore::ForEachSequenced(tx, [&](const StoredEntry& s) {
    return verifier.Add(s.evidence()) && subjects.Add(s);
  });
  VerifyReport report = verifier.Finish();
  if (report.ok) {
    if (std::string problem = subjects.Finish(); !problem.empty()) {
      report.ok = false;
      report.problem = std::move(problem);
      return report;
    }
  }
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
  if (const uint64_t q =
          checks.quarantine ? PgAuditStore::QuarantinedCount(tx) : 0;
      q > 0) {
    return fail(absl::StrCat(
        q,
        " row(s) were written into the audit log outside kvod (their MAC "
        "fails, or they copy an entry already in the log); the sequencer "
        "quarantined them and never signed them"));
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
