#ifndef KVO_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define KVO_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include <cstdint>
#include <string>

#include "kvo/v1/audit.grpc.pb.h"
#include "services/audit/anomalies.h"
#include "services/audit/audit_integrity.h"
#include "services/audit/log_reading.h"
#include "services/audit/witness.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"

namespace kvo::audit {

// The gRPC adapter of the audit log for privacy officers and admins:
// verification of the whole log, signed tree heads and proofs. Status codes:
// NOT_FOUND (no signed head of that size), INVALID_ARGUMENT (index or sizes
// out of range), DATA_LOSS (entries missing under a signed head), and the
// guard's. Every call is itself audited. Verify trusts what the database
// cannot change: this kvod's signing key, its witness file and the MAC key.
// Thread-safe.
struct AuditTrust {
  const Witness* witness = nullptr;
  const AuditIntegrity* integrity = nullptr;
  std::string public_key;  // raw 32 bytes: the only key heads may carry
  int64_t max_head_age_ms = 0;
  int64_t max_unsequenced_micros = 0;
  // An entry's content may be erased once it is this old by `clock`.
  const common::Clock* clock = nullptr;
  absl::Duration audit_retention = absl::ZeroDuration();
  // The privacy policy's anomaly thresholds.
  AnomalyThresholds anomalies;
};

class AuditServiceImpl final : public kvo::v1::AuditService::Service {
 public:
  AuditServiceImpl(common::DbPool& pool, identity::RpcGuard& guard,
                   AuditTrust trust);

  grpc::Status Verify(grpc::ServerContext* context,
                      const kvo::v1::VerifyRequest* request,
                      kvo::v1::VerifyResponse* response) override;
  grpc::Status GetTreeHead(grpc::ServerContext* context,
                           const kvo::v1::GetTreeHeadRequest* request,
                           kvo::v1::SignedTreeHead* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const kvo::v1::InclusionProofRequest* request,
                                 kvo::v1::InclusionProof* response) override;
  grpc::Status GetConsistencyProof(
      grpc::ServerContext* context,
      const kvo::v1::ConsistencyProofRequest* request,
      kvo::v1::ConsistencyProof* response) override;

  // Reading the log (privacy officer): see log_reading.h for the codes.
  grpc::Status QueryLog(grpc::ServerContext* context,
                        const kvo::v1::QueryLogRequest* request,
                        kvo::v1::QueryLogResponse* response) override;
  grpc::Status GetEntry(grpc::ServerContext* context,
                        const kvo::v1::GetEntryRequest* request,
                        kvo::v1::LogRow* response) override;
  grpc::Status ListTreeHeads(grpc::ServerContext* context,
                             const kvo::v1::ListTreeHeadsRequest* request,
                             kvo::v1::ListTreeHeadsResponse* response) override;
  grpc::Status GetAnomalies(grpc::ServerContext* context,
                            const kvo::v1::AnomalyRequest* request,
                            kvo::v1::AnomalyReport* response) override;

 private:
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const AuditTrust trust_;
  LogReading reading_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_SERVICE_H_
