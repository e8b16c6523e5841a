#include "services/audit/log_reading.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "services/identity/pg_identity_store.h"
#include "services/identity/principal_check.h"

namespace kvo::audit {
namespace {

using identity::PgIdentityStore;
using ReadTx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_write>;

constexpr char kQueryAction[] = "audit.query_log";
constexpr char kEntryAction[] = "audit.show_entry";
constexpr char kAnomalyAction[] = "audit.anomalies";
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

absl::Status RequirePurpose(const std::string& purpose) {
  if (!absl::StripAsciiWhitespace(purpose).empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "--purpose: say why you read the log (it is recorded with your query)");
}

// A login or a numeric id to a principal id; NOT_FOUND naming --principal.
// A row that fails its check (logins swapped by SQL) resolves to nothing:
// DATA_LOSS and the integrity alarm, authored by `who`.
absl::StatusOr<int64_t> ResolvePrincipal(pqxx::transaction_base& tx,
                                         const std::string& principal,
                                         const AuditRecord& who) {
  int64_t id = 0;
  std::optional<identity::PrincipalRow> row;
  const bool by_id = absl::SimpleAtoi(principal, &id) && id > 0;
  if (by_id) {
    row = PgIdentityStore::PrincipalById(tx, id);
  } else {
    row = PgIdentityStore::PrincipalByLogin(tx, principal);
  }
  if (!row) {
    return absl::NotFoundError(absl::StrCat(
        "--principal ", principal, ": no principal with that login or id"));
  }
  // By id the row is only asked whether it exists; by login its login is
  // what is trusted, so it must check out.
  if (!by_id && !row->intact) {
    return identity::RefuseAlteredPrincipal(tx, who, row->id,
                                            "audit log query");
  }
  return row->id;
}

absl::Status CheckArea(pqxx::transaction_base& tx, int64_t area_id) {
  if (area_id == 0 || PgIdentityStore::MissingAreas(tx, {area_id}).empty()) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(
      absl::StrCat("--area ", area_id, ": no such area"));
}

// Logins of the principals in `ids`, "" for those that no longer exist.
// Only a row whose seal checks out gives its login: one changed outside
// kvod (two logins swapped) shows as kAlteredPrincipalLogin and raises the
// integrity alarm, authored by `who`.
std::map<int64_t, std::string> Logins(pqxx::transaction_base& tx,
                                      const std::set<int64_t>& ids,
                                      const AuditRecord& who) {
  std::map<int64_t, std::string> out;
  std::vector<int64_t> wanted;
  for (int64_t id : ids) {
    if (id == 0) continue;
    wanted.push_back(id);
    out[id] = "";  // until its row is found
  }
  for (const auto& row : PgIdentityStore::PrincipalsByIds(tx, wanted)) {
    if (!row.intact) {
      identity::RaiseAlteredPrincipalAlarm(tx, who, row.id, "audit log");
      out[row.id] = identity::kAlteredPrincipalLogin;
    } else {
      out[row.id] = row.login;
    }
  }
  return out;
}

// What the query's audit entry names: the subject and principal it traced.
std::string QueriedSubjects(const LogFilter& f) {
  std::vector<std::string> out;
  if (!f.subject.empty()) out.push_back(f.subject);
  if (f.principal_id != 0)
    out.push_back(absl::StrCat("principal:", f.principal_id));
  return absl::StrJoin(out, ",");
}

}  // namespace

LogReading::LogReading(common::DbPool& pool, identity::RpcGuard& guard,
                       AnomalyThresholds thresholds)
    : pool_(pool), guard_(guard), thresholds_(std::move(thresholds)) {}

absl::Status LogReading::Refuse(const identity::Call& call,
                                absl::string_view action,
                                absl::string_view purpose,
                                absl::Status status) {
  guard_.AuditAlone(guard_.Record(call, action, "", purpose, Outcome::kDenied));
  return status;
}

absl::StatusOr<LogReading::Page> LogReading::QueryLog(
    const identity::Call& call, const Query& q) {
  absl::Status valid = RequirePurpose(q.purpose);
  if (valid.ok()) valid = ValidateFilter(q.filter);
  auto size = PageSize(q.page_size);
  if (valid.ok() && !size.ok()) valid = size.status();
  if (!valid.ok()) return Refuse(call, kQueryAction, q.purpose, valid);

  absl::Status refusal;
  auto page = pool_.InTransaction<ReadTx>(
      "query audit log", [&](ReadTx& tx) -> absl::StatusOr<Page> {
        LogFilter filter = q.filter;
        absl::Status s = CheckArea(tx, filter.area_id);
        if (s.ok() && !q.principal.empty()) {
          auto id = ResolvePrincipal(tx, q.principal,
                                     guard_.Record(call, kQueryAction, "", ""));
          if (id.ok()) filter.principal_id = *id;
          s = id.status();
        }
        // Whether any entry names the subject is asked only when the page
        // says nothing (a row naming it answers it): one round trip less
        // for the officer's usual query, the same refusals.
        auto unknown_subject = [&] {
          return !filter.subject.empty() &&
                 !PgAuditStore::SubjectNamed(tx, filter.subject);
        };
        const absl::Status no_subject = absl::NotFoundError(absl::StrCat(
            "--subject ", filter.subject, ": no audit entry names it"));
        std::optional<uint64_t> before;
        if (s.ok()) {
          auto token = DecodePageToken(filter, q.page_token);
          if (token.ok()) before = *token;
          s = token.status();
          if (!s.ok() && unknown_subject()) s = no_subject;
        }
        std::vector<StoredEntry> rows;
        if (s.ok()) {
          rows = PgAuditStore::Query(tx, filter, before, *size + 1);
          if (rows.empty() && unknown_subject()) s = no_subject;
        }
        if (!s.ok()) {
          refusal = s;
          PgAuditStore::Append(tx, guard_.Record(call, kQueryAction, "",
                                                 q.purpose, Outcome::kDenied));
          return Page{};
        }
        Page out;
        if (rows.size() > static_cast<size_t>(*size)) {
          rows.resize(*size);
          out.next_page_token =
              EncodePageToken(filter, rows.back().entry.index);
        }
        std::set<int64_t> ids;
        for (const auto& r : rows) ids.insert(r.entry.principal_id);
        auto logins =
            Logins(tx, ids, guard_.Record(call, kQueryAction, "", ""));
        for (auto& r : rows) {
          const int64_t id = r.entry.principal_id;
          out.rows.push_back({std::move(r), logins[id]});
        }
        PgAuditStore::Append(
            tx, guard_.Record(call, kQueryAction, QueriedSubjects(filter),
                              q.purpose));
        return out;
      });
  if (!page.ok()) return page.status();
  if (!refusal.ok()) return refusal;
  return page;
}

absl::StatusOr<LogReading::Row> LogReading::Entry(const identity::Call& call,
                                                  uint64_t index,
                                                  const std::string& purpose) {
  if (auto s = RequirePurpose(purpose); !s.ok()) {
    return Refuse(call, kEntryAction, purpose, s);
  }
  absl::Status refusal;
  auto row = pool_.InTransaction<ReadTx>(
      "show audit entry", [&](ReadTx& tx) -> absl::StatusOr<Row> {
        auto stored = PgAuditStore::StoredAt(tx, index);
        auto head = PgAuditStore::TreeHead(tx, 0);
        if (!stored) {
          refusal = absl::NotFoundError(
              absl::StrCat("INDEX ", index, ": no audit entry has it"));
        } else if (!head || index >= head->tree_size) {
          refusal = absl::FailedPreconditionError(absl::StrCat(
              "INDEX ", index,
              ": no signed tree head covers it yet; retry in a few seconds"));
        }
        if (!refusal.ok()) {
          PgAuditStore::Append(tx, guard_.Record(call, kEntryAction, "",
                                                 purpose, Outcome::kDenied));
          return Row{};
        }
        auto logins = Logins(tx, {stored->entry.principal_id},
                             guard_.Record(call, kEntryAction, "", ""));
        Row out{*stored, logins[stored->entry.principal_id]};
        PgAuditStore::Append(
            tx, guard_.Record(call, kEntryAction, absl::StrCat("audit:", index),
                              purpose));
        return out;
      });
  if (!row.ok()) return row.status();
  if (!refusal.ok()) return refusal;
  return row;
}

absl::StatusOr<std::vector<StoredTreeHead>> LogReading::Heads(
    uint64_t before_size, int page_size) {
  auto size = PageSize(page_size);
  if (!size.ok()) return size.status();
  return pool_.InTransaction(
      "list tree heads",
      [&](pqxx::work& tx) -> absl::StatusOr<std::vector<StoredTreeHead>> {
        return PgAuditStore::TreeHeadsBefore(tx, before_size, *size);
      });
}

absl::StatusOr<LogReading::Report> LogReading::Anomalies(
    const identity::Call& call, const AnomalyQuery& q) {
  absl::Status valid = RequirePurpose(q.purpose);
  if (valid.ok() && q.from_micros >= q.to_micros) {
    valid =
        absl::InvalidArgumentError("--from, --to: --from must be before --to");
  }
  if (valid.ok() && q.to_micros - q.from_micros >
                        thresholds_.max_report_days * kMicrosPerDay) {
    valid = absl::InvalidArgumentError(absl::StrCat(
        "--from, --to: a report covers at most ", thresholds_.max_report_days,
        " days (privacy.anomalies.max_report_days)"));
  }
  if (valid.ok() && q.area_id < 0) {
    valid = absl::InvalidArgumentError("--area: must be an area id >= 1");
  }
  if (!valid.ok()) return Refuse(call, kAnomalyAction, q.purpose, valid);
  absl::Status refusal;
  auto report = pool_.InTransaction<ReadTx>(
      "anomaly report", [&](ReadTx& tx) -> absl::StatusOr<Report> {
        if (auto s = CheckArea(tx, q.area_id); !s.ok()) {
          refusal = s;
          PgAuditStore::Append(tx, guard_.Record(call, kAnomalyAction, "",
                                                 q.purpose, Outcome::kDenied));
          return Report{};
        }
        std::vector<ActivityEntry> activity;
        for (const StoredEntry& s : PgAuditStore::EntriesBetween(
                 tx, q.from_micros, q.to_micros, q.area_id)) {
          const SequencedEntry& e = s.entry;
          activity.push_back({e.index, e.at_micros, e.principal_id, e.action,
                              e.subject, e.outcome, e.area_id, e.peer});
        }
        const auto baseline = PgAuditStore::ActionCounts(
            tx, q.from_micros - thresholds_.baseline_days * kMicrosPerDay,
            q.from_micros, thresholds_.read_actions);
        Report out;
        out.entries_examined = activity.size();
        out.anomalies = FindAnomalies(activity, baseline, thresholds_);
        std::set<int64_t> ids;
        for (const auto& a : out.anomalies) ids.insert(a.principal_id);
        out.logins =
            Logins(tx, ids, guard_.Record(call, kAnomalyAction, "", ""));
        audit::AuditRecord record =
            guard_.Record(call, kAnomalyAction, "", q.purpose);
        record.area_id = q.area_id;
        PgAuditStore::Append(tx, record);
        return out;
      });
  if (!report.ok()) return report.status();
  if (!refusal.ok()) return refusal;
  return report;
}

}  // namespace kvo::audit
