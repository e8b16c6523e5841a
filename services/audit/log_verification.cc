#include "services/audit/log_verification.h"

#include "services/audit/pg_audit_store.h"

namespace kvo::audit {

VerifyReport VerifyStoredLog(pqxx::transaction_base& tx) {
  LogVerifier verifier(PgAuditStore::AllTreeHeads(tx));
  PgAuditStore::ForEachSequenced(
      tx, [&](const SequencedEntry& e, const std::string& leaf) {
        return verifier.Add(e, leaf);
      });
  return verifier.Finish();
}

}  // namespace kvo::audit
