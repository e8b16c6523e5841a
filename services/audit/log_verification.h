#ifndef KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_
#define KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_

#include <pqxx/pqxx>

#include "services/audit/audit_verifier.h"

namespace kvo::audit {

// Runs LogVerifier over the stored log: every signed head and every
// sequenced entry, read in the caller's transaction (use REPEATABLE READ so
// heads and entries come from one snapshot).
VerifyReport VerifyStoredLog(pqxx::transaction_base& tx);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_
