#include "services/audit/audit_service.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_requests.h"
#include "services/audit/log_verification.h"
#include "services/audit/merkle.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/proto_time.h"
#include "services/common/status_util.h"

namespace kvo::audit {
namespace {

using common::ToGrpcStatus;
using ReadTx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_write>;

constexpr char kService[] = "kvo.v1.AuditService/";
constexpr char kPurpose[] = "audit oversight";

void ToProto(const StoredTreeHead& head, kvo::v1::SignedTreeHead* out) {
  out->set_tree_size(head.tree_size);
  out->set_root_hash(head.root_hash);
  out->set_timestamp_ms(head.timestamp_ms);
  out->set_signature(head.signature);
  out->set_public_key(head.public_key);
}

std::vector<Hash> AsHashes(const std::vector<std::string>& raw) {
  std::vector<Hash> out(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].size() == out[i].size()) {
      std::memcpy(out[i].data(), raw[i].data(), out[i].size());
    }
  }
  return out;
}

void ToProto(const LogReading::Row& row, kvo::v1::LogRow* out) {
  const SequencedEntry& e = row.stored.entry;
  kvo::v1::AuditEntry* entry = out->mutable_entry();
  entry->set_index(e.index);
  *entry->mutable_at() = common::ToProto(absl::FromUnixMicros(e.at_micros));
  entry->set_principal_id(e.principal_id);
  entry->set_role(e.role);
  entry->set_action(e.action);
  entry->set_subject(e.subject);
  entry->set_purpose(e.purpose);
  entry->set_outcome(e.outcome);
  entry->set_request_id(e.request_id);
  entry->set_area_id(e.area_id);
  entry->set_peer(e.peer);
  out->set_login(row.login);
  out->set_content_erased(row.stored.content_erased);
}

// An unset timestamp is an open bound.
std::optional<int64_t> Micros(bool set, const google::protobuf::Timestamp& t) {
  if (!set) return std::nullopt;
  return absl::ToUnixMicros(common::FromProto(t));
}

absl::StatusOr<StoredTreeHead> HeadOfSize(pqxx::transaction_base& tx,
                                          uint64_t size) {
  auto head = PgAuditStore::TreeHead(tx, size);
  if (!head.has_value()) {
    return absl::NotFoundError(
        size == 0
            ? std::string("no signed tree head yet; retry in a few seconds")
            : absl::StrCat("no signed tree head of size ", size));
  }
  return *head;
}

// Entries written before this may have lost their content (retention).
int64_t ErasableBefore(const AuditTrust& trust) {
  if (trust.clock == nullptr || trust.audit_retention <= absl::ZeroDuration()) {
    return 0;
  }
  return absl::ToUnixMicros(trust.clock->Now() - trust.audit_retention);
}

}  // namespace

AuditServiceImpl::AuditServiceImpl(common::DbPool& pool,
                                   identity::RpcGuard& guard, AuditTrust trust)
    : pool_(pool),
      guard_(guard),
      trust_(std::move(trust)),
      reading_(pool, guard, trust_.anomalies) {}

grpc::Status AuditServiceImpl::Verify(grpc::ServerContext* context,
                                      const kvo::v1::VerifyRequest*,
                                      kvo::v1::VerifyResponse* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "Verify"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  // One snapshot for heads and entries, so a concurrent sequencer round
  // cannot look like tampering.
  auto report = pool_.InTransaction<ReadTx>(
      "verify audit log", [&](ReadTx& tx) -> absl::StatusOr<VerifyReport> {
        StoredLogChecks checks = TrustedChecks(
            trust_.witness, trust_.public_key, ErasableBefore(trust_));
        checks.now_ms = absl::ToUnixMillis(absl::Now());
        checks.max_head_age_ms = trust_.max_head_age_ms;
        checks.max_unsequenced_micros = trust_.max_unsequenced_micros;
        VerifyReport r = VerifyStoredLog(tx, checks);
        if (r.ok && trust_.integrity != nullptr && !trust_.integrity->ok()) {
          r.ok = false;
          r.problem =
              absl::StrCat("kvod fails closed: ", trust_.integrity->reason());
        }
        if (auto latest = PgAuditStore::TreeHead(tx, 0)) {
          ToProto(*latest, response->mutable_latest());
        }
        PgAuditStore::Append(
            tx, guard_.Record(*call, "audit.verify", "", kPurpose,
                              r.ok ? Outcome::kOk : Outcome::kError));
        return r;
      });
  if (!report.ok()) return ToGrpcStatus(report.status());
  response->set_ok(report->ok);
  response->set_entries_checked(report->entries_checked);
  response->set_tree_heads_checked(report->tree_heads_checked);
  response->set_witnessed_heads_checked(report->witnessed_heads_checked);
  response->set_first_bad_index(report->first_bad_index);
  response->set_problem(report->problem);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetTreeHead(
    grpc::ServerContext* context, const kvo::v1::GetTreeHeadRequest* request,
    kvo::v1::SignedTreeHead* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "GetTreeHead"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateGetTreeHeadRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto head = pool_.InTransaction(
      "read tree head", [&](pqxx::work& tx) -> absl::StatusOr<StoredTreeHead> {
        return HeadOfSize(tx, request->tree_size());
      });
  if (!head.ok()) return ToGrpcStatus(head.status());
  ToProto(*head, response);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetInclusionProof(
    grpc::ServerContext* context, const kvo::v1::InclusionProofRequest* request,
    kvo::v1::InclusionProof* response) {
  auto call =
      guard_.Begin(*context, absl::StrCat(kService, "GetInclusionProof"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateInclusionProofRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::Status s = pool_.InTransaction<ReadTx>(
      "inclusion proof", [&](ReadTx& tx) -> absl::Status {
        auto head = HeadOfSize(tx, request->tree_size());
        if (!head.ok()) return head.status();
        if (request->index() >= head->tree_size) {
          return absl::InvalidArgumentError(
              absl::StrCat("--index ", request->index(),
                           ": must be below the tree size ", head->tree_size));
        }
        auto stored = PgAuditStore::LeafHashes(tx, head->tree_size);
        if (!stored.ok()) return stored.status();
        const std::vector<Hash> leaves = AsHashes(*stored);
        auto entry = PgAuditStore::EntryAt(tx, request->index());
        if (!entry.has_value()) {
          return absl::DataLossError(
              absl::StrCat("entry ", request->index(), " is missing"));
        }
        response->set_index(request->index());
        const Hash& leaf = leaves[request->index()];
        response->set_leaf_hash(std::string(leaf.begin(), leaf.end()));
        for (const Hash& h :
             InclusionProof(leaves, request->index(), head->tree_size)) {
          response->add_path(std::string(h.begin(), h.end()));
        }
        if (PgAuditStore::ContentErased(tx, request->index())) {
          response->set_content_erased(true);
        } else {
          response->set_entry(CanonicalBytes(*entry));
        }
        ToProto(*head, response->mutable_tree_head());
        PgAuditStore::Append(
            tx,
            guard_.Record(*call, "audit.inclusion_proof",
                          absl::StrCat("audit:", request->index()), kPurpose));
        return absl::OkStatus();
      });
  return ToGrpcStatus(s);
}

grpc::Status AuditServiceImpl::GetConsistencyProof(
    grpc::ServerContext* context,
    const kvo::v1::ConsistencyProofRequest* request,
    kvo::v1::ConsistencyProof* response) {
  auto call =
      guard_.Begin(*context, absl::StrCat(kService, "GetConsistencyProof"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateConsistencyProofRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::Status s = pool_.InTransaction<ReadTx>(
      "consistency proof", [&](ReadTx& tx) -> absl::Status {
        auto first = HeadOfSize(tx, request->first_size());
        if (!first.ok()) return first.status();
        auto second = HeadOfSize(tx, request->second_size());
        if (!second.ok()) return second.status();
        auto stored = PgAuditStore::LeafHashes(tx, second->tree_size);
        if (!stored.ok()) return stored.status();
        const std::vector<Hash> leaves = AsHashes(*stored);
        for (const Hash& h :
             ConsistencyProof(leaves, first->tree_size, second->tree_size)) {
          response->add_path(std::string(h.begin(), h.end()));
        }
        ToProto(*first, response->mutable_first());
        ToProto(*second, response->mutable_second());
        PgAuditStore::Append(
            tx, guard_.Record(*call, "audit.consistency_proof", "", kPurpose));
        return absl::OkStatus();
      });
  return ToGrpcStatus(s);
}

grpc::Status AuditServiceImpl::QueryLog(grpc::ServerContext* context,
                                        const kvo::v1::QueryLogRequest* request,
                                        kvo::v1::QueryLogResponse* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "QueryLog"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  LogReading::Query q;
  q.filter.subject = request->subject();
  q.filter.action = request->action();
  q.filter.area_id = request->area_id();
  q.filter.from_micros = Micros(request->has_from(), request->from());
  q.filter.to_micros = Micros(request->has_to(), request->to());
  q.principal = request->principal();
  q.page_token = request->page_token();
  q.page_size = request->page_size();
  q.purpose = request->purpose();
  auto page = reading_.QueryLog(*call, q);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const auto& row : page->rows) ToProto(row, response->add_rows());
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetEntry(grpc::ServerContext* context,
                                        const kvo::v1::GetEntryRequest* request,
                                        kvo::v1::LogRow* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "GetEntry"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto row = reading_.Entry(*call, request->index(), request->purpose());
  if (!row.ok()) return ToGrpcStatus(row.status());
  ToProto(*row, response);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::ListTreeHeads(
    grpc::ServerContext* context, const kvo::v1::ListTreeHeadsRequest* request,
    kvo::v1::ListTreeHeadsResponse* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "ListTreeHeads"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto heads = reading_.Heads(request->before_size(), request->page_size());
  if (!heads.ok()) return ToGrpcStatus(heads.status());
  for (const auto& h : *heads) ToProto(h, response->add_heads());
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetAnomalies(
    grpc::ServerContext* context, const kvo::v1::AnomalyRequest* request,
    kvo::v1::AnomalyReport* response) {
  auto call = guard_.Begin(*context, absl::StrCat(kService, "GetAnomalies"));
  if (!call.ok()) return ToGrpcStatus(call.status());
  LogReading::AnomalyQuery q;
  q.area_id = request->area_id();
  // Unset: the last 7 days.
  const absl::Time now =
      trust_.clock != nullptr ? trust_.clock->Now() : absl::Now();
  q.to_micros = Micros(request->has_to(), request->to())
                    .value_or(absl::ToUnixMicros(now));
  q.from_micros = Micros(request->has_from(), request->from())
                      .value_or(q.to_micros -
                                absl::ToInt64Microseconds(absl::Hours(24 * 7)));
  q.purpose = request->purpose();
  auto report = reading_.Anomalies(*call, q);
  if (!report.ok()) return ToGrpcStatus(report.status());
  for (const Anomaly& a : report->anomalies) {
    kvo::v1::Anomaly* out = response->add_anomalies();
    out->set_kind(a.kind);
    out->set_principal_id(a.principal_id);
    if (auto it = report->logins.find(a.principal_id);
        it != report->logins.end()) {
      out->set_login(it->second);
    }
    out->set_subject(a.subject);
    out->set_day(a.day);
    out->set_count(a.count);
    out->set_detail(a.detail);
    *out->mutable_last_at() =
        common::ToProto(absl::FromUnixMicros(a.last_at_micros));
    for (uint64_t i : a.indexes) out->add_indexes(i);
  }
  response->set_entries_examined(report->entries_examined);
  return grpc::Status::OK;
}

}  // namespace kvo::audit
