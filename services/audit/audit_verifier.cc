#include "services/audit/audit_verifier.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/audit/tree_head.h"

namespace kvo::audit {
namespace {

std::string AsBytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

LogVerifier::LogVerifier(std::vector<StoredTreeHead> heads)
    : heads_(std::move(heads)) {}

void LogVerifier::Fail(int64_t index, std::string problem) {
  if (!report_.ok) return;
  report_.ok = false;
  report_.first_bad_index = index;
  report_.problem = std::move(problem);
}

bool LogVerifier::Add(const SequencedEntry& entry,
                      const std::string& stored_leaf_hash) {
  if (!report_.ok) return false;
  // A sequencer that started on an empty log signs the empty tree.
  if (tree_.size() == 0 && !CheckHeadsAtCurrentSize()) return false;
  const uint64_t expected = tree_.size();
  if (entry.index != expected) {
    Fail(static_cast<int64_t>(expected),
         absl::StrCat("entry ", expected,
                      " is missing (deleted or renumbered)"));
    return false;
  }
  const Hash leaf = LeafHash(CanonicalBytes(entry));
  if (AsBytes(leaf) != stored_leaf_hash) {
    Fail(static_cast<int64_t>(expected),
         absl::StrCat("entry ", expected,
                      " does not match what was logged (edited or moved)"));
    return false;
  }
  tree_.Append(leaf);
  ++report_.entries_checked;
  return CheckHeadsAtCurrentSize();
}

bool LogVerifier::CheckHeadsAtCurrentSize() {
  while (next_head_ < heads_.size() &&
         heads_[next_head_].tree_size == tree_.size()) {
    const StoredTreeHead& head = heads_[next_head_];
    if (AsBytes(tree_.Root()) != head.root_hash) {
      const uint64_t from =
          next_head_ == 0 ? 0 : heads_[next_head_ - 1].tree_size;
      Fail(
          static_cast<int64_t>(from),
          absl::StrCat("entries ", from, " to ", head.tree_size - 1,
                       " do not match the signed tree head of size ",
                       head.tree_size, " (entries and leaf hashes rewritten)"));
      return false;
    }
    ++next_head_;
  }
  return true;
}

VerifyReport LogVerifier::Finish() {
  if (report_.ok) CheckHeadsAtCurrentSize();
  if (report_.ok && next_head_ < heads_.size()) {
    Fail(static_cast<int64_t>(tree_.size()),
         absl::StrCat("the log was truncated: a signed tree head covers ",
                      heads_.back().tree_size, " entries, only ", tree_.size(),
                      " are present"));
  }
  for (const StoredTreeHead& head : heads_) {
    TreeHead th;
    th.tree_size = head.tree_size;
    th.timestamp_ms = head.timestamp_ms;
    if (head.root_hash.size() == th.root.size()) {
      std::memcpy(th.root.data(), head.root_hash.data(), th.root.size());
    }
    if (!VerifyTreeHead(th, head.signature, head.public_key)) {
      Fail(-1, absl::StrCat("the signed tree head of size ", head.tree_size,
                            " has an invalid signature"));
      break;
    }
    ++report_.tree_heads_checked;
  }
  return report_;
}

}  // namespace kvo::audit
