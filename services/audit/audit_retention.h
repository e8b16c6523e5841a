#ifndef KVO_SERVICES_AUDIT_AUDIT_RETENTION_H_
#define KVO_SERVICES_AUDIT_AUDIT_RETENTION_H_

#include "services/common/retention_rule.h"

namespace kvo::audit {

// Audit entries older than `retention.audit_retention_days` lose their
// content (who, what, about whom, why); their index, time, outcome, leaf
// hash and sequence MAC stay, so the tree, its signed heads, verify and
// proofs keep working. Kind "audit_entry_content".
class AuditContentRetention final : public common::RetentionRule {
 public:
  explicit AuditContentRetention(int retention_days)
      : retention_(absl::Hours(24) * retention_days) {}

  std::string kind() const override { return "audit_entry_content"; }
  common::RetentionItem Due(pqxx::transaction_base& tx,
                            absl::Time now) override;
  common::RetentionItem Apply(pqxx::transaction_base& tx,
                              absl::Time now) override;

 private:
  // What is due (counted, or erased) before now minus the retention.
  common::RetentionItem Item(pqxx::transaction_base& tx, absl::Time now,
                             uint64_t (*count_or_erase)(pqxx::transaction_base&,
                                                        int64_t)) const;

  const absl::Duration retention_;
};

}  // namespace kvo::audit

#endif  // KVO_SERVICES_AUDIT_AUDIT_RETENTION_H_
