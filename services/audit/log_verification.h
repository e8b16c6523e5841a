#ifndef KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_
#define KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "services/audit/audit_verifier.h"
#include "services/audit/witness.h"

namespace kvo::audit {

// What kvod holds against the stored log besides its entries and heads.
struct StoredLogChecks {
  VerifyOptions trust;
  // 0: not checked. The latest signed head may be at most this old
  // (milliseconds, against `now_ms`), and no entry may wait longer than
  // `max_unsequenced_micros` for the sequencer.
  int64_t now_ms = 0;
  int64_t max_head_age_ms = 0;
  int64_t max_unsequenced_micros = 0;
  // Rows the sequencer set aside (forged or copied) fail the log.
  bool quarantine = true;
};

// What kvod holds the stored log to, from what the database cannot change:
// this process's MAC key, its one signing key, the heads its witness file
// saw committed, and when an entry's content may first be erased (Unix
// microseconds; 0: not checked). No freshness limits.
StoredLogChecks TrustedChecks(const Witness* witness,
                              const std::string& public_key,
                              int64_t erasable_before_micros);

// Runs LogVerifier over the stored log: every signed head and every
// sequenced entry, read in the caller's transaction (use REPEATABLE READ so
// heads and entries come from one snapshot), and the subject index against
// the entries (every subject of every entry with its content, nothing
// else); then rows quarantined by the sequencer and the freshness limits in
// `checks`.
VerifyReport VerifyStoredLog(pqxx::transaction_base& tx,
                             const StoredLogChecks& checks = {});

// At start-up: the stored log was written with this kvod's keys (replicas
// of one database share <data-dir>/audit/signing.key and mac.key; a replica
// with keys of its own would have every entry it writes quarantined).
// FAILED_PRECONDITION naming the key files otherwise.
absl::Status CheckLogKeys(pqxx::transaction_base& tx, const AuditMac& mac,
                          const std::string& public_key);

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_LOG_VERIFICATION_H_
