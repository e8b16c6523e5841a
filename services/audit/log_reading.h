#ifndef KVO_SERVICES_AUDIT_LOG_READING_H_
#define KVO_SERVICES_AUDIT_LOG_READING_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/audit/anomalies.h"
#include "services/audit/audit_query.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"

namespace kvo::audit {

// The privacy officer's use cases on the access log: queries, one entry,
// the signed heads and the anomaly report. Each owns its transaction and
// appends its own audit entry (with the officer's purpose); a refusal of
// bad input writes only the refusal's entry. Status codes: INVALID_ARGUMENT
// naming the CLI flag, NOT_FOUND for an unknown subject, principal, area or
// index, FAILED_PRECONDITION for an entry no signed head covers yet.
// Thread-safe.
class LogReading final {
 public:
  LogReading(common::DbPool& pool, identity::RpcGuard& guard,
             AnomalyThresholds thresholds);

  struct Query {
    LogFilter filter;       // principal_id is resolved from `principal`
    std::string principal;  // a login or a numeric id; "" for any
    std::string page_token;
    int page_size = 0;
    std::string purpose;
  };
  struct Row {
    StoredEntry stored;
    std::string login;
  };
  struct Page {
    std::vector<Row> rows;
    std::string next_page_token;
  };
  absl::StatusOr<Page> QueryLog(const identity::Call& call, const Query& q);

  absl::StatusOr<Row> Entry(const identity::Call& call, uint64_t index,
                            const std::string& purpose);

  absl::StatusOr<std::vector<StoredTreeHead>> Heads(uint64_t before_size,
                                                    int page_size);

  struct AnomalyQuery {
    int64_t area_id = 0;
    int64_t from_micros = 0;
    int64_t to_micros = 0;
    std::string purpose;
  };
  struct Report {
    std::vector<Anomaly> anomalies;
    std::map<int64_t, std::string> logins;
    uint64_t entries_examined = 0;
  };
  absl::StatusOr<Report> Anomalies(const identity::Call& call,
                                   const AnomalyQuery& q);

 private:
  // Audits the refusal of `call` (bad input) alone, then returns `status`.
  absl::Status Refuse(const identity::Call& call, absl::string_view action,
                      absl::string_view purpose, absl::Status status);

  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const AnomalyThresholds thresholds_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_LOG_READING_H_
