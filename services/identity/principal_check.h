#ifndef KVO_SERVICES_IDENTITY_PRINCIPAL_CHECK_H_
#define KVO_SERVICES_IDENTITY_PRINCIPAL_CHECK_H_

#include <cstdint>
#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_entry.h"

namespace kvo::identity {

// What every reader of a principal row does when it is not intact (its seal
// does not check out: changed or written outside kvod): raises the integrity
// alarm in `tx`, with `who` (the caller's record, or an empty one) as the
// audit entry's author and the principal as its subject, `where` saying
// what refused it ("login"). The caller commits `tx` and never uses the row.
void RaiseAlteredPrincipalAlarm(pqxx::transaction_base& tx,
                                audit::AuditRecord who, int64_t principal_id,
                                absl::string_view where);
// The DATA_LOSS a caller answers for such a row.
absl::Status AlteredPrincipalError(int64_t principal_id);
// Both: the alarm, and the status to answer.
inline absl::Status RefuseAlteredPrincipal(pqxx::transaction_base& tx,
                                           audit::AuditRecord who,
                                           int64_t principal_id,
                                           absl::string_view where) {
  RaiseAlteredPrincipalAlarm(tx, std::move(who), principal_id, where);
  return AlteredPrincipalError(principal_id);
}

// What a principal whose row fails its check is shown as, wherever a login
// would be (the audit log's queries): never the row's own login.
inline constexpr char kAlteredPrincipalLogin[] =
    "(altered principal row: integrity alarm)";

}  // namespace kvo::identity

#endif  // KVO_SERVICES_IDENTITY_PRINCIPAL_CHECK_H_
