#include "services/registry/key_service.h"

#include "services/audit/pg_audit_store.h"
#include "services/common/log.h"
#include "services/common/proto_time.h"
#include "services/common/status_util.h"
#include "services/common/text.h"
#include "services/registry/registry_requests.h"

namespace kvo::registry {
namespace {

using common::ToGrpcStatus;

kvo::v1::KeyStatus ToProto(const KeyStatus& status) {
  kvo::v1::KeyStatus out;
  out.set_current_version(status.current_version);
  out.set_data_keys_behind(status.data_keys_behind);
  out.set_root_key_id(status.root_key_id);
  if (status.root_rotated_at) {
    *out.mutable_root_rotated_at() = common::ToProto(*status.root_rotated_at);
  }
  for (const auto& k : status.versions) {
    auto* v = out.add_versions();
    v->set_version(k.version);
    *v->mutable_created_at() = common::ToProto(k.created_at);
    if (k.retired_at) *v->mutable_retired_at() = common::ToProto(*k.retired_at);
    v->set_data_keys(k.data_keys);
  }
  return out;
}

}  // namespace

void KeyRewrap::Start(std::chrono::milliseconds interval) {
  task_.Start(
      interval,
      [this] {
        if (auto moved = RunOnce(); !moved.ok()) {
          common::LogWarn("key rewrap", {{"detail", moved.status().message()}});
        } else if (*moved > 0) {
          common::LogInfo(
              "key rewrap",
              {{"rewrapped", std::to_string(*moved)},
               {"version", std::to_string(keys_.current_version())}});
        }
      },
      /*run_first=*/true);
}

absl::StatusOr<int64_t> KeyRewrap::RunOnce() {
  int64_t total = 0;
  for (;;) {
    auto moved = keys_.RewrapStep(kBatch);
    if (!moved.ok()) return moved.status();
    total += *moved;
    if (*moved < kBatch) return total;
  }
}

grpc::Status KeyServiceImpl::RotateKeys(
    grpc::ServerContext* context, const kvo::v1::RotateKeysRequest* request,
    kvo::v1::KeyStatus* response) {
  auto call = guard_.Begin(*context, "kvo.v1.KeyService/RotateKeys");
  if (!call.ok()) return ToGrpcStatus(call.status());
  if (auto s = ValidateRotateKeysRequest(*request); !s.ok()) {
    return ToGrpcStatus(s);
  }
  // The rotation commits in the key store, then its audit entry here.
  if (request->root()) {
    if (auto s = keys_.RotateRoot(); !s.ok()) return ToGrpcStatus(s);
    guard_.AuditAlone(
        guard_.Record(*call, "keys.rotate_root", "", request->reason()));
  } else {
    auto version = keys_.Rotate();
    if (!version.ok()) return ToGrpcStatus(version.status());
    guard_.AuditAlone(guard_.Record(*call, "keys.rotate",
                                    "kek:" + std::to_string(*version),
                                    request->reason()));
  }
  auto status = keys_.Status();
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = ToProto(*status);
  return grpc::Status::OK;
}

grpc::Status KeyServiceImpl::GetKeyStatus(grpc::ServerContext* context,
                                          const kvo::v1::GetKeyStatusRequest*,
                                          kvo::v1::KeyStatus* response) {
  auto call = guard_.Begin(*context, "kvo.v1.KeyService/GetKeyStatus");
  if (!call.ok()) return ToGrpcStatus(call.status());
  auto status = keys_.Status();
  if (!status.ok()) return ToGrpcStatus(status.status());
  guard_.AuditAlone(guard_.Record(*call, "keys.status", "", ""));
  *response = ToProto(*status);
  return grpc::Status::OK;
}

}  // namespace kvo::registry
