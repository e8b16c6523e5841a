#include "services/privacy/privacy_use_cases.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/local_time.h"
#include "services/common/text.h"
#include "services/identity/pg_identity_store.h"
#include "services/notice/notice_pdf.h"
#include "services/privacy/access_report.h"
#include "services/privacy/pg_privacy_store.h"
#include "services/privacy/subject_request_rules.h"

namespace kvo::privacy {
namespace {

using audit::PgAuditStore;
using Store = PgPrivacyStore;

constexpr size_t kMaxPurpose = 500;
constexpr size_t kMaxNotes = 2000;

std::string Subject(const SubjectRef& ref) {
  return absl::StrCat("person:", ref.pseudonym);
}

std::string Pseudonym(absl::string_view given) {
  absl::ConsumePrefix(&given, "person:");
  return std::string(given);
}

absl::Status CheckPurpose(const std::string& purpose) {
  if (purpose.empty()) {
    return absl::InvalidArgumentError(
        "purpose (kvo --purpose): required; say why you look (\"access "
        "request of 3 March\")");
  }
  return common::CheckText("purpose", purpose, 1, kMaxPurpose);
}

bool IsRefusal(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      return true;
    default:
      return false;
  }
}

kvo::v1::SubjectRequestKind KindToProto(RequestKind k) {
  switch (k) {
    case RequestKind::kAccess:
      return kvo::v1::SUBJECT_REQUEST_KIND_ACCESS;
    case RequestKind::kRectification:
      return kvo::v1::SUBJECT_REQUEST_KIND_RECTIFICATION;
    case RequestKind::kErasure:
      return kvo::v1::SUBJECT_REQUEST_KIND_ERASURE;
    case RequestKind::kObjection:
      return kvo::v1::SUBJECT_REQUEST_KIND_OBJECTION;
  }
  return kvo::v1::SUBJECT_REQUEST_KIND_UNSPECIFIED;
}

std::optional<RequestKind> KindFromProto(kvo::v1::SubjectRequestKind k) {
  switch (k) {
    case kvo::v1::SUBJECT_REQUEST_KIND_ACCESS:
      return RequestKind::kAccess;
    case kvo::v1::SUBJECT_REQUEST_KIND_RECTIFICATION:
      return RequestKind::kRectification;
    case kvo::v1::SUBJECT_REQUEST_KIND_ERASURE:
      return RequestKind::kErasure;
    case kvo::v1::SUBJECT_REQUEST_KIND_OBJECTION:
      return RequestKind::kObjection;
    default:
      return std::nullopt;
  }
}

RequestState StateOf(const SubjectRequestRow& row) {
  return {row.id, ParseKind(row.kind).value_or(RequestKind::kAccess),
          row.received_on, row.due_on, row.closed_on};
}

kvo::v1::SubjectRequest View(const SubjectRequestRow& row,
                             const std::string& pseudonym,
                             absl::CivilDay today) {
  const RequestState state = StateOf(row);
  kvo::v1::SubjectRequest out;
  out.set_id(row.id);
  out.set_pseudonym(pseudonym);
  out.set_kind(KindToProto(state.kind));
  out.set_received_on(absl::FormatCivilTime(row.received_on));
  out.set_due_on(absl::FormatCivilTime(row.due_on));
  out.set_channel(row.channel);
  out.set_notes(row.notes);
  out.set_open(state.open());
  out.set_days_left(DaysLeft(state, today));
  out.set_late(IsLate(state, today));
  if (row.closed_on.has_value()) {
    out.set_closed_on(absl::FormatCivilTime(*row.closed_on));
  }
  out.set_outcome(row.outcome);
  out.set_outcome_note(row.outcome_note);
  for (const auto& f : row.rectified_fields) out.add_rectified_fields(f);
  return out;
}

absl::StatusOr<SubjectRequestRow> LockRequest(pqxx::transaction_base& tx,
                                              int64_t id) {
  if (id <= 0) return absl::InvalidArgumentError("request_id: required");
  auto row = Store::RequestForUpdate(tx, id);
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("request_id: request ", id, " not found"));
  }
  return *row;
}

absl::StatusOr<SubjectRef> SubjectOf(pqxx::transaction_base& tx,
                                     const SubjectRecords& records,
                                     const SubjectRequestRow& row) {
  auto ref = records.ById(tx, row.person_id);
  if (!ref) return absl::InternalError("the request's person is gone");
  return *ref;
}

// What a request's note is sealed to besides the person: which request,
// which note, so a note moved to another request does not open.
std::string NoteBinding(int64_t request_id, absl::string_view which) {
  return absl::StrCat("subject-request:", request_id, "/", which);
}

// `plain` sealed for the request's person; nullopt for an empty note.
absl::StatusOr<std::optional<std::string>> SealNote(
    pqxx::transaction_base& tx, const SubjectRecords& records,
    const SubjectRef& ref, int64_t request_id, absl::string_view which,
    const std::string& plain) {
  if (plain.empty()) return std::optional<std::string>();
  auto sealed =
      records.SealNote(tx, ref, NoteBinding(request_id, which), plain);
  if (!sealed.ok()) return sealed.status();
  return std::optional<std::string>(std::move(*sealed));
}

// Opens the row's sealed notes into `notes` and `outcome_note`. An erased
// person's notes went with them: they read "".
absl::Status OpenNotes(pqxx::transaction_base& tx,
                       const SubjectRecords& records,
                       const std::optional<SubjectRef>& ref,
                       SubjectRequestRow& row) {
  for (auto [sealed, plain, which] :
       {std::tuple{&row.sealed_notes, &row.notes, "notes"},
        std::tuple{&row.sealed_outcome_note, &row.outcome_note,
                   "outcome_note"}}) {
    if (!ref.has_value() || ref->erased) {
      plain->clear();
      continue;
    }
    if (!sealed->has_value()) continue;
    auto opened =
        records.OpenNote(tx, *ref, NoteBinding(row.id, which), **sealed);
    if (absl::IsNotFound(opened.status())) {
      plain->clear();
      continue;
    }
    if (!opened.ok()) return opened.status();
    *plain = std::move(*opened);
  }
  return absl::OkStatus();
}

// The request as the officer reads it, its notes opened.
absl::StatusOr<kvo::v1::SubjectRequest> Viewed(pqxx::transaction_base& tx,
                                               const SubjectRecords& records,
                                               SubjectRequestRow row,
                                               absl::CivilDay today) {
  const auto ref = records.ById(tx, row.person_id);
  if (auto s = OpenNotes(tx, records, ref, row); !s.ok()) return s;
  return View(row, ref ? ref->pseudonym : "", today);
}

}  // namespace

PrivacyUseCases::PrivacyUseCases(const kvo::v1::Policy& policy,
                                 common::DbPool& pool, SubjectRecords& records,
                                 const SubjectPhotos& photos,
                                 const AccessHistory& accesses,
                                 const common::Clock& clock)
    : policy_(policy),
      pool_(pool),
      records_(records),
      photos_(photos),
      accesses_(accesses),
      clock_(clock) {}

absl::Status PrivacyUseCases::Refused(const audit::AuditRecord& who,
                                      const std::string& action,
                                      const std::string& subject,
                                      const std::string& purpose,
                                      absl::Status status) {
  if (status.ok() || !IsRefusal(status)) return status;
  audit::AuditRecord r = who;
  r.action = action;
  r.subject = subject;
  // The purpose as typed, cut to what the log takes; empty stays empty.
  r.purpose = purpose.substr(0, kMaxPurpose);
  r.outcome = audit::Outcome::kDenied;
  auto logged = pool_.InTransaction("audit refusal", [&](pqxx::work& tx) {
    PgAuditStore::Append(tx, r);
    return absl::OkStatus();
  });
  if (!logged.ok()) return logged;
  return status;
}

absl::StatusOr<kvo::v1::FindSubjectResponse> PrivacyUseCases::FindSubject(
    const audit::AuditRecord& who, const kvo::v1::FindSubjectRequest& in) {
  constexpr char kAction[] = "privacy.find_subject";
  if (auto s = CheckPurpose(in.purpose()); !s.ok()) {
    return Refused(who, kAction, "", in.purpose(), s);
  }
  auto found = pool_.InTransaction(
      "find subject",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::FindSubjectResponse> {
        auto refs = records_.FindByNameAndBirth(
            tx, in.given_names(), in.surname_prefix(), in.surname(),
            in.date_of_birth());
        if (!refs.ok()) return refs.status();
        kvo::v1::FindSubjectResponse out;
        std::vector<std::string> subjects;
        for (const SubjectRef& ref : *refs) {
          subjects.push_back(Subject(ref));
          auto* match = out.add_matches();
          match->set_pseudonym(ref.pseudonym);
          match->set_registered_area_id(ref.registered_area_id);
          for (const SubjectCard& c : records_.Cards(tx, ref.person_id)) {
            *match->add_cards() = CardProto(c);
          }
        }
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = audit::JoinSubjects(subjects);
        r.purpose = in.purpose();
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!found.ok()) {
    return Refused(who, kAction, "", in.purpose(), found.status());
  }
  return found;
}

absl::StatusOr<kvo::v1::ResolvedSubject> PrivacyUseCases::ResolvePseudonym(
    const audit::AuditRecord& who, const std::string& given,
    const std::string& purpose) {
  constexpr char kAction[] = "privacy.resolve_pseudonym";
  const std::string pseudonym = Pseudonym(given);
  const std::string subject = absl::StrCat("person:", pseudonym);
  for (auto s : {CheckPurpose(purpose),
                 common::CheckText("pseudonym", pseudonym, 1, 64)}) {
    if (!s.ok()) return Refused(who, kAction, "", purpose, s);
  }
  auto resolved = pool_.InTransaction(
      "resolve pseudonym",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::ResolvedSubject> {
        auto ref = records_.ByPseudonym(tx, pseudonym);
        if (!ref) {
          return absl::NotFoundError(absl::StrCat(
              "pseudonym: no person has pseudonym '", pseudonym, "'"));
        }
        kvo::v1::ResolvedSubject out;
        out.set_pseudonym(ref->pseudonym);
        out.set_erased(ref->erased);
        if (!ref->erased) {
          auto fields = records_.Fields(
              tx, *ref, {"given_names", "surname_prefix", "surname"});
          if (!fields.ok()) return fields.status();
          out.set_given_names((*fields)["given_names"]);
          out.set_surname_prefix((*fields)["surname_prefix"]);
          out.set_surname((*fields)["surname"]);
        }
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = Subject(*ref);
        r.purpose = purpose;
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!resolved.ok()) {
    return Refused(who, kAction, "", purpose, resolved.status());
  }
  return resolved;
}

absl::StatusOr<kvo::v1::SubjectRequest> PrivacyUseCases::Open(
    const audit::AuditRecord& who,
    const kvo::v1::OpenSubjectRequestRequest& in) {
  constexpr char kAction[] = "privacy.open_request";
  const std::string pseudonym = Pseudonym(in.pseudonym());
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  const auto kind = KindFromProto(in.kind());
  absl::CivilDay received;
  absl::Status valid = [&]() -> absl::Status {
    if (auto s = common::CheckText("pseudonym", pseudonym, 1, 64); !s.ok()) {
      return s;
    }
    if (!kind.has_value()) {
      return absl::InvalidArgumentError(
          "kind: one of access, rectification, erasure, objection");
    }
    if (!absl::ParseCivilTime(in.received_on(), &received)) {
      return absl::InvalidArgumentError(
          "received_on: the day the request arrived, as YYYY-MM-DD");
    }
    if (auto s = CheckReceived(received, today); !s.ok()) return s;
    if (!IsChannel(in.channel())) {
      return absl::InvalidArgumentError(
          absl::StrCat("channel: one of ", kChannels));
    }
    return common::CheckText("notes", in.notes(), 0, kMaxNotes,
                             /*multiline=*/true);
  }();
  if (!valid.ok()) return Refused(who, kAction, "", "", valid);
  auto opened = pool_.InTransaction(
      "open subject request",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SubjectRequest> {
        auto ref = records_.ByPseudonym(tx, pseudonym);
        if (!ref) {
          return absl::NotFoundError(absl::StrCat(
              "pseudonym: no person has pseudonym '", pseudonym, "'"));
        }
        if (ref->erased) {
          return absl::FailedPreconditionError(absl::StrCat(
              "pseudonym: person ", pseudonym,
              " was erased; the registry holds no personal data of theirs"));
        }
        SubjectRequestRow row;
        row.person_id = ref->person_id;
        row.kind = KindName(*kind);
        row.received_on = received;
        row.due_on = DueOn(received, policy_.privacy().subject_request_days());
        row.channel = in.channel();
        row.notes = in.notes();
        row.id = Store::InsertRequest(tx, row, who.principal_id);
        // Only sealed with the person's key: it goes with their erasure.
        auto sealed = SealNote(tx, records_, *ref, row.id, "notes", row.notes);
        if (!sealed.ok()) return sealed.status();
        if (sealed->has_value()) {
          Store::SetSealedNotes(tx, row.id, *sealed, std::nullopt);
        }
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = Subject(*ref);
        r.purpose =
            absl::StrCat("data-subject request ", row.id, " (", row.kind, ")");
        PgAuditStore::Append(tx, r);
        return View(row, ref->pseudonym, today);
      });
  if (!opened.ok()) {
    return Refused(who, kAction, "", "", opened.status());
  }
  return opened;
}

absl::StatusOr<std::vector<kvo::v1::SubjectRequest>> PrivacyUseCases::List(
    bool include_closed) {
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  return pool_.InTransaction(
      "list subject requests",
      [&](pqxx::work& tx)
          -> absl::StatusOr<std::vector<kvo::v1::SubjectRequest>> {
        auto rows = Store::Requests(tx, include_closed);
        std::sort(rows.begin(), rows.end(),
                  [&](const SubjectRequestRow& a, const SubjectRequestRow& b) {
                    return ListsBefore(StateOf(a), StateOf(b), today);
                  });
        std::vector<kvo::v1::SubjectRequest> out;
        for (const auto& row : rows) {
          auto view = Viewed(tx, records_, row, today);
          if (!view.ok()) return view.status();
          out.push_back(std::move(*view));
        }
        return out;
      });
}

absl::StatusOr<kvo::v1::SubjectRequest> PrivacyUseCases::Get(
    int64_t request_id) {
  if (request_id <= 0) {
    return absl::InvalidArgumentError("request_id: required");
  }
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  return pool_.InTransaction(
      "read subject request",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SubjectRequest> {
        auto row = Store::RequestById(tx, request_id);
        if (!row) {
          return absl::NotFoundError(
              absl::StrCat("request_id: request ", request_id, " not found"));
        }
        return Viewed(tx, records_, *row, today);
      });
}

absl::StatusOr<kvo::v1::AccessExport> PrivacyUseCases::ExportAccess(
    const audit::AuditRecord& who, int64_t request_id) {
  constexpr char kAction[] = "privacy.export_access";
  const std::string purpose =
      absl::StrCat("access request ", request_id, " (GDPR art. 15)");
  auto exported = pool_.InTransaction(
      "export access",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::AccessExport> {
        auto row = LockRequest(tx, request_id);
        if (!row.ok()) return row.status();
        if (auto s = CheckExport(StateOf(*row)); !s.ok()) return s;
        auto ref = SubjectOf(tx, records_, *row);
        if (!ref.ok()) return ref.status();
        ReportInput in;
        auto data = records_.Everything(tx, *ref);
        if (!data.ok()) return data.status();
        in.data = std::move(*data);
        auto photo = photos_.PhotoOf(tx, *ref);
        if (!photo.ok()) return photo.status();
        in.photo = std::move(*photo);
        in.accesses = accesses_.OfSubject(tx, Subject(*ref));
        in.produced_at = clock_.Now();
        kvo::v1::AccessExport out;
        *out.mutable_report() = BuildAccessReport(in);
        auto json = AccessReportJson(out.report());
        if (!json.ok()) return json.status();
        out.set_json(std::move(*json));
        ReportLabels labels;
        for (const auto& t : policy_.offence_types()) {
          labels.offences[t.code()] = t.label_nl();
        }
        for (const auto& area :
             identity::PgIdentityStore::ListAreas(tx, {}, true)) {
          labels.areas[area.id()] =
              absl::StrCat(area.name(), " (", area.municipality(), ")");
        }
        auto pdf = notice::RenderParagraphsPdf(
            AccessReportParagraphs(out.report(), labels));
        if (!pdf.ok()) return pdf.status();
        out.set_pdf(std::move(*pdf));
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = Subject(*ref);
        r.purpose = purpose;
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!exported.ok()) {
    return Refused(who, kAction, "", purpose, exported.status());
  }
  return exported;
}

absl::StatusOr<kvo::v1::SubjectRequest> PrivacyUseCases::Rectify(
    const audit::AuditRecord& who, int64_t request_id,
    const std::map<std::string, std::string>& changes,
    const std::string& reason) {
  constexpr char kAction[] = "privacy.rectify";
  std::vector<std::string> names;
  for (const auto& [field, value] : changes) names.push_back(field);
  const std::string purpose =
      absl::StrCat("rectification request ", request_id, ": ",
                   absl::StrJoin(names, ","), "; ", reason);
  absl::Status valid = common::CheckText("reason", reason, 1, 500);
  if (valid.ok() && changes.empty()) {
    valid = absl::InvalidArgumentError(
        "fields (kvo dsr rectify --set FIELD=VALUE): at least one field");
  }
  if (!valid.ok()) return Refused(who, kAction, "", "", valid);
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  SubjectRectification rectification;
  auto rectified = pool_.InTransaction(
      "rectify subject",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SubjectRequest> {
        rectification = {};
        auto row = LockRequest(tx, request_id);
        if (!row.ok()) return row.status();
        if (auto s = CheckRectify(StateOf(*row)); !s.ok()) return s;
        auto ref = SubjectOf(tx, records_, *row);
        if (!ref.ok()) return ref.status();
        auto done = records_.Rectify(tx, *ref, changes);
        if (!done.ok()) return done.status();
        rectification = std::move(*done);
        Store::AddRectifiedFields(tx, row->id, names);
        // Which fields, never their old or new values.
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = Subject(*ref);
        r.purpose = purpose.substr(0, kMaxPurpose + 200);
        PgAuditStore::Append(tx, r);
        return Viewed(tx, records_, *Store::RequestById(tx, row->id), today);
      });
  if (!rectified.ok()) {
    return Refused(who, kAction, "", "", rectified.status());
  }
  records_.RectificationCommitted(rectification);
  return rectified;
}

absl::StatusOr<kvo::v1::SubjectRequest> PrivacyUseCases::Close(
    const audit::AuditRecord& who, int64_t request_id,
    const std::string& outcome, const std::string& note,
    const std::string& closed_on_text) {
  constexpr char kAction[] = "privacy.close_request";
  const absl::CivilDay today =
      absl::ToCivilDay(clock_.Now(), common::Amsterdam());
  absl::CivilDay closed_on = today;
  absl::Status valid =
      common::CheckText("note", note, 0, kMaxNotes, /*multiline=*/true);
  if (valid.ok() && !closed_on_text.empty() &&
      !absl::ParseCivilTime(closed_on_text, &closed_on)) {
    valid = absl::InvalidArgumentError(
        "closed_on: the day the request was answered, as YYYY-MM-DD");
  }
  if (!valid.ok()) return Refused(who, kAction, "", "", valid);
  std::optional<SubjectErasure> erasure;
  auto closed = pool_.InTransaction(
      "close subject request",
      [&](pqxx::work& tx) -> absl::StatusOr<kvo::v1::SubjectRequest> {
        erasure.reset();
        auto row = LockRequest(tx, request_id);
        if (!row.ok()) return row.status();
        const RequestState state = StateOf(*row);
        if (auto s = CheckClose(state, outcome, closed_on, today); !s.ok()) {
          return s;
        }
        auto ref = SubjectOf(tx, records_, *row);
        if (!ref.ok()) return ref.status();
        if (ClosingErases(state, outcome) && !ref->erased) {
          auto erased =
              records_.Erase(tx, *ref, who.principal_id, clock_.Now());
          if (!erased.ok()) return erased.status();
          erasure = std::move(*erased);
          audit::AuditRecord e = who;
          e.action = "privacy.erase_subject";
          e.subject = Subject(*ref);
          e.purpose = absl::StrCat("erasure request ", row->id);
          PgAuditStore::Append(tx, e);
        }
        // The notes go with the erasure (the closing note too: it would
        // be sealed with the key that goes); otherwise it is sealed.
        std::optional<std::string> sealed_note;
        if (erasure.has_value() || ref->erased) {
          Store::DropNotesOfPerson(tx, ref->person_id);
        } else {
          auto sealed =
              SealNote(tx, records_, *ref, row->id, "outcome_note", note);
          if (!sealed.ok()) return sealed.status();
          sealed_note = std::move(*sealed);
        }
        Store::CloseRequest(tx, row->id, closed_on, outcome, sealed_note,
                            who.principal_id);
        audit::AuditRecord r = who;
        r.action = kAction;
        r.subject = Subject(*ref);
        r.purpose = absl::StrCat("data-subject request ", row->id, " (",
                                 row->kind, "): ", outcome);
        PgAuditStore::Append(tx, r);
        return Viewed(tx, records_, *Store::RequestById(tx, row->id), today);
      });
  if (!closed.ok()) {
    return Refused(who, kAction, "", "", closed.status());
  }
  if (erasure.has_value()) records_.ErasureCommitted(*erasure);
  return closed;
}

absl::StatusOr<NotesSealed> PrivacyUseCases::SealPlainNotes() {
  constexpr int kBatch = 500;
  NotesSealed total;
  for (;;) {
    auto batch = pool_.InTransaction(
        "seal plain notes", [&](pqxx::work& tx) -> absl::StatusOr<NotesSealed> {
          NotesSealed done;
          for (const SubjectRequestRow& row : Store::PlainNotes(tx, kBatch)) {
            const auto ref = records_.ById(tx, row.person_id);
            std::optional<std::string> notes, outcome_note;
            absl::Status s = absl::OkStatus();
            if (ref.has_value() && !ref->erased) {
              auto a = SealNote(tx, records_, *ref, row.id, "notes", row.notes);
              auto b = SealNote(tx, records_, *ref, row.id, "outcome_note",
                                row.outcome_note);
              s = !a.ok() ? a.status() : b.status();
              if (s.ok()) {
                notes = std::move(*a);
                outcome_note = std::move(*b);
              }
            }
            // The person was erased (by the data here, or by the key store:
            // their key is gone): their notes should have gone with them.
            const bool drop = !ref.has_value() || ref->erased ||
                              absl::IsNotFound(s) || absl::IsDataLoss(s);
            if (!s.ok() && !drop) return s;
            if (drop) {
              notes.reset();
              outcome_note.reset();
              ++done.dropped;
            } else {
              ++done.sealed;
            }
            Store::SetSealedNotes(tx, row.id, notes, outcome_note);
          }
          return done;
        });
    if (!batch.ok()) return batch.status();
    total.sealed += batch->sealed;
    total.dropped += batch->dropped;
    if (batch->sealed + batch->dropped < kBatch) return total;
  }
}

}  // namespace kvo::privacy
