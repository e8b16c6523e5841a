// The privacy officer's first page by subject as the simplest SQL that
// reads the same rows by the same index: the audit benches' baseline.
#ifndef KVO_TESTS_BENCH_AUDIT_PAGE_SQL_H_
#define KVO_TESTS_BENCH_AUDIT_PAGE_SQL_H_

#include <string>

#include "absl/strings/str_cat.h"

namespace kvo::bench {

// The columns PgAuditStore::Query reads of an entry.
inline constexpr char kPageColumns[] =
    "seq, encode(leaf_hash, 'hex'), encode(seq_mac, 'hex'), "
    "content_erased_at IS NOT NULL, (EXTRACT(EPOCH FROM at) * "
    "1000000)::bigint, COALESCE(principal_id, 0), role, action, subject, "
    "purpose, outcome, request_id, COALESCE(area_id, 0), peer";
// $1 the subject, $2 the page size (+1, as kvod asks).
inline const std::string kBareBySubject = absl::StrCat(
    "SELECT ", kPageColumns,
    " FROM audit_entries WHERE seq IN (SELECT seq FROM audit_subjects WHERE "
    "subject = $1 ORDER BY seq DESC LIMIT $2) ORDER BY seq DESC");

}  // namespace kvo::bench

#endif  // KVO_TESTS_BENCH_AUDIT_PAGE_SQL_H_
