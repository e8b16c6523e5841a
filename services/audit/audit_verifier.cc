#include "services/audit/audit_verifier.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace kvo::audit {
namespace {

std::string AsBytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

LogVerifier::LogVerifier(std::vector<StoredTreeHead> heads,
                         VerifyOptions options)
    : options_(std::move(options)) {
  for (StoredTreeHead& h : heads) {
    signed_size_ = std::max(signed_size_, h.tree_size);
    any_signed_ = true;
    heads_.push_back({std::move(h), false});
  }
  for (const StoredTreeHead& h : options_.witnessed) {
    heads_.push_back({h, true});
  }
  std::stable_sort(heads_.begin(), heads_.end(),
                   [](const Head& a, const Head& b) {
                     return a.head.tree_size < b.head.tree_size;
                   });
}

void LogVerifier::Fail(int64_t index, std::string problem) {
  if (!report_.ok) return;
  report_.ok = false;
  report_.first_bad_index = index;
  report_.problem = std::move(problem);
}

bool LogVerifier::CheckMacs(const EntryEvidence& s) {
  if (options_.mac == nullptr || !s.content_erased) return true;
  const uint64_t i = s.entry.index;
  if (!options_.mac->SequenceMacOk(i, s.entry.at_micros, s.leaf_hash,
                                   s.seq_mac)) {
    Fail(static_cast<int64_t>(i),
         absl::StrCat("entry ", i,
                      " is not what kvod sequenced (its sequence MAC does not "
                      "match)"));
    return false;
  }
  return true;
}

bool BadEntryLocator::Add(const EntryEvidence& s) {
  if (found_.has_value()) return false;
  if (!mac_.SequenceMacOk(s.entry.index, s.entry.at_micros, s.leaf_hash,
                          s.seq_mac)) {
    found_ = s.entry.index;
    return false;
  }
  return true;
}

bool LogVerifier::Add(const EntryEvidence& s) {
  if (!report_.ok) return false;
  // A sequencer that started on an empty log signs the empty tree.
  if (tree_.size() == 0 && !CheckHeadsAtCurrentSize()) return false;
  const uint64_t expected = tree_.size();
  if (s.entry.index != expected) {
    Fail(static_cast<int64_t>(expected),
         absl::StrCat("entry ", expected,
                      " is missing (deleted or renumbered)"));
    return false;
  }
  Hash leaf{};
  if (s.content_erased) {
    if (s.leaf_hash.size() != leaf.size()) {
      Fail(static_cast<int64_t>(expected),
           absl::StrCat("entry ", expected, " has no leaf hash"));
      return false;
    }
    std::memcpy(leaf.data(), s.leaf_hash.data(), leaf.size());
    if (options_.erasable_before_micros > 0 &&
        s.entry.at_micros >= options_.erasable_before_micros) {
      Fail(static_cast<int64_t>(expected),
           absl::StrCat("entry ", expected,
                        " was emptied before its retention period ended"));
      return false;
    }
  } else {
    leaf = LeafHash(CanonicalBytes(s.entry));
    if (AsBytes(leaf) != s.leaf_hash) {
      Fail(static_cast<int64_t>(expected),
           absl::StrCat("entry ", expected,
                        " does not match what was logged (edited or moved)"));
      return false;
    }
  }
  if (!CheckMacs(s)) return false;
  tree_.Append(leaf);
  ++report_.entries_checked;
  return CheckHeadsAtCurrentSize();
}

bool LogVerifier::CheckHeadsAtCurrentSize() {
  while (next_head_ < heads_.size() &&
         heads_[next_head_].head.tree_size == tree_.size()) {
    const Head& h = heads_[next_head_];
    if (AsBytes(tree_.Root()) != h.head.root_hash) {
      uint64_t from = 0;
      for (size_t j = next_head_; j-- > 0;) {
        if (heads_[j].head.tree_size < h.head.tree_size) {
          from = heads_[j].head.tree_size;
          break;
        }
      }
      const uint64_t last = h.head.tree_size == 0 ? 0 : h.head.tree_size - 1;
      report_.bad_range_end = h.head.tree_size;
      Fail(static_cast<int64_t>(from),
           h.witnessed
               ? absl::StrCat("entries ", from, " to ", last,
                              " do not reproduce the tree head of size ",
                              h.head.tree_size,
                              " that kvod witnessed (rewritten, or removed "
                              "and renumbered, in the database)")
               : absl::StrCat("entries ", from, " to ", last,
                              " do not match the signed tree head of size ",
                              h.head.tree_size,
                              " (entries and leaf hashes rewritten)"));
      return false;
    }
    if (h.witnessed) ++report_.witnessed_heads_checked;
    ++next_head_;
  }
  return true;
}

VerifyReport LogVerifier::Finish() {
  if (report_.ok) CheckHeadsAtCurrentSize();
  if (report_.ok && next_head_ < heads_.size()) {
    const Head& beyond = heads_.back();
    Fail(static_cast<int64_t>(tree_.size()),
         absl::StrCat("the log was truncated: ",
                      beyond.witnessed ? "kvod witnessed a tree head of "
                                       : "a signed tree head covers ",
                      beyond.head.tree_size, " entries, only ", tree_.size(),
                      " are present"));
  }
  if (report_.ok && tree_.size() > 0 &&
      (!any_signed_ || signed_size_ < tree_.size())) {
    Fail(static_cast<int64_t>(any_signed_ ? signed_size_ : 0),
         absl::StrCat("entries ", any_signed_ ? signed_size_ : 0, " to ",
                      tree_.size() - 1,
                      " are not covered by any signed tree head (heads "
                      "deleted from the database?)"));
  }
  for (const Head& h : heads_) {
    if (h.witnessed) continue;
    const StoredTreeHead& head = h.head;
    if (!options_.trusted_keys.empty() &&
        std::find(options_.trusted_keys.begin(), options_.trusted_keys.end(),
                  head.public_key) == options_.trusted_keys.end()) {
      Fail(-1, absl::StrCat("the signed tree head of size ", head.tree_size,
                            " is signed by a key kvod does not hold (",
                            common::HexEncode(head.public_key).substr(0, 16),
                            "…); the database's key table is not trusted"));
      break;
    }
    if (!VerifyStoredTreeHead(head)) {
      Fail(-1, absl::StrCat("the signed tree head of size ", head.tree_size,
                            " has an invalid signature"));
      break;
    }
    ++report_.tree_heads_checked;
  }
  return report_;
}

}  // namespace kvo::audit
