#include "services/audit/audit_sequencer.h"

#include <cstring>

#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"

namespace kvo::audit {
namespace {

// pg_advisory_lock key: "kvo-seq" as an int64.
constexpr int64_t kSequencerLockKey = 0x6b766f2d736571;
constexpr int kBatch = 5000;

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

}  // namespace

AuditSequencer::AuditSequencer(std::string conninfo, TreeHeadSigner signer,
                               std::chrono::milliseconds interval)
    : conninfo_(std::move(conninfo)),
      signer_(std::move(signer)),
      interval_(interval) {}

AuditSequencer::~AuditSequencer() { Stop(); }

void AuditSequencer::Start() {
  std::lock_guard lock(loop_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void AuditSequencer::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (auto last = RunOnce(); !last.ok()) {
    common::LogWarn("audit sequencer: last round failed",
                    {{"detail", last.status().message()}});
  }
  std::lock_guard lock(mu_);
  conn_.reset();  // releases the advisory lock
  leader_ = false;
}

void AuditSequencer::Loop() {
  std::unique_lock lock(loop_mu_);
  while (!stopping_) {
    lock.unlock();
    if (auto r = RunOnce(); !r.ok()) {
      common::LogWarn("audit sequencer round failed",
                      {{"detail", r.status().message()}});
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

bool AuditSequencer::EnsureLeader() {
  if (leader_ && conn_ != nullptr && conn_->is_open()) return true;
  leader_ = false;
  if (conn_ == nullptr || !conn_->is_open()) {
    conn_ = std::make_unique<pqxx::connection>(conninfo_);
  }
  {
    pqxx::nontransaction tx(*conn_);
    if (!tx.exec_params1("SELECT pg_try_advisory_lock($1)",
                         kSequencerLockKey)[0]
             .as<bool>()) {
      return false;
    }
  }
  // Now the sequencer: rebuild the tree's frontier from the stored leaves.
  pqxx::work tx(*conn_);
  CompactTree tree;
  const uint64_t count = PgAuditStore::SequencedCount(tx);
  for (const std::string& leaf : PgAuditStore::LeafHashes(tx, count)) {
    tree.Append(FromBytes(leaf));
  }
  key_id_ = PgAuditStore::RegisterKey(tx, signer_.public_key());
  auto latest = PgAuditStore::TreeHead(tx, 0);
  tx.commit();
  tree_ = std::move(tree);
  signed_any_ = latest.has_value();
  signed_size_ = latest.has_value() ? latest->tree_size : 0;
  leader_ = true;
  common::LogInfo("audit sequencer active",
                  {{"tree_size", std::to_string(tree_.size())}});
  return true;
}

absl::StatusOr<std::optional<uint64_t>> AuditSequencer::RunOnce() {
  std::lock_guard lock(mu_);
  try {
    if (!EnsureLeader()) return std::optional<uint64_t>();
    for (;;) {
      pqxx::work tx(*conn_);
      std::vector<PendingEntry> pending =
          PgAuditStore::LockUnsequenced(tx, kBatch);
      if (pending.empty() && signed_any_ && signed_size_ == tree_.size()) {
        tx.commit();
        return std::optional<uint64_t>(tree_.size());
      }
      // Work on a copy: the transaction may still fail.
      CompactTree tree = tree_;
      std::vector<int64_t> ids;
      std::vector<uint64_t> indexes;
      std::vector<std::string> leaves;
      for (PendingEntry& p : pending) {
        p.entry.index = tree.size();
        const Hash leaf = LeafHash(CanonicalBytes(p.entry));
        ids.push_back(p.id);
        indexes.push_back(p.entry.index);
        leaves.push_back(AsBytes(leaf));
        tree.Append(leaf);
      }
      if (!ids.empty()) PgAuditStore::AssignIndexes(tx, ids, indexes, leaves);
      TreeHead head;
      head.tree_size = tree.size();
      head.root = tree.Root();
      head.timestamp_ms = NowMs();
      StoredTreeHead stored{head.tree_size, AsBytes(head.root),
                            head.timestamp_ms, signer_.Sign(head),
                            signer_.public_key()};
      PgAuditStore::InsertTreeHead(tx, stored, key_id_);
      tx.commit();
      tree_ = std::move(tree);
      signed_size_ = tree_.size();
      signed_any_ = true;
      if (pending.size() < static_cast<size_t>(kBatch)) {
        return std::optional<uint64_t>(tree_.size());
      }
    }
  } catch (const std::exception& e) {
    // Lost connection or lock: start over (and re-check leadership) next
    // round. The message is ours or libpq's, never entry contents.
    conn_.reset();
    leader_ = false;
    return absl::UnavailableError(
        std::string("audit sequencer: database unavailable: ") + e.what());
  }
}

}  // namespace kvo::audit
