#ifndef KVO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_
#define KVO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/card_changes.h"
#include "services/registry/card_issuing.h"
#include "services/registry/card_revoking.h"
#include "services/registry/incident_recording.h"
#include "services/registry/key_ring.h"
#include "services/registry/notice_claims.h"
#include "services/registry/notice_writing.h"
#include "services/registry/objection_handling.h"
#include "services/registry/person_records.h"
#include "services/registry/police_reports.h"

namespace kvo::registry {

// The gRPC adapter of the registry: validates, checks areas through the
// guard, runs each use case in one transaction that also appends its audit
// entry, and maps the result. Personal data is sealed before it reaches the
// store and opened only for the fields the caller's role may see
// (person_fields in policy/). Errors: INVALID_ARGUMENT naming the field,
// NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION (the rules refuse),
// PERMISSION_DENIED, DATA_LOSS (a sealed value does not open), UNAVAILABLE.
// Every card change (issue, revocation, upheld objection, erasure) is
// reported to `card_changes` in the same transaction and again after the
// commit; kvod wires the door gallery there. Every decision in time (cards
// in force, a minor's age, deadlines, revocation) reads `clock`.
// Thread-safe.
class RegistryServiceImpl final : public kvo::v1::RegistryService::Service {
 public:
  RegistryServiceImpl(const kvo::v1::Policy& policy, common::DbPool& pool,
                      identity::RpcGuard& guard, const KeyRing& keys,
                      CardChangeSink& card_changes, const common::Clock& clock,
                      IncidentRecording& incidents, CardIssuing& card_issuing,
                      const notice::Letterheads& letterheads,
                      const NoticeClaims* notice_claims = nullptr);

  grpc::Status CreateShop(grpc::ServerContext* context,
                          const kvo::v1::CreateShopRequest* request,
                          kvo::v1::Shop* response) override;
  grpc::Status ListShops(grpc::ServerContext* context,
                         const kvo::v1::ListShopsRequest* request,
                         kvo::v1::ListShopsResponse* response) override;
  grpc::Status AddShopMember(grpc::ServerContext* context,
                             const kvo::v1::AddShopMemberRequest* request,
                             kvo::v1::Shop* response) override;
  grpc::Status FindPerson(grpc::ServerContext* context,
                          const kvo::v1::FindPersonRequest* request,
                          kvo::v1::FindPersonResponse* response) override;
  grpc::Status CreatePerson(grpc::ServerContext* context,
                            const kvo::v1::CreatePersonRequest* request,
                            kvo::v1::Person* response) override;
  grpc::Status GetPerson(grpc::ServerContext* context,
                         const kvo::v1::GetPersonRequest* request,
                         kvo::v1::Person* response) override;
  grpc::Status ErasePerson(grpc::ServerContext* context,
                           const kvo::v1::ErasePersonRequest* request,
                           kvo::v1::ErasePersonResponse* response) override;
  grpc::Status RecordIncident(grpc::ServerContext* context,
                              const kvo::v1::RecordIncidentRequest* request,
                              kvo::v1::Incident* response) override;
  grpc::Status RecordPoliceReport(
      grpc::ServerContext* context,
      const kvo::v1::RecordPoliceReportRequest* request,
      kvo::v1::Incident* response) override;
  grpc::Status GetPoliceReportPdf(
      grpc::ServerContext* context,
      const kvo::v1::GetPoliceReportPdfRequest* request,
      kvo::v1::PoliceReportPdf* response) override;
  grpc::Status IssueCard(grpc::ServerContext* context,
                         const kvo::v1::IssueCardRequest* request,
                         kvo::v1::Card* response) override;
  grpc::Status RevokeCard(grpc::ServerContext* context,
                          const kvo::v1::RevokeCardRequest* request,
                          kvo::v1::Card* response) override;
  grpc::Status ListCards(grpc::ServerContext* context,
                         const kvo::v1::ListCardsRequest* request,
                         kvo::v1::ListCardsResponse* response) override;
  grpc::Status GetNotice(grpc::ServerContext* context,
                         const kvo::v1::GetNoticeRequest* request,
                         kvo::v1::Notice* response) override;
  grpc::Status FileObjection(grpc::ServerContext* context,
                             const kvo::v1::FileObjectionRequest* request,
                             kvo::v1::Objection* response) override;
  grpc::Status DecideObjection(grpc::ServerContext* context,
                               const kvo::v1::DecideObjectionRequest* request,
                               kvo::v1::Objection* response) override;
  grpc::Status ListObjections(
      grpc::ServerContext* context,
      const kvo::v1::ListObjectionsRequest* request,
      kvo::v1::ListObjectionsResponse* response) override;
  grpc::Status ListIncidents(grpc::ServerContext* context,
                             const kvo::v1::ListIncidentsRequest* request,
                             kvo::v1::ListIncidentsResponse* response) override;

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  CardChangeSink& card_changes_;
  const common::Clock& clock_;
  IncidentRecording& incidents_;  // RecordIncident's use case
  CardIssuing& card_issuing_;     // IssueCard's
  PersonRecords persons_;         // Create/Get/ErasePerson's use cases
  CardRevoking card_revoking_;    // RevokeCard's
  NoticeWriting notices_;         // GetNotice's
  PoliceReports police_reports_;  // RecordPoliceReport, GetPoliceReportPdf
  ObjectionHandling objections_;  // the objection RPCs
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_REGISTRY_SERVICE_H_
