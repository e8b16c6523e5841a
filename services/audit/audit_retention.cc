#include "services/audit/audit_retention.h"

#include "services/audit/pg_audit_store.h"

namespace kvo::audit {
common::RetentionItem AuditContentRetention::Due(pqxx::transaction_base& tx,
                                                 absl::Time now) {
  return Item(tx, now, PgAuditStore::ErasableContent);
}

common::RetentionItem AuditContentRetention::Apply(pqxx::transaction_base& tx,
                                                   absl::Time now) {
  return Item(tx, now, PgAuditStore::EraseContent);
}

common::RetentionItem AuditContentRetention::Item(
    pqxx::transaction_base& tx, absl::Time now,
    uint64_t (*count_or_erase)(pqxx::transaction_base&, int64_t)) const {
  const int64_t cutoff = absl::ToUnixMicros(now - retention_);
  common::RetentionItem item;
  item.kind = kind();
  item.count = count_or_erase(tx, cutoff);
  // The first entry still whole at the cutoff falls due next.
  if (auto oldest = PgAuditStore::OldestWholeFrom(tx, cutoff)) {
    item.next_due = absl::FromUnixMicros(*oldest) + retention_;
  }
  return item;
}

}  // namespace kvo::audit
