#include "services/audit/pg_audit_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"

namespace kvo::audit {
namespace {

using common::HexDecode;
using common::HexEncode;

constexpr char kAppendSql[] =
    "INSERT INTO audit_entries (principal_id, role, action, subject, purpose, "
    "outcome, request_id) VALUES (NULLIF($1::bigint, 0), $2, $3, $4, $5, $6, "
    "$7)";

// Timestamps travel as integer microseconds so the canonical bytes are
// exact; EXTRACT(EPOCH ...) is numeric (exact) in PostgreSQL 14+.
constexpr char kEntryColumns[] =
    "(EXTRACT(EPOCH FROM at) * 1000000)::bigint, COALESCE(principal_id, 0), "
    "role, action, subject, purpose, outcome, request_id";

constexpr char kAssignSql[] =
    "UPDATE audit_entries e SET seq = u.seq, leaf_hash = decode(u.h, 'hex') "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, seq, h) "
    "WHERE e.id = u.id";
constexpr char kSequencedCountSql[] =
    "SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries";
constexpr char kUnsequencedCountSql[] =
    "SELECT count(*) FROM audit_entries WHERE seq IS NULL";
constexpr char kLeafHashesSql[] =
    "SELECT encode(leaf_hash, 'hex') FROM audit_entries "
    "WHERE seq >= $1 AND seq < $2 ORDER BY seq";
constexpr char kRegisterKeySql[] =
    "INSERT INTO audit_signing_keys (public_key) VALUES (decode($1, 'hex')) "
    "ON CONFLICT (public_key) DO UPDATE SET public_key = EXCLUDED.public_key "
    "RETURNING id";
constexpr char kInsertHeadSql[] =
    "INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp_ms, "
    "signature, key_id) VALUES ($1, decode($2, 'hex'), $3, decode($4, 'hex'), "
    "$5) ON CONFLICT (tree_size) DO NOTHING";
constexpr char kHeadColumns[] =
    "h.tree_size, encode(h.root_hash, 'hex'), h.timestamp_ms, "
    "encode(h.signature, 'hex'), encode(k.public_key, 'hex') "
    "FROM audit_tree_heads h JOIN audit_signing_keys k ON k.id = h.key_id";

constexpr int kBatch = 20000;

SequencedEntry EntryFromRow(const pqxx::row& row, int first) {
  SequencedEntry e;
  e.at_micros = row[first].as<int64_t>();
  e.principal_id = row[first + 1].as<int64_t>();
  e.role = row[first + 2].as<std::string>();
  e.action = row[first + 3].as<std::string>();
  e.subject = row[first + 4].as<std::string>();
  e.purpose = row[first + 5].as<std::string>();
  e.outcome = row[first + 6].as<std::string>();
  e.request_id = row[first + 7].as<std::string>();
  return e;
}

StoredTreeHead HeadFromRow(const pqxx::row& row) {
  StoredTreeHead h;
  h.tree_size = row[0].as<uint64_t>();
  h.root_hash = HexDecode(row[1].as<std::string>()).value_or("");
  h.timestamp_ms = row[2].as<int64_t>();
  h.signature = HexDecode(row[3].as<std::string>()).value_or("");
  h.public_key = HexDecode(row[4].as<std::string>()).value_or("");
  return h;
}

}  // namespace

void PgAuditStore::Append(pqxx::transaction_base& tx,
                          const AuditRecord& record) {
  common::ExecPrepared(tx, kAppendSql, record.principal_id, record.role,
                       record.action, record.subject, record.purpose,
                       std::string(OutcomeName(record.outcome)),
                       record.request_id);
}

std::vector<PendingEntry> PgAuditStore::LockUnsequenced(
    pqxx::transaction_base& tx, int limit) {
  const std::string sql = absl::StrCat(
      "SELECT id, ", kEntryColumns,
      " FROM audit_entries WHERE seq IS NULL ORDER BY id LIMIT $1 FOR UPDATE");
  std::vector<PendingEntry> out;
  for (const auto& row : tx.exec_params(sql, limit)) {
    out.push_back({row[0].as<int64_t>(), EntryFromRow(row, 1)});
  }
  return out;
}

void PgAuditStore::AssignIndexes(pqxx::transaction_base& tx,
                                 const std::vector<int64_t>& ids,
                                 const std::vector<uint64_t>& indexes,
                                 const std::vector<std::string>& leaf_hashes) {
  std::vector<std::string> hex;
  hex.reserve(leaf_hashes.size());
  for (const auto& h : leaf_hashes) hex.push_back(HexEncode(h));
  tx.exec_params0(kAssignSql, common::SqlArray(ids), common::SqlArray(indexes),
                  common::SqlArray(hex));
}

uint64_t PgAuditStore::SequencedCount(pqxx::transaction_base& tx) {
  return tx.exec1(kSequencedCountSql)[0].as<uint64_t>();
}

uint64_t PgAuditStore::UnsequencedCount(pqxx::transaction_base& tx) {
  return tx.exec1(kUnsequencedCountSql)[0].as<uint64_t>();
}

std::vector<std::string> PgAuditStore::LeafHashes(pqxx::transaction_base& tx,
                                                  uint64_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (uint64_t from = 0; from < count; from += kBatch) {
    for (const auto& row :
         tx.exec_params(kLeafHashesSql, from, std::min(count, from + kBatch))) {
      out.push_back(HexDecode(row[0].as<std::string>()).value_or(""));
    }
  }
  return out;
}

int32_t PgAuditStore::RegisterKey(pqxx::transaction_base& tx,
                                  const std::string& public_key) {
  return tx.exec_params1(kRegisterKeySql, HexEncode(public_key))[0]
      .as<int32_t>();
}

void PgAuditStore::InsertTreeHead(pqxx::transaction_base& tx,
                                  const StoredTreeHead& head, int32_t key_id) {
  tx.exec_params0(kInsertHeadSql, head.tree_size, HexEncode(head.root_hash),
                  head.timestamp_ms, HexEncode(head.signature), key_id);
}

std::optional<StoredTreeHead> PgAuditStore::TreeHead(pqxx::transaction_base& tx,
                                                     uint64_t tree_size) {
  const std::string sql =
      tree_size == 0
          ? absl::StrCat("SELECT ", kHeadColumns,
                         " ORDER BY h.tree_size DESC LIMIT 1")
          : absl::StrCat("SELECT ", kHeadColumns, " WHERE h.tree_size = $1");
  pqxx::result r =
      tree_size == 0 ? tx.exec(sql) : tx.exec_params(sql, tree_size);
  if (r.empty()) return std::nullopt;
  return HeadFromRow(r[0]);
}

std::vector<StoredTreeHead> PgAuditStore::AllTreeHeads(
    pqxx::transaction_base& tx) {
  std::vector<StoredTreeHead> out;
  for (const auto& row : tx.exec(
           absl::StrCat("SELECT ", kHeadColumns, " ORDER BY h.tree_size"))) {
    out.push_back(HeadFromRow(row));
  }
  return out;
}

void PgAuditStore::ForEachSequenced(
    pqxx::transaction_base& tx,
    const std::function<bool(const SequencedEntry&, const std::string&)>&
        visit) {
  const std::string sql = absl::StrCat(
      "SELECT seq, encode(leaf_hash, 'hex'), ", kEntryColumns,
      " FROM audit_entries WHERE seq IS NOT NULL AND seq > $1 ORDER BY seq "
      "LIMIT $2");
  int64_t after = -1;
  for (;;) {
    pqxx::result rows = tx.exec_params(sql, after, kBatch);
    for (const auto& row : rows) {
      SequencedEntry e = EntryFromRow(row, 2);
      e.index = row[0].as<uint64_t>();
      after = static_cast<int64_t>(e.index);
      const std::string leaf =
          HexDecode(row[1].is_null() ? "" : row[1].as<std::string>())
              .value_or("");
      if (!visit(e, leaf)) return;
    }
    if (rows.size() < static_cast<size_t>(kBatch)) return;
  }
}

std::optional<SequencedEntry> PgAuditStore::EntryAt(pqxx::transaction_base& tx,
                                                    uint64_t index) {
  const std::string sql = absl::StrCat("SELECT ", kEntryColumns,
                                       " FROM audit_entries WHERE seq = $1");
  pqxx::result r = tx.exec_params(sql, index);
  if (r.empty()) return std::nullopt;
  SequencedEntry e = EntryFromRow(r[0], 0);
  e.index = index;
  return e;
}

}  // namespace kvo::audit
