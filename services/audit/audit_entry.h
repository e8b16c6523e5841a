#ifndef KVO_SERVICES_AUDIT_AUDIT_ENTRY_H_
#define KVO_SERVICES_AUDIT_AUDIT_ENTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace kvo::audit {

enum class Outcome { kOk, kDenied, kError };
absl::string_view OutcomeName(Outcome outcome);

// What a module records: who (principal and role), what (action), about
// whom (a pseudonymous subject id such as "principal:12" or "person:<id>",
// never a name), why (purpose), how it ended and for which request.
struct AuditRecord {
  int64_t principal_id = 0;  // 0: not authenticated
  std::string role;
  std::string action;
  std::string subject;
  std::string purpose;
  Outcome outcome = Outcome::kOk;
  std::string request_id;
  // The area the call was about, when one (0: none or several).
  int64_t area_id = 0;
  // The caller's network address without the port ("ipv4:10.0.0.7").
  std::string peer;
};

// An entry as the sequencer placed it in the tree.
struct SequencedEntry {
  uint64_t index = 0;
  int64_t at_micros = 0;  // microseconds since the Unix epoch, UTC
  int64_t principal_id = 0;
  std::string role;
  std::string action;
  std::string subject;
  std::string purpose;
  std::string outcome;
  std::string request_id;
  int64_t area_id = 0;
  std::string peer;
  // Which kvod process wrote the row (16 random bytes, new at each start)
  // and its how-manieth write: the write MAC covers both, so a copy of a
  // genuine row is told from the row itself. Empty / 0 in entries written
  // before both existed (their MAC is v1 or v2).
  std::string writer;
  int64_t write_no = 0;
};

// An entry's subjects, the one way every writer and reader spells them:
// pseudonymous ids ("person:<id>") joined by commas. SplitSubjects also
// takes the blanks older retention entries were joined with, and leaves out
// empty pieces and pieces longer than kMaxSubjectBytes (no id is that long:
// they are not indexed, so no entry can outgrow the subject index's rows).
// Its result is sorted and without repeats: the rows audit_subjects holds
// for the entry.
inline constexpr size_t kMaxSubjectBytes = 200;
template <typename Strings>  // any range of strings
std::string JoinSubjects(const Strings& subjects) {
  return absl::StrJoin(subjects, ",");
}
std::vector<std::string> SplitSubjects(absl::string_view subject);

// A signed tree head as stored, with the signer's public key.
struct StoredTreeHead {
  uint64_t tree_size = 0;
  std::string root_hash;  // 32 raw bytes
  int64_t timestamp_ms = 0;
  std::string signature;   // 64 raw bytes
  std::string public_key;  // 32 raw bytes
};

// The bytes a leaf hashes: a version tag, then every field (the tree index
// included, so moving a row to another index changes its hash) as a 4-byte
// big-endian length and its bytes. An entry with neither area nor peer is
// encoded as v1, exactly as before both existed; one with either as v2,
// which appends them. The tag differs, so adding, changing or dropping an
// area or address after the fact changes the hash.
std::string CanonicalBytes(const SequencedEntry& entry);

// The bytes an entry's write MAC covers: what kvod knows when it writes the
// row (time and every field, and since v3 the writer and its write number),
// not the index the sequencer gives it later. v3 when `writer` is set; the
// v1/v2 bytes of older entries are unchanged.
std::string WrittenBytes(const SequencedEntry& entry);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_ENTRY_H_
