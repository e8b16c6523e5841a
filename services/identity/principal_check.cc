#include "services/identity/principal_check.h"

#include "absl/strings/str_cat.h"
#include "services/audit/integrity_alarm.h"

namespace kvo::identity {

void RaiseAlteredPrincipalAlarm(pqxx::transaction_base& tx,
                                audit::AuditRecord who, int64_t principal_id,
                                absl::string_view where) {
  who.subject = absl::StrCat("principal:", principal_id);
  audit::RaiseIntegrityAlarm(
      tx, std::move(who),
      absl::StrCat(where,
                   ": principal row fails its integrity check (changed "
                   "outside kvod), not used"));
}

absl::Status AlteredPrincipalError(int64_t principal_id) {
  return absl::DataLossError(absl::StrCat(
      "principal ", principal_id,
      ": its row in the database fails the integrity check (changed outside "
      "kvod); refused and reported to the privacy officer"));
}

}  // namespace kvo::identity
