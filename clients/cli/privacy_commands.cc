#include "clients/cli/privacy_commands.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/privacy.grpc.pb.h"

namespace kvo::cli {
namespace {

using kvo::v1::PrivacyService;
using Stub = PrivacyService::Stub;

constexpr char kOfficerOnly[] = " (privacy_officer only)";

// Every option of every privacy command; each command reads its own.
struct Args {
  int64_t id = 0;
  std::string given_names, surname_prefix, surname, date_of_birth;
  std::string purpose;
  std::string pseudonym;
  std::string kind;
  std::string received_on;
  std::string channel;
  std::string notes;
  bool all = false;
  std::string json_path;
  std::string pdf_path;
  std::vector<std::string> sets;
  std::string reason;
  std::string outcome;
  std::string closed_on;
};

template <typename Request, typename Response>
int Call(const GlobalOptions& opts,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                      Response*),
         const Request& request, Response* response) {
  return CallUnary<PrivacyService>(opts, method, request, response);
}

std::string KindCode(kvo::v1::SubjectRequestKind kind) {
  switch (kind) {
    case kvo::v1::SUBJECT_REQUEST_KIND_ACCESS:
      return "access";
    case kvo::v1::SUBJECT_REQUEST_KIND_RECTIFICATION:
      return "rectification";
    case kvo::v1::SUBJECT_REQUEST_KIND_ERASURE:
      return "erasure";
    case kvo::v1::SUBJECT_REQUEST_KIND_OBJECTION:
      return "objection";
    default:
      return "";
  }
}

kvo::v1::SubjectRequestKind KindFromName(const std::string& name) {
  if (name == "access") return kvo::v1::SUBJECT_REQUEST_KIND_ACCESS;
  if (name == "rectification") {
    return kvo::v1::SUBJECT_REQUEST_KIND_RECTIFICATION;
  }
  if (name == "erasure") return kvo::v1::SUBJECT_REQUEST_KIND_ERASURE;
  if (name == "objection") return kvo::v1::SUBJECT_REQUEST_KIND_OBJECTION;
  return kvo::v1::SUBJECT_REQUEST_KIND_UNSPECIFIED;
}

Record RequestRecord(const kvo::v1::SubjectRequest& r) {
  return {{"id", Value::Int(r.id())},
          {"pseudonym", r.pseudonym()},
          {"kind", Value::Label(KindCode(r.kind()))},
          {"received", Value::Day(r.received_on())},
          {"due", Value::Day(r.due_on())},
          {"days_left", Value::Int(r.days_left())},
          {"status",
           Value::Label(r.open() ? (r.late() ? "overdue" : "open")
                                 : (r.late() ? "closed_late" : "closed"))},
          {"channel", Value::Label(r.channel())},
          {"outcome", Value::Label(r.outcome())},
          {"closed", Value::Day(r.closed_on())},
          {"rectified", r.rectified_fields().empty()
                            ? Value::Null()
                            : absl::StrJoin(r.rectified_fields(), ",")},
          {"notes", r.notes()}};
}

int RunFind(const GlobalOptions& opts, const Args& a) {
  kvo::v1::FindSubjectRequest req;
  req.set_given_names(a.given_names);
  req.set_surname_prefix(a.surname_prefix);
  req.set_surname(a.surname);
  req.set_date_of_birth(a.date_of_birth);
  req.set_purpose(a.purpose);
  kvo::v1::FindSubjectResponse resp;
  if (int rc = Call(opts, &Stub::FindSubject, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& m : resp.matches()) {
    if (m.cards().empty()) {
      rows.push_back({{"pseudonym", m.pseudonym()},
                      {"registered_area", Value::Int(m.registered_area_id())},
                      {"card", Value::Null()},
                      {"kind", Value::Null()},
                      {"area", Value::Null()},
                      {"valid_from", Value::Null()},
                      {"valid_until", Value::Null()},
                      {"status", Value::Null()}});
    }
    for (const auto& c : m.cards()) {
      rows.push_back(
          {{"pseudonym", m.pseudonym()},
           {"registered_area", Value::Int(m.registered_area_id())},
           {"card", Value::Int(c.card_id())},
           {"kind", Value::Label(c.kind())},
           {"area", Value::Int(c.area_id())},
           {"valid_from", TimeValue(c.valid_from())},
           {"valid_until", TimeValue(c.valid_until())},
           {"status", Value::Label(c.revoked() ? "revoked" : "issued")}});
    }
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunResolve(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ResolvePseudonymRequest req;
  req.set_pseudonym(a.pseudonym);
  req.set_purpose(a.purpose);
  kvo::v1::ResolvedSubject resp;
  if (int rc = Call(opts, &Stub::ResolvePseudonym, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<std::string> name;
  for (const std::string* part :
       {&resp.given_names(), &resp.surname_prefix(), &resp.surname()}) {
    if (!part->empty()) name.push_back(*part);
  }
  PrintRecord({{"pseudonym", resp.pseudonym()},
               {"name", resp.erased() ? "(erased)" : absl::StrJoin(name, " ")}},
              opts.Style());
  return kExitOk;
}

int RunOpen(const GlobalOptions& opts, const Args& a) {
  kvo::v1::OpenSubjectRequestRequest req;
  req.set_pseudonym(a.pseudonym);
  req.set_kind(KindFromName(a.kind));
  req.set_received_on(a.received_on);
  req.set_channel(a.channel);
  req.set_notes(a.notes);
  kvo::v1::SubjectRequest resp;
  if (int rc = Call(opts, &Stub::OpenSubjectRequest, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  PrintRecord(RequestRecord(resp), opts.Style());
  return kExitOk;
}

int RunList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListSubjectRequestsRequest req;
  req.set_include_closed(a.all);
  kvo::v1::ListSubjectRequestsResponse resp;
  if (int rc = Call(opts, &Stub::ListSubjectRequests, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& r : resp.requests()) rows.push_back(RequestRecord(r));
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetSubjectRequestRequest req;
  req.set_request_id(a.id);
  kvo::v1::SubjectRequest resp;
  if (int rc = Call(opts, &Stub::GetSubjectRequest, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  PrintRecord(RequestRecord(resp), opts.Style());
  return kExitOk;
}

int RunExport(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ExportAccessRequest req;
  req.set_request_id(a.id);
  kvo::v1::AccessExport resp;
  if (int rc = Call(opts, &Stub::ExportAccess, req, &resp); rc != kExitOk) {
    return rc;
  }
  if (int rc = WriteFile(a.json_path, resp.json()); rc != kExitOk) return rc;
  if (int rc = WriteFile(a.pdf_path, resp.pdf()); rc != kExitOk) return rc;
  PrintRecord({{"request", Value::Int(a.id)},
               {"pseudonym", resp.report().pseudonym()},
               {"json", a.json_path},
               {"pdf", a.pdf_path},
               {"cards", Value::Int(resp.report().cards_size())},
               {"incidents", Value::Int(resp.report().incidents_size())},
               {"accesses", Value::Int(resp.report().accesses_size())}},
              opts.Style());
  return kExitOk;
}

int RunRectify(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RectifySubjectRequest req;
  req.set_request_id(a.id);
  req.set_reason(a.reason);
  for (const std::string& set : a.sets) {
    const size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      return ReportError(
          absl::StrCat("--set ", set, ": FIELD=VALUE, e.g. surname=Jansen"));
    }
    (*req.mutable_fields())[set.substr(0, eq)] = set.substr(eq + 1);
  }
  kvo::v1::SubjectRequest resp;
  if (int rc = Call(opts, &Stub::RectifySubject, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(RequestRecord(resp), opts.Style());
  return kExitOk;
}

int RunClose(const GlobalOptions& opts, const Args& a) {
  kvo::v1::CloseSubjectRequestRequest req;
  req.set_request_id(a.id);
  req.set_outcome(a.outcome);
  req.set_note(a.notes);
  req.set_closed_on(a.closed_on);
  kvo::v1::SubjectRequest resp;
  if (int rc = Call(opts, &Stub::CloseSubjectRequest, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  PrintRecord(RequestRecord(resp), opts.Style());
  return kExitOk;
}

}  // namespace

void AddPrivacyCommands(CLI::App* app, const GlobalOptions* opts,
                        std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  const auto id = [&](CLI::App* sub) {
    sub->add_option("ID", a->id, "request id")
        ->required()
        ->check(PositiveInteger());
  };
  const auto purpose = [&](CLI::App* sub) {
    sub->add_option("--purpose", a->purpose,
                    "why you look (recorded in the audit log)")
        ->required();
  };

  auto* privacy = app->add_subcommand(
      "privacy", "the privacy officer's look-ups, audited with a purpose");
  privacy->require_subcommand(1);
  auto* find = privacy->add_subcommand(
      "find",
      absl::StrCat("find a person by name and date of birth (blind index): "
                   "pseudonymous id and card history",
                   kOfficerOnly));
  find->add_option("--given", a->given_names, "given names")->required();
  find->add_option("--prefix", a->surname_prefix,
                   "surname prefix (\"van der\")");
  find->add_option("--surname", a->surname, "surname")->required();
  find->add_option("--born", a->date_of_birth, "date of birth, YYYY-MM-DD")
      ->required();
  purpose(find);
  OnSelected(find, action, opts, a, RunFind);
  auto* resolve = privacy->add_subcommand(
      "resolve",
      absl::StrCat("the name behind a pseudonymous id", kOfficerOnly));
  resolve->add_option("PSEUDONYM", a->pseudonym, "as the audit log names it")
      ->required();
  purpose(resolve);
  OnSelected(resolve, action, opts, a, RunResolve);

  auto* dsr = app->add_subcommand(
      "dsr",
      "data-subject requests: access, rectification, erasure, "
      "objection");
  dsr->require_subcommand(1);
  auto* open =
      dsr->add_subcommand("open", absl::StrCat("register a request; due after "
                                               "privacy.subject_request_days",
                                               kOfficerOnly));
  open->add_option("--subject", a->pseudonym,
                   "the person's pseudonymous id (kvo privacy find)")
      ->required();
  open->add_option("--kind", a->kind,
                   "access, rectification, erasure or objection")
      ->required();
  open->add_option("--received", a->received_on,
                   "the day the request arrived, YYYY-MM-DD")
      ->required();
  open->add_option("--channel", a->channel,
                   "letter, email, in_person, phone or web")
      ->required();
  open->add_option("--notes", a->notes,
                   "about the request (sealed with the person's key; goes with "
                   "their erasure)");
  OnSelected(open, action, opts, a, RunOpen);
  auto* list = dsr->add_subcommand(
      "list", absl::StrCat("open requests, overdue first, with days left",
                           kOfficerOnly));
  list->add_flag("--all", a->all, "closed requests too");
  OnSelected(list, action, opts, a, RunList);
  auto* show =
      dsr->add_subcommand("show", absl::StrCat("one request", kOfficerOnly));
  id(show);
  OnSelected(show, action, opts, a, RunShow);
  auto* exp = dsr->add_subcommand(
      "export",
      absl::StrCat("everything held about the person of an open access "
                   "request, as JSON and a Dutch PDF; audited",
                   kOfficerOnly));
  id(exp);
  exp->add_option("--json", a->json_path, "where to write the JSON")
      ->required();
  exp->add_option("--pdf", a->pdf_path, "where to write the PDF")->required();
  OnSelected(exp, action, opts, a, RunExport);
  auto* rectify = dsr->add_subcommand(
      "rectify",
      absl::StrCat("correct the person's fields for an open rectification "
                   "request; old values are not kept; audited",
                   kOfficerOnly));
  id(rectify);
  rectify
      ->add_option("--set", a->sets,
                   "FIELD=VALUE (given_names, surname_prefix, surname, "
                   "address, residence, date_of_birth, place_of_birth, "
                   "description); an empty VALUE clears; repeat for more")
      ->required()
      ->allow_extra_args(false);
  rectify->add_option("--reason", a->reason, "why (no personal data)")
      ->required();
  OnSelected(rectify, action, opts, a, RunRectify);
  auto* close = dsr->add_subcommand(
      "close", absl::StrCat("record the outcome; closing an erasure request as "
                            "granted erases the person",
                            kOfficerOnly));
  id(close);
  close
      ->add_option("--outcome", a->outcome,
                   "granted, partially_granted or refused")
      ->required();
  close->add_option("--note", a->notes,
                    "about the answer (sealed with the person's key; not kept "
                    "when the request erases them)");
  close->add_option("--on", a->closed_on,
                    "the day it was answered, YYYY-MM-DD (default today)");
  OnSelected(close, action, opts, a, RunClose);
}

}  // namespace kvo::cli
