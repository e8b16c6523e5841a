#include "services/audit/audit_retention.h"

#include "services/audit/pg_audit_store.h"

namespace kvo::audit {
namespace {

// The first entry still whole at `cutoff` falls due `retention` after it.
std::optional<absl::Time> NextDue(pqxx::transaction_base& tx, int64_t cutoff,
                                  absl::Duration retention) {
  auto oldest = PgAuditStore::OldestWholeFrom(tx, cutoff);
  if (!oldest.has_value()) return std::nullopt;
  return absl::FromUnixMicros(*oldest) + retention;
}

}  // namespace

common::RetentionItem AuditContentRetention::Due(pqxx::transaction_base& tx,
                                                 absl::Time now) {
  const int64_t cutoff = absl::ToUnixMicros(now - retention_);
  common::RetentionItem item;
  item.kind = kind();
  item.count = PgAuditStore::ErasableContent(tx, cutoff);
  item.next_due = NextDue(tx, cutoff, retention_);
  return item;
}

common::RetentionItem AuditContentRetention::Apply(pqxx::transaction_base& tx,
                                                   absl::Time now) {
  const int64_t cutoff = absl::ToUnixMicros(now - retention_);
  common::RetentionItem item;
  item.kind = kind();
  item.count = PgAuditStore::EraseContent(tx, cutoff);
  item.next_due = NextDue(tx, cutoff, retention_);
  return item;
}

}  // namespace kvo::audit
