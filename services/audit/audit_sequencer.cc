#include "services/audit/audit_sequencer.h"

#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_entry.h"
#include "services/audit/audit_mac.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"

namespace kvo::audit {
namespace {

// pg_advisory_lock key: "kvo-seq" as an int64.
constexpr int64_t kSequencerLockKey = 0x6b766f2d736571;
constexpr int kBatch = 5000;

using ReadTx = pqxx::transaction<pqxx::repeatable_read>;

std::string AsBytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

Hash FromBytes(const std::string& bytes) {
  Hash h{};
  if (bytes.size() == h.size()) std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool SignedBy(const StoredTreeHead& head, const std::string& public_key) {
  return head.public_key == public_key && VerifyStoredTreeHead(head);
}

}  // namespace

AuditSequencer::AuditSequencer(std::string conninfo, TreeHeadSigner signer,
                               std::chrono::milliseconds interval,
                               SequencerOptions options)
    : conninfo_(std::move(conninfo)),
      signer_(std::move(signer)),
      interval_(interval),
      options_(std::move(options)) {}

AuditSequencer::~AuditSequencer() { Stop(); }

void AuditSequencer::Start() {
  rounds_.Start(
      interval_,
      [this] {
        if (auto r = RunOnce(); !r.ok()) {
          common::LogWarn("audit sequencer round failed",
                          {{"detail", r.status().message()}});
        }
      },
      /*run_first=*/true);
}

void AuditSequencer::Stop() {
  if (!rounds_.Stop()) return;
  if (auto last = RunOnce(); !last.ok()) {
    common::LogWarn("audit sequencer: last round failed",
                    {{"detail", last.status().message()}});
  }
  std::lock_guard lock(mu_);
  conn_.reset();  // releases the advisory lock
  leader_ = false;
}

absl::Status AuditSequencer::Contradiction(std::string reason) {
  if (contradiction_.empty()) {
    contradiction_ = reason;
    if (options_.integrity != nullptr) {
      options_.integrity->Trip(reason);
    } else {
      common::LogError("ALARM: audit log contradicts its witness",
                       {{"alarm", "audit_integrity"}, {"detail", reason}});
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("audit sequencer refuses to sign: ", contradiction_));
}

bool AuditSequencer::TryLead() {
  pqxx::nontransaction tx(*conn_);
  return tx
      .exec_params1("SELECT pg_try_advisory_lock($1)", kSequencerLockKey)[0]
      .as<bool>();
}

absl::Status AuditSequencer::Load(pqxx::transaction_base& tx) {
  const uint64_t count = PgAuditStore::SequencedCount(tx);
  auto leaves = PgAuditStore::LeafHashes(tx, count);
  if (!leaves.ok())
    return Contradiction(std::string(leaves.status().message()));
  std::vector<WitnessedHead> heads;
  if (options_.witness != nullptr) heads = options_.witness->Heads();
  CompactTree tree;
  size_t next = 0;
  std::string problem;
  // Checks every witnessed head of the tree's current size.
  auto check = [&]() {
    while (problem.empty() && next < heads.size() &&
           heads[next].head.tree_size == tree.size()) {
      const WitnessedHead& w = heads[next];
      const bool last = next + 1 == heads.size();
      if (AsBytes(tree.Root()) == w.head.root_hash) {
        if (!w.committed && last) {
          (void)options_.witness->Confirm(w.head.tree_size);
        }
      } else if (!w.committed && last) {
        // Recorded, then kvod stopped before its transaction committed;
        // another sequencer placed other entries there since.
        (void)options_.witness->Void(w.head.tree_size);
        common::LogWarn("audit witness: a head that never committed voided",
                        {{"tree_size", absl::StrCat(w.head.tree_size)}});
      } else {
        problem = absl::StrCat(
            "the stored audit entries do not reproduce the tree head of size ",
            w.head.tree_size, " this kvod witnessed: entries before index ",
            w.head.tree_size,
            " were rewritten, removed or renumbered in the database");
      }
      ++next;
    }
  };
  check();
  for (const std::string& leaf : *leaves) {
    tree.Append(FromBytes(leaf));
    check();
  }
  if (!problem.empty()) return Contradiction(problem);
  if (next < heads.size()) {
    const WitnessedHead& w = heads.back();
    if (next + 1 == heads.size() && !w.committed) {
      (void)options_.witness->Void(w.head.tree_size);
      common::LogWarn("audit witness: a head that never committed voided",
                      {{"tree_size", absl::StrCat(w.head.tree_size)}});
    } else {
      return Contradiction(absl::StrCat(
          "the database holds ", count,
          " audit entries but this kvod witnessed a signed tree head of ",
          w.head.tree_size, ": entries were removed from the database"));
    }
  }
  tree_ = std::move(tree);
  loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> AuditSequencer::RunOnce() {
  std::lock_guard lock(mu_);
  if (!contradiction_.empty()) return Contradiction(contradiction_);
  try {
    if (conn_ == nullptr || !conn_->is_open()) {
      conn_ = std::make_unique<pqxx::connection>(conninfo_);
      leader_ = false;
      loaded_ = false;
    }
    if (!leader_ && TryLead()) {
      leader_ = true;
      loaded_ = false;
    }
    if (!loaded_) {
      ReadTx tx(*conn_);
      absl::Status s = Load(tx);
      if (s.ok() && leader_) {
        key_id_ = PgAuditStore::RegisterKey(tx, signer_.public_key());
        auto latest = PgAuditStore::TreeHead(tx, 0);
        signed_any_ = latest.has_value();
        signed_size_ = latest.has_value() ? latest->tree_size : 0;
        signed_at_ms_ = latest.has_value() ? latest->timestamp_ms : 0;
      }
      tx.commit();
      if (!s.ok()) return s;
      if (leader_) {
        common::LogInfo("audit sequencer active",
                        {{"tree_size", std::to_string(tree_.size())}});
      }
    }
    if (!leader_) {
      if (auto s = Follow(); !s.ok()) return s;
      return std::optional<uint64_t>();
    }
    for (;;) {
      auto more = SequenceBatch();
      if (!more.ok()) return more.status();
      if (!*more) return std::optional<uint64_t>(tree_.size());
    }
  } catch (const std::exception& e) {
    // Lost connection or lock: start over (and reload, re-checking the
    // witness) next round. The message is ours or libpq's, never entry
    // contents.
    conn_.reset();
    leader_ = false;
    loaded_ = false;
    return absl::UnavailableError(
        std::string("audit sequencer: database unavailable: ") + e.what());
  }
}

absl::StatusOr<bool> AuditSequencer::SequenceBatch() {
  pqxx::work tx(*conn_);
  if (const uint64_t count = PgAuditStore::SequencedCount(tx);
      count != tree_.size()) {
    return Contradiction(absl::StrCat("the database holds ", count,
                                      " sequenced audit entries where this "
                                      "kvod placed ",
                                      tree_.size(),
                                      ": rows were removed or added outside "
                                      "kvod"));
  }
  std::vector<PendingEntry> pending = PgAuditStore::LockUnsequenced(tx, kBatch);
  const AuditMac* mac = ProcessAuditMac();
  std::vector<int64_t> forged;
  std::vector<int64_t> copies;
  // A copy of a genuine row carries the MAC of a row already sequenced or
  // of another pending one (the MAC covers the writer's id and write
  // number, so two writes never share one).
  std::vector<std::string> genuine_macs;
  for (const PendingEntry& p : pending) {
    if (mac != nullptr && mac->EntryMacOk(p.entry, p.entry_mac)) {
      genuine_macs.push_back(p.entry_mac);
    }
  }
  std::set<std::string> seen = PgAuditStore::SequencedMacs(tx, genuine_macs);
  CompactTree tree = tree_;  // a copy: the transaction may still fail
  std::vector<int64_t> ids;
  std::vector<uint64_t> indexes;
  std::vector<std::string> leaves;
  std::vector<std::string> seq_macs;
  std::vector<std::string> subjects;
  for (PendingEntry& p : pending) {
    if (mac == nullptr || !mac->EntryMacOk(p.entry, p.entry_mac)) {
      forged.push_back(p.id);
      continue;
    }
    if (!seen.insert(p.entry_mac).second) {
      copies.push_back(p.id);
      continue;
    }
    p.entry.index = tree.size();
    const Hash leaf = LeafHash(CanonicalBytes(p.entry));
    ids.push_back(p.id);
    indexes.push_back(p.entry.index);
    leaves.push_back(AsBytes(leaf));
    seq_macs.push_back(
        mac->SequenceMac(p.entry.index, p.entry.at_micros, leaves.back()));
    subjects.push_back(std::move(p.entry.subject));
    tree.Append(leaf);
  }
  auto set_aside = [&](const std::vector<int64_t>& rows, const char* alarm,
                       const char* what, const char* purpose) {
    if (rows.empty()) return;
    PgAuditStore::Quarantine(tx, rows);
    for (int64_t id : rows) {
      common::LogError(
          absl::StrCat("ALARM: audit row ", what, " quarantined, never signed"),
          {{"alarm", alarm}, {"row_id", absl::StrCat(id)}});
      AuditRecord record;
      record.action = "audit.quarantine";
      record.subject = absl::StrCat("audit-row:", id);
      record.purpose = purpose;
      record.outcome = Outcome::kError;
      PgAuditStore::Append(tx, record);
    }
  };
  set_aside(forged, "audit_forged_entry", "written outside kvod",
            "its MAC fails: written outside kvod");
  set_aside(copies, "audit_copied_entry", "copied from a genuine one",
            "a copy of an entry kvod wrote: its MAC is already in the log");
  if (!copies.empty())
    forged.insert(forged.end(), copies.begin(), copies.end());
  const bool refresh_due =
      options_.head_refresh.count() > 0 && signed_any_ &&
      NowMs() - signed_at_ms_ >= options_.head_refresh.count();
  if (ids.empty() && signed_any_ && signed_size_ == tree_.size() &&
      !refresh_due) {
    tx.commit();
    return !forged.empty();  // the alarm entries want sequencing
  }
  if (!ids.empty()) {
    PgAuditStore::AssignIndexes(tx, ids, indexes, leaves, seq_macs, subjects);
  }
  TreeHead head;
  head.tree_size = tree.size();
  head.root = tree.Root();
  head.timestamp_ms = NowMs();
  StoredTreeHead stored{head.tree_size, AsBytes(head.root), head.timestamp_ms,
                        signer_.Sign(head), signer_.public_key()};
  if (options_.witness != nullptr) {
    // On record before anyone can see it.
    absl::Status s = options_.witness->Record(stored, /*committed=*/false);
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      return Contradiction(std::string(s.message()));
    }
    if (!s.ok()) return s;
  }
  PgAuditStore::InsertTreeHead(tx, stored, key_id_);
  tx.commit();
  if (options_.witness != nullptr) {
    if (auto s = options_.witness->Confirm(stored.tree_size); !s.ok()) {
      common::LogWarn("audit witness: cannot confirm a head",
                      {{"detail", s.message()}});
    }
  }
  tree_ = std::move(tree);
  signed_size_ = tree_.size();
  signed_at_ms_ = stored.timestamp_ms;
  signed_any_ = true;
  if (options_.on_head) options_.on_head(stored);
  return pending.size() == static_cast<size_t>(kBatch) || !forged.empty();
}

absl::Status AuditSequencer::Follow() {
  ReadTx tx(*conn_);
  const uint64_t count = PgAuditStore::SequencedCount(tx);
  if (count < tree_.size()) {
    return Contradiction(absl::StrCat(
        "the database holds ", count, " audit entries, fewer than the ",
        tree_.size(), " this kvod has seen: entries were removed"));
  }
  CompactTree tree = tree_;
  if (count > tree.size()) {
    auto leaves = PgAuditStore::LeafHashes(tx, count, tree.size());
    if (!leaves.ok()) {
      return Contradiction(std::string(leaves.status().message()));
    }
    for (const std::string& leaf : *leaves) tree.Append(FromBytes(leaf));
  }
  auto head = PgAuditStore::TreeHead(tx, 0);
  tx.commit();
  tree_ = std::move(tree);
  if (!head.has_value() || head->tree_size != tree_.size() ||
      !SignedBy(*head, signer_.public_key()) || options_.witness == nullptr) {
    return absl::OkStatus();
  }
  if (head->root_hash != AsBytes(tree_.Root())) {
    return Contradiction(absl::StrCat("the signed tree head of size ",
                                      head->tree_size,
                                      " does not match the entries it covers"));
  }
  auto latest = options_.witness->Latest();
  if (latest.has_value() && latest->head.tree_size == head->tree_size &&
      latest->head.timestamp_ms >= head->timestamp_ms) {
    return absl::OkStatus();  // seen already
  }
  absl::Status s = options_.witness->Record(*head, /*committed=*/true);
  if (s.code() == absl::StatusCode::kFailedPrecondition) {
    return Contradiction(std::string(s.message()));
  }
  return s;
}

}  // namespace kvo::audit
