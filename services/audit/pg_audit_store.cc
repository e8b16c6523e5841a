#include "services/audit/pg_audit_store.h"

#include <chrono>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "services/audit/audit_mac.h"
#include "services/audit/audit_writes.h"
#include "services/common/crypto.h"
#include "services/common/db_pool.h"

namespace kvo::audit {
namespace {

using common::HexDecode;
using common::HexEncode;

// Who read a subject (the access export): sequenced entries through
// audit_subjects, and the few not sequenced yet from their partial index.
#define KVO_ACCESS_COLUMNS                                                  \
  "SELECT (EXTRACT(EPOCH FROM e.at) * 1000000)::bigint, e.role, e.action, " \
  "e.purpose, COALESCE((SELECT string_agg(a.name || ' (' || "               \
  "a.municipality || ')', E'\\n' ORDER BY a.name) FROM principal_areas pa " \
  "JOIN areas a ON a.id = pa.area_id WHERE pa.principal_id = "              \
  "e.principal_id), ''), e.id FROM audit_entries e WHERE e.outcome = 'ok' "
constexpr char kAccessesOfSubjectSql[] = KVO_ACCESS_COLUMNS
    "AND e.seq IN (SELECT seq FROM audit_subjects WHERE subject = $1) "
    "UNION ALL " KVO_ACCESS_COLUMNS
    "AND e.seq IS NULL AND $1 = ANY(string_to_array(e.subject, ',')) "
    "ORDER BY 1, 6";
#undef KVO_ACCESS_COLUMNS
// The time is kvod's, in whole microseconds, so the MAC covers exactly
// what is stored.
// The row must come back: a trigger or rule that swallows it is noticed.
constexpr char kAppendSql[] =
    "INSERT INTO audit_entries (principal_id, role, action, subject, purpose, "
    "outcome, request_id, at, entry_mac, area_id, peer, writer_id, write_no) "
    "VALUES (NULLIF($1::bigint, 0), $2, $3, $4, $5, $6, $7, timestamptz "
    "'epoch' + $8::bigint * interval '1 microsecond', decode($9, 'hex'), "
    "NULLIF($10::bigint, 0), $11, decode($12, 'hex'), $13) "
    "RETURNING id, pg_current_xact_id()::text::bigint";

// Timestamps travel as integer microseconds so the canonical bytes are
// exact; EXTRACT(EPOCH ...) is numeric (exact) in PostgreSQL 14+.
constexpr char kEntryColumns[] =
    "(EXTRACT(EPOCH FROM at) * 1000000)::bigint, COALESCE(principal_id, 0), "
    "role, action, subject, purpose, outcome, request_id, "
    "COALESCE(area_id, 0), peer, COALESCE(encode(writer_id, 'hex'), ''), "
    "COALESCE(write_no, 0)";

constexpr char kAssignSql[] =
    "UPDATE audit_entries e SET seq = u.seq, leaf_hash = decode(u.h, 'hex'), "
    "seq_mac = decode(u.m, 'hex') "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) "
    "AS u(id, seq, h, m) WHERE e.id = u.id";
// Each subject of the entries just placed (SplitSubjects), for queries by
// subject: one row per subject, each at most kMaxSubjectBytes.
constexpr char kIndexSubjectsSql[] =
    "INSERT INTO audit_subjects (subject, seq) SELECT * FROM "
    "unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING";
// Which of these write MACs a sequenced entry already has: copies.
constexpr char kSequencedMacsSql[] =
    "SELECT DISTINCT encode(entry_mac, 'hex') FROM audit_entries WHERE "
    "entry_mac IN (SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h) "
    "AND seq IS NOT NULL";
// The transactions first, then the rows (a new snapshot): a transaction
// seen committed has its row visible to the second statement.
// A transaction id this database has not reached yet (a failover lost the
// transaction with the old primary) is "future": pg_xact_status would fail.
constexpr char kXactStatusSql[] =
    "SELECT u.id, CASE WHEN u.x::text::xid8 >= "
    "pg_snapshot_xmax(pg_current_snapshot()) THEN 'future' ELSE "
    "COALESCE(pg_xact_status(u.x::text::xid8), '') END FROM "
    "unnest($1::bigint[], $2::bigint[]) AS u(id, x)";
constexpr char kWrittenRowsSql[] =
    "SELECT id, seq IS NOT NULL, quarantined_at IS NOT NULL FROM "
    "audit_entries WHERE id = ANY($1::bigint[])";
constexpr char kSubjectRowsSql[] =
    "SELECT seq, subject FROM audit_subjects WHERE seq >= $1 AND seq < $2 "
    "ORDER BY seq, subject";
// Machinery on kvod's tables that kvod never creates: triggers (but the
// ones PostgreSQL makes for foreign keys), rules (but views' _RETURN),
// row-level policies and row-level security, event triggers.
constexpr char kHiddenMachinerySql[] =
    "SELECT 'trigger ' || t.tgname || ' on ' || c.relname FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = "
    "c.relnamespace WHERE NOT t.tgisinternal AND n.nspname NOT IN "
    "('pg_catalog', 'information_schema') "
    "UNION ALL SELECT 'rule ' || r.rulename || ' on ' || c.relname FROM "
    "pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n "
    "ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND n.nspname "
    "NOT IN ('pg_catalog', 'information_schema') "
    "UNION ALL SELECT 'row-level policy ' || p.polname || ' on ' || c.relname "
    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
    "UNION ALL SELECT 'row-level security on ' || c.relname FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (c.relrowsecurity "
    "OR c.relforcerowsecurity) AND n.nspname NOT IN ('pg_catalog', "
    "'information_schema') "
    "UNION ALL SELECT 'event trigger ' || evtname FROM pg_event_trigger "
    "ORDER BY 1";
constexpr char kQuarantineSql[] =
    "UPDATE audit_entries SET quarantined_at = now() "
    "WHERE id = ANY($1::bigint[]) AND seq IS NULL";
constexpr char kQuarantinedCountSql[] =
    "SELECT count(*) FROM audit_entries WHERE quarantined_at IS NOT NULL";
constexpr char kOldestUnsequencedSql[] =
    "SELECT COALESCE((EXTRACT(EPOCH FROM now() - min(at)) * 1000000)::bigint, "
    "0) FROM audit_entries WHERE seq IS NULL AND quarantined_at IS NULL";
constexpr char kSequencedCountSql[] =
    "SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries";
constexpr char kUnsequencedCountSql[] =
    "SELECT count(*) FROM audit_entries WHERE seq IS NULL AND quarantined_at "
    "IS NULL";
constexpr char kLeafHashesSql[] =
    "SELECT seq, encode(leaf_hash, 'hex') FROM audit_entries "
    "WHERE seq >= $1 AND seq < $2 ORDER BY seq";
constexpr char kRegisterKeySql[] =
    "INSERT INTO audit_signing_keys (public_key) VALUES (decode($1, 'hex')) "
    "ON CONFLICT (public_key) DO UPDATE SET public_key = EXCLUDED.public_key "
    "RETURNING id";
constexpr char kInsertHeadSql[] =
    "INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp_ms, "
    "signature, key_id) VALUES ($1, decode($2, 'hex'), $3, decode($4, 'hex'), "
    "$5) ON CONFLICT (tree_size) DO UPDATE SET timestamp_ms = "
    "EXCLUDED.timestamp_ms, signature = EXCLUDED.signature, key_id = "
    "EXCLUDED.key_id WHERE audit_tree_heads.root_hash = EXCLUDED.root_hash";
constexpr char kHeadColumns[] =
    "h.tree_size, encode(h.root_hash, 'hex'), h.timestamp_ms, "
    "encode(h.signature, 'hex'), encode(k.public_key, 'hex') "
    "FROM audit_tree_heads h JOIN audit_signing_keys k ON k.id = h.key_id";

constexpr char kErasableSql[] =
    "SELECT count(*) FROM audit_entries WHERE seq IS NOT NULL AND "
    "content_erased_at IS NULL AND at < timestamptz 'epoch' + $1::bigint * "
    "interval '1 microsecond'";
constexpr char kOldestWholeSql[] =
    "SELECT (EXTRACT(EPOCH FROM min(at)) * 1000000)::bigint FROM "
    "audit_entries WHERE seq IS NOT NULL AND content_erased_at IS NULL AND "
    "at >= timestamptz 'epoch' + $1::bigint * interval '1 microsecond'";
constexpr char kEraseContentSql[] =
    "UPDATE audit_entries SET principal_id = NULL, role = '', action = '', "
    "subject = '', purpose = '', request_id = '', entry_mac = NULL, "
    "area_id = NULL, peer = '', content_erased_at = now() WHERE seq IS NOT "
    "NULL AND content_erased_at "
    "IS NULL AND at < timestamptz 'epoch' + $1::bigint * interval '1 "
    "microsecond'";

constexpr char kEraseSubjectsSql[] =
    "DELETE FROM audit_subjects s USING audit_entries e WHERE e.seq = s.seq "
    "AND e.content_erased_at IS NULL AND e.at < timestamptz 'epoch' + "
    "$1::bigint * interval '1 microsecond'";

constexpr int kBatch = 20000;

constexpr char kMicrosToTime[] =
    "timestamptz 'epoch' + %s::bigint * interval '1 microsecond'";
// The rows of one subject, joined so the planner walks audit_subjects'
// (subject, seq) key backwards, newest first.
constexpr char kBySubjectSql[] =
    "(SELECT e.* FROM audit_subjects s JOIN audit_entries e ON e.seq = s.seq "
    "WHERE s.subject = %s)";
constexpr char kSubjectNamedSql[] =
    "SELECT EXISTS (SELECT 1 FROM audit_subjects WHERE subject = $1)";
constexpr char kHeadsBeforeSql[] =
    " WHERE ($1::bigint = 0 OR h.tree_size < $1::bigint) "
    "ORDER BY h.tree_size DESC LIMIT $2";
constexpr char kActionCountsSql[] =
    "SELECT principal_id, count(*) FROM audit_entries WHERE seq IS NOT NULL "
    "AND outcome = 'ok' AND principal_id IS NOT NULL AND action = "
    "ANY($3::text[]) AND at >= timestamptz 'epoch' + $1::bigint * interval "
    "'1 microsecond' AND at < timestamptz 'epoch' + $2::bigint * interval "
    "'1 microsecond' GROUP BY principal_id";

// A WHERE clause and its parameters, built one condition at a time.
class Conditions {
 public:
  // A parameter's placeholder ("$3").
  std::string Bind(std::string value) {
    params_.push_back(std::move(value));
    return absl::StrCat("$", params_.size());
  }
  // Adds `condition` with its one parameter spelled %s.
  void Add(absl::string_view condition, std::string value) {
    parts_.push_back(
        absl::StrReplaceAll(condition, {{"%s", Bind(std::move(value))}}));
  }
  void AddPlain(std::string condition) {
    parts_.push_back(std::move(condition));
  }
  std::string Where() const { return absl::StrJoin(parts_, " AND "); }
  const std::vector<std::string>& params() const { return params_; }

 private:
  std::vector<std::string> parts_;
  std::vector<std::string> params_;
};

std::string TimeBound(const char* op) {
  return absl::StrCat("at ", op, " ", kMicrosToTime);
}

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
  e.area_id = row[first + 8].as<int64_t>();
  e.peer = row[first + 9].as<std::string>();
  e.writer = HexDecode(row[first + 10].as<std::string>()).value_or("");
  e.write_no = row[first + 11].as<int64_t>();
  return e;
}

// A hex-encoded bytea column as raw bytes; "" for NULL or damage.
std::string Bytes(const pqxx::field& field) {
  if (field.is_null()) return "";
  return HexDecode(field.as<std::string>()).value_or("");
}

// A sequenced entry with what is kept beside it: StoredFromRow reads these.
constexpr char kStoredColumns[] =
    "seq, encode(leaf_hash, 'hex'), encode(seq_mac, 'hex'), "
    "content_erased_at IS NOT NULL, ";

StoredEntry StoredFromRow(const pqxx::row& row) {
  StoredEntry s{EntryFromRow(row, 4), Bytes(row[1]), Bytes(row[2]),
                row[3].as<bool>()};
  s.entry.index = row[0].as<uint64_t>();
  return s;
}

// A PostgreSQL text array literal of any strings (each quoted, with its
// quotes and backslashes escaped), for a $n::text[] parameter.
std::string QuotedArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
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
  const AuditMac* mac = ProcessAuditMac();
  if (mac == nullptr) {
    throw std::logic_error("audit: no MAC key installed in this process");
  }
  SequencedEntry e;
  e.at_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  e.principal_id = record.principal_id;
  e.role = record.role;
  e.action = record.action;
  e.subject = record.subject;
  e.purpose = record.purpose;
  e.outcome = std::string(OutcomeName(record.outcome));
  e.request_id = record.request_id;
  e.area_id = record.area_id;
  e.peer = record.peer;
  AuditWrites& writes = ProcessAuditWrites();
  e.writer = writes.writer();
  e.write_no = writes.NextNumber();
  pqxx::result r = common::ExecPrepared(
      tx, kAppendSql, e.principal_id, e.role, e.action, e.subject, e.purpose,
      e.outcome, e.request_id, e.at_micros, HexEncode(mac->EntryMac(e)),
      e.area_id, e.peer, HexEncode(e.writer), e.write_no);
  if (r.size() != 1) {
    writes.NothingStored(e.action);
    throw std::runtime_error(
        "audit: the database stored nothing for an audit entry");
  }
  writes.Written(r[0][0].as<int64_t>(), r[0][1].as<int64_t>(), e.at_micros);
}

std::vector<PendingEntry> PgAuditStore::LockUnsequenced(
    pqxx::transaction_base& tx, int limit) {
  const std::string sql = absl::StrCat(
      "SELECT id, encode(entry_mac, 'hex'), ", kEntryColumns,
      " FROM audit_entries WHERE seq IS NULL AND quarantined_at IS NULL "
      "ORDER BY id LIMIT $1 FOR UPDATE");
  std::vector<PendingEntry> out;
  for (const auto& row : tx.exec_params(sql, limit)) {
    out.push_back({row[0].as<int64_t>(), EntryFromRow(row, 2), Bytes(row[1])});
  }
  return out;
}

void PgAuditStore::AssignIndexes(pqxx::transaction_base& tx,
                                 const std::vector<int64_t>& ids,
                                 const std::vector<uint64_t>& indexes,
                                 const std::vector<std::string>& leaf_hashes,
                                 const std::vector<std::string>& seq_macs,
                                 const std::vector<std::string>& subjects) {
  std::vector<std::string> hex;
  hex.reserve(leaf_hashes.size());
  for (const auto& h : leaf_hashes) hex.push_back(HexEncode(h));
  std::vector<std::string> macs;
  macs.reserve(seq_macs.size());
  for (const auto& m : seq_macs) macs.push_back(HexEncode(m));
  tx.exec_params0(kAssignSql, common::SqlArray(ids), common::SqlArray(indexes),
                  common::SqlArray(hex), common::SqlArray(macs));
  std::vector<std::string> names;
  std::vector<uint64_t> seqs;
  for (size_t i = 0; i < subjects.size() && i < indexes.size(); ++i) {
    for (std::string& s : SplitSubjects(subjects[i])) {
      names.push_back(std::move(s));
      seqs.push_back(indexes[i]);
    }
  }
  if (!names.empty()) {
    tx.exec_params0(kIndexSubjectsSql, QuotedArray(names),
                    common::SqlArray(seqs));
  }
}

std::set<std::string> PgAuditStore::SequencedMacs(
    pqxx::transaction_base& tx, const std::vector<std::string>& entry_macs) {
  std::vector<std::string> hex;
  for (const auto& m : entry_macs) hex.push_back(HexEncode(m));
  std::set<std::string> out;
  if (hex.empty()) return out;
  for (const auto& row :
       tx.exec_params(kSequencedMacsSql, common::SqlArray(hex))) {
    out.insert(Bytes(row[0]));
  }
  return out;
}

std::vector<WrittenRow> PgAuditStore::WrittenRows(
    pqxx::transaction_base& tx, const std::vector<int64_t>& ids,
    const std::vector<int64_t>& xids) {
  std::map<int64_t, WrittenRow> by_id;
  for (const auto& row : tx.exec_params(kXactStatusSql, common::SqlArray(ids),
                                        common::SqlArray(xids))) {
    WrittenRow& w = by_id[row[0].as<int64_t>()];
    w.id = row[0].as<int64_t>();
    w.xact = row[1].as<std::string>();
  }
  for (const auto& row :
       tx.exec_params(kWrittenRowsSql, common::SqlArray(ids))) {
    WrittenRow& w = by_id[row[0].as<int64_t>()];
    w.id = row[0].as<int64_t>();
    w.found = true;
    w.sequenced = row[1].as<bool>();
    w.quarantined = row[2].as<bool>();
  }
  std::vector<WrittenRow> out;
  for (auto& [id, w] : by_id) out.push_back(std::move(w));
  return out;
}

std::vector<std::pair<uint64_t, std::string>> PgAuditStore::SubjectRows(
    pqxx::transaction_base& tx, uint64_t from, uint64_t to) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (const auto& row : tx.exec_params(kSubjectRowsSql, from, to)) {
    out.emplace_back(row[0].as<uint64_t>(), row[1].as<std::string>());
  }
  return out;
}

std::vector<std::string> PgAuditStore::HiddenMachinery(
    pqxx::transaction_base& tx) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec(kHiddenMachinerySql)) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

void PgAuditStore::Quarantine(pqxx::transaction_base& tx,
                              const std::vector<int64_t>& ids) {
  tx.exec_params0(kQuarantineSql, common::SqlArray(ids));
}

uint64_t PgAuditStore::QuarantinedCount(pqxx::transaction_base& tx) {
  return tx.exec1(kQuarantinedCountSql)[0].as<uint64_t>();
}

int64_t PgAuditStore::OldestUnsequencedAgeMicros(pqxx::transaction_base& tx) {
  return tx.exec1(kOldestUnsequencedSql)[0].as<int64_t>();
}

uint64_t PgAuditStore::SequencedCount(pqxx::transaction_base& tx) {
  return tx.exec1(kSequencedCountSql)[0].as<uint64_t>();
}

uint64_t PgAuditStore::UnsequencedCount(pqxx::transaction_base& tx) {
  return tx.exec1(kUnsequencedCountSql)[0].as<uint64_t>();
}

absl::StatusOr<std::vector<std::string>> PgAuditStore::LeafHashes(
    pqxx::transaction_base& tx, uint64_t count, uint64_t from) {
  std::vector<std::string> out;
  out.reserve(count - std::min(count, from));
  for (uint64_t at = from; at < count; at += kBatch) {
    for (const auto& row :
         tx.exec_params(kLeafHashesSql, at, std::min(count, at + kBatch))) {
      const uint64_t expected = from + out.size();
      std::string leaf = Bytes(row[1]);
      if (row[0].as<uint64_t>() != expected || leaf.size() != 32) {
        return absl::DataLossError(absl::StrCat(
            "audit entry ", expected,
            row[0].as<uint64_t>() != expected ? " is missing"
                                              : " has no valid leaf hash",
            " in the database (run kvo audit verify)"));
      }
      out.push_back(std::move(leaf));
    }
  }
  if (out.size() != count - std::min(count, from)) {
    return absl::DataLossError(
        absl::StrCat("audit entry ", from + out.size(),
                     " is missing in the database (run kvo audit verify)"));
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

std::vector<StoredTreeHead> PgAuditStore::TreeHeadsFrom(
    pqxx::transaction_base& tx, uint64_t min_size) {
  std::vector<StoredTreeHead> out;
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT ", kHeadColumns,
                        " WHERE h.tree_size >= $1 ORDER BY h.tree_size"),
           min_size)) {
    out.push_back(HeadFromRow(row));
  }
  return out;
}

bool PgAuditStore::ContentErased(pqxx::transaction_base& tx, uint64_t index) {
  pqxx::result r = tx.exec_params(
      "SELECT content_erased_at IS NOT NULL FROM audit_entries WHERE seq = $1",
      index);
  return !r.empty() && r[0][0].as<bool>();
}

uint64_t PgAuditStore::ErasableContent(pqxx::transaction_base& tx,
                                       int64_t before_micros) {
  return tx.exec_params1(kErasableSql, before_micros)[0].as<uint64_t>();
}

std::optional<int64_t> PgAuditStore::OldestWholeFrom(pqxx::transaction_base& tx,
                                                     int64_t from_micros) {
  pqxx::row r = tx.exec_params1(kOldestWholeSql, from_micros);
  if (r[0].is_null()) return std::nullopt;
  return r[0].as<int64_t>();
}

uint64_t PgAuditStore::EraseContent(pqxx::transaction_base& tx,
                                    int64_t before_micros) {
  tx.exec_params0(kEraseSubjectsSql, before_micros);
  return tx.exec_params0(kEraseContentSql, before_micros).affected_rows();
}

std::optional<StoredEntry> PgAuditStore::LastSequenced(
    pqxx::transaction_base& tx) {
  const std::string sql = absl::StrCat(
      "SELECT ", kStoredColumns, kEntryColumns,
      " FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1");
  pqxx::result r = tx.exec(sql);
  if (r.empty()) return std::nullopt;
  return StoredFromRow(r[0]);
}

void PgAuditStore::ForEachSequenced(
    pqxx::transaction_base& tx,
    const std::function<bool(const StoredEntry&)>& visit, uint64_t from) {
  const std::string sql = absl::StrCat(
      "SELECT ", kStoredColumns, kEntryColumns,
      " FROM audit_entries WHERE seq IS NOT NULL AND seq > $1 ORDER BY seq "
      "LIMIT $2");
  int64_t after = static_cast<int64_t>(from) - 1;
  for (;;) {
    pqxx::result rows = tx.exec_params(sql, after, kBatch);
    for (const auto& row : rows) {
      StoredEntry s = StoredFromRow(row);
      after = static_cast<int64_t>(s.entry.index);
      if (!visit(s)) return;
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

std::vector<SubjectAccessRow> PgAuditStore::AccessesOfSubject(
    pqxx::transaction_base& tx, const std::string& subject) {
  std::vector<SubjectAccessRow> out;
  for (const auto& r : tx.exec_params(kAccessesOfSubjectSql, subject)) {
    SubjectAccessRow row;
    row.at_micros = r[0].as<int64_t>();
    row.role = r[1].as<std::string>();
    row.action = r[2].as<std::string>();
    row.purpose = r[3].as<std::string>();
    const std::string areas = r[4].as<std::string>();
    if (!areas.empty()) row.areas = absl::StrSplit(areas, '\n');
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<StoredEntry> PgAuditStore::Query(pqxx::transaction_base& tx,
                                             const LogFilter& filter,
                                             std::optional<uint64_t> before,
                                             int limit) {
  Conditions where;
  std::string source = "audit_entries";
  if (!filter.subject.empty()) {
    source = absl::StrReplaceAll(kBySubjectSql,
                                 {{"%s", where.Bind(filter.subject)}});
  }
  where.AddPlain("seq IS NOT NULL");
  if (filter.principal_id != 0) {
    where.Add("principal_id = %s::bigint", absl::StrCat(filter.principal_id));
  }
  if (!filter.action.empty()) where.Add("action = %s", filter.action);
  if (filter.area_id != 0) {
    where.Add("area_id = %s::bigint", absl::StrCat(filter.area_id));
  }
  if (filter.from_micros) {
    where.Add(TimeBound(">="), absl::StrCat(*filter.from_micros));
  }
  if (filter.to_micros) {
    where.Add(TimeBound("<"), absl::StrCat(*filter.to_micros));
  }
  if (before) where.Add("seq < %s::bigint", absl::StrCat(*before));
  const std::string sql =
      absl::StrCat("SELECT ", kStoredColumns, kEntryColumns, " FROM ", source,
                   " AS q WHERE ", where.Where(), " ORDER BY seq DESC LIMIT ",
                   where.Bind(absl::StrCat(limit)), "::int");
  std::vector<StoredEntry> out;
  for (const auto& row : tx.exec_params(
           sql, pqxx::prepare::make_dynamic_params(where.params()))) {
    out.push_back(StoredFromRow(row));
  }
  return out;
}

bool PgAuditStore::SubjectNamed(pqxx::transaction_base& tx,
                                const std::string& subject) {
  return tx.exec_params1(kSubjectNamedSql, subject)[0].as<bool>();
}

std::optional<StoredEntry> PgAuditStore::StoredAt(pqxx::transaction_base& tx,
                                                  uint64_t index) {
  const std::string sql = absl::StrCat("SELECT ", kStoredColumns, kEntryColumns,
                                       " FROM audit_entries WHERE seq = $1");
  pqxx::result r = tx.exec_params(sql, index);
  if (r.empty()) return std::nullopt;
  return StoredFromRow(r[0]);
}

std::vector<StoredTreeHead> PgAuditStore::TreeHeadsBefore(
    pqxx::transaction_base& tx, uint64_t before_size, int limit) {
  std::vector<StoredTreeHead> out;
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT ", kHeadColumns, kHeadsBeforeSql),
                      before_size, limit)) {
    out.push_back(HeadFromRow(row));
  }
  return out;
}

std::vector<StoredEntry> PgAuditStore::EntriesBetween(
    pqxx::transaction_base& tx, int64_t from_micros, int64_t to_micros,
    int64_t area_id) {
  Conditions where;
  where.AddPlain("seq IS NOT NULL");
  where.Add(TimeBound(">="), absl::StrCat(from_micros));
  where.Add(TimeBound("<"), absl::StrCat(to_micros));
  if (area_id != 0) where.Add("area_id = %s::bigint", absl::StrCat(area_id));
  const std::string sql = absl::StrCat("SELECT ", kStoredColumns, kEntryColumns,
                                       " FROM audit_entries WHERE ",
                                       where.Where(), " ORDER BY seq");
  std::vector<StoredEntry> out;
  for (const auto& row : tx.exec_params(
           sql, pqxx::prepare::make_dynamic_params(where.params()))) {
    out.push_back(StoredFromRow(row));
  }
  return out;
}

std::map<int64_t, int64_t> PgAuditStore::ActionCounts(
    pqxx::transaction_base& tx, int64_t from_micros, int64_t to_micros,
    const std::vector<std::string>& actions) {
  std::map<int64_t, int64_t> out;
  for (const auto& row : tx.exec_params(kActionCountsSql, from_micros,
                                        to_micros, common::SqlArray(actions))) {
    out[row[0].as<int64_t>()] = row[1].as<int64_t>();
  }
  return out;
}

}  // namespace kvo::audit
