#ifndef KVO_SERVICES_REGISTRY_NOTICE_WRITING_H_
#define KVO_SERVICES_REGISTRY_NOTICE_WRITING_H_

#include <string>

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/notice/letterhead.h"
#include "services/registry/key_ring.h"
#include "services/registry/notice_claims.h"

namespace kvo::registry {

// The written notice of a card to the person (who, why, where, from the
// first to the last whole day, how to object, whether a donation is
// claimed for the incident and how to pay it), as PDF in Dutch or English,
// dated in the area's place and signed by its coordinator: the person and
// the incident's summary opened, the notice audited, in one transaction.
// INVALID_ARGUMENT naming the field, NOT_FOUND (also for an erased
// person), PERMISSION_DENIED; FAILED_PRECONDITION naming what to record
// (and the kvo command) for an area without an objection address (postal
// and e-mail), or with a claim to pay but no payee and IBAN. Thread-safe.
class NoticeWriting final {
 public:
  NoticeWriting(const kvo::v1::Policy& policy, common::DbPool& pool,
                identity::RpcGuard& guard, const KeyRing& keys,
                const common::Clock& clock,
                const notice::Letterheads& letterheads,
                const NoticeClaims* notice_claims)
      : policy_(policy),
        pool_(pool),
        guard_(guard),
        keys_(keys),
        clock_(clock),
        letterheads_(letterheads),
        notice_claims_(notice_claims) {}

  // The PDF's bytes.
  absl::StatusOr<std::string> Write(const identity::Call& call,
                                    const kvo::v1::GetNoticeRequest& request);

 private:
  const kvo::v1::Policy& policy_;
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
  const common::Clock& clock_;
  const notice::Letterheads& letterheads_;
  const NoticeClaims* notice_claims_;  // may be null: no donations
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_NOTICE_WRITING_H_
