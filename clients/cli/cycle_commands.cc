#include "clients/cli/cycle_commands.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/formatting.h"
#include "clients/cli/labels.h"
#include "clients/cli/output.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "services/common/dutch_number.h"
#include "services/common/iban.h"
#include "services/common/party_kinds.h"

namespace kvo::cli {
namespace {

using kvo::v1::CycleService;
using Stub = CycleService::Stub;

constexpr char kRunners[] = " (coordinator of the area, admin)";
constexpr char kReaders[] =
    " (shopkeeper, security, police and coordinator of the area, admin)";

// Every option of every cycle command; each command reads its own.
struct Args {
  int64_t area = 0;
  int64_t shop = 0;
  std::string name, kind, contact, contact_details;
  std::string agreement_signed, declaration_signed;
  std::string number, holder, valid_from, valid_until;
  std::string text, party, signed_by, signed_on;
  std::string assessed_on, assessor, findings;
  bool failed = false;
  std::string issued_on;
  std::string source, file;
  std::string description, target, measure, owner, deadline, status;
  std::string metric;
  double target_change = 0;
  int64_t objective = 0, activity = 0;
  bool overdue = false;
  std::string on, reason;
  std::vector<std::string> targets;  // OBJECTIVE=CHANGE
  std::vector<int64_t> drop_objectives, cancel_activities;
  // The area's letterhead.
  std::string coordinator, objection_address, objection_email, phone, payee,
      iban;
};

// The area's letterhead as kvo shows it; "-" for what is not recorded.
Record ContactRecord(const kvo::v1::AreaContact& c) {
  const auto or_dash = [](const std::string& v) {
    return v.empty() ? std::string("-") : v;
  };
  return {{"area", Value::Int(c.area_id())},
          {"coordinator", or_dash(c.coordinator())},
          {"objection_address", or_dash(c.objection_address())},
          {"objection_email", or_dash(c.objection_email())},
          {"phone", or_dash(c.phone())},
          {"payee", or_dash(c.payee())},
          {"iban",
           c.iban().empty() ? Value::Null() : common::FormatIban(c.iban())}};
}

template <typename Request, typename Response>
int Call(const GlobalOptions& opts,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                      Response*),
         const Request& request, Response* response) {
  return CallUnary<CycleService>(opts, method, request, response);
}

Record LicenceRecord(const kvo::v1::Licence& l) {
  return {{"licence", Value::Int(l.id())},
          {"kind", Value::Label(l.kind())},
          {"number", l.number()},
          {"holder", l.holder()},
          {"valid_from", Value::Day(l.valid_from())},
          {"valid_until", Value::Day(l.valid_until())},
          {"in_force", Value::Bool(l.in_force())}};
}

Record ParticipantRecord(const kvo::v1::Participant& p) {
  return {
      {"shop", Value::Int(p.shop_id())},
      {"name", p.shop_name()},
      {"agreement_signed", Value::Day(p.agreement_signed_on())},
      {"protocol_declaration", p.declaration_signed_on().empty()
                                   ? Value::Label("not_signed")
                                   : Value::Day(p.declaration_signed_on())}};
}

void PrintIntent(const kvo::v1::Intent& intent, const OutputStyle& style) {
  std::vector<std::string> missing;
  for (const auto& p : intent.missing_parties())
    missing.push_back(style.json ? p : LabelText(p, style.lang));
  PrintRecord(
      {{"area", Value::Int(intent.area_id())},
       {"text", intent.text()},
       {"status",
        Value::Label(intent.complete() ? "signed_by_all" : "incomplete")},
       {"missing", missing.empty() ? "-" : absl::StrJoin(missing, ", ")}},
      style);
  std::vector<Record> rows;
  for (const auto& s : intent.signatures()) {
    rows.push_back({{"party", Value::Label(s.party())},
                    {"signed_by", s.signed_by()},
                    {"on", Value::Day(s.signed_on())}});
  }
  if (!rows.empty()) PrintTable(TableOf(rows), style);
}

Record CertificateRecord(const kvo::v1::Certificate& c) {
  return {{"certificate", Value::Int(c.id())},
          {"area", Value::Int(c.area_id())},
          {"kind", Value::Label(c.kind())},
          {"stars", Value::Int(c.stars())},
          {"issued", Value::Day(c.issued_on())},
          {"valid_until", Value::Day(c.valid_until())}};
}

int RunShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetAreaRequest req;
  req.set_area_id(a.area);
  kvo::v1::AreaOverview resp;
  if (int rc = Call(opts, &Stub::GetArea, req, &resp); rc != kExitOk) return rc;
  PrintRecord({{"area", Value::Int(resp.area().id())},
               {"name", resp.area().name()},
               {"kind", Value::Label(AreaKindName(resp.area().kind()))},
               {"municipality", resp.area().municipality()}},
              opts.Style());
  std::vector<Record> streets, parties, participants, licences;
  for (const auto& s : resp.streets()) {
    streets.push_back({{"street", s.name()},
                       {"contact_person", s.contact_name()},
                       {"contact", s.contact_details()}});
  }
  for (const auto& p : resp.parties()) {
    parties.push_back({{"party", Value::Label(p.kind())},
                       {"name", p.name()},
                       {"contact_person", p.contact_name()},
                       {"contact", p.contact_details()}});
  }
  for (const auto& p : resp.participants()) {
    participants.push_back(ParticipantRecord(p));
  }
  for (const auto& l : resp.licences()) licences.push_back(LicenceRecord(l));
  for (const auto* rows : {&streets, &parties, &participants, &licences}) {
    if (!rows->empty()) PrintTable(TableOf(*rows), opts.Style());
  }
  PrintRecord(ContactRecord(resp.contact()), opts.Style());
  if (resp.contact().objection_address().empty() && !opts.json) {
    std::printf(
        "Geen bezwaaradres vastgelegd: kennisgevingen worden geweigerd "
        "(kvo area contact --area %lld --objection-address ... "
        "--objection-email ...).\n",
        static_cast<long long>(resp.area().id()));
  }
  if (licences.empty() && !opts.json) {
    std::printf("Geen vergunning vastgelegd: de deurgalerij is uit.\n");
  }
  return kExitOk;
}

int RunStreet(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddStreetRequest req;
  req.set_area_id(a.area);
  req.set_name(a.name);
  req.set_contact_name(a.contact);
  req.set_contact_details(a.contact_details);
  kvo::v1::Street resp;
  if (int rc = Call(opts, &Stub::AddStreet, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"street", Value::Int(resp.id())},
               {"name", resp.name()},
               {"contact_person", resp.contact_name()}},
              opts.Style());
  return kExitOk;
}

int RunParty(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddPartyRequest req;
  req.set_area_id(a.area);
  req.set_kind(a.kind);
  req.set_name(a.name);
  req.set_contact_name(a.contact);
  req.set_contact_details(a.contact_details);
  kvo::v1::Party resp;
  if (int rc = Call(opts, &Stub::AddParty, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"party", Value::Int(resp.id())},
               {"kind", Value::Label(resp.kind())},
               {"name", resp.name()},
               {"contact_person", resp.contact_name()}},
              opts.Style());
  return kExitOk;
}

int RunParticipant(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RecordParticipantRequest req;
  req.set_area_id(a.area);
  req.set_shop_id(a.shop);
  req.set_agreement_signed_on(a.agreement_signed);
  req.set_declaration_signed_on(a.declaration_signed);
  kvo::v1::Participant resp;
  if (int rc = Call(opts, &Stub::RecordParticipant, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  PrintRecord(ParticipantRecord(resp), opts.Style());
  return kExitOk;
}

int RunLicence(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RecordLicenceRequest req;
  req.set_area_id(a.area);
  req.set_kind(a.kind);
  req.set_number(a.number);
  req.set_holder(a.holder);
  req.set_valid_from(a.valid_from);
  req.set_valid_until(a.valid_until);
  kvo::v1::Licence resp;
  if (int rc = Call(opts, &Stub::RecordLicence, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(LicenceRecord(resp), opts.Style());
  return kExitOk;
}

int RunContact(const GlobalOptions& opts, const Args& a) {
  kvo::v1::SetAreaContactRequest req;
  req.set_area_id(a.area);
  req.set_coordinator(a.coordinator);
  req.set_objection_address(a.objection_address);
  req.set_objection_email(a.objection_email);
  req.set_phone(a.phone);
  req.set_payee(a.payee);
  req.set_iban(a.iban);
  kvo::v1::AreaContact resp;
  if (int rc = Call(opts, &Stub::SetAreaContact, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ContactRecord(resp), opts.Style());
  return kExitOk;
}

int RunDue(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListDueRequest req;
  req.set_area_id(a.area);
  kvo::v1::ListDueResponse resp;
  if (int rc = Call(opts, &Stub::ListDue, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& d : resp.items()) {
    rows.push_back({{"area", Value::Int(d.area_id())},
                    {"what", Value::Label(d.what())},
                    {"on", Value::Day(d.due_on())},
                    {"days_left", Value::Int(d.days_left())},
                    {"details", d.detail()}});
  }
  if (rows.empty() && !opts.json) {
    std::printf("Niets dat binnenkort afloopt.\n");
    return kExitOk;
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunDraft(const GlobalOptions& opts, const Args& a) {
  kvo::v1::DraftIntentRequest req;
  req.set_area_id(a.area);
  req.set_text(a.text);
  kvo::v1::Intent resp;
  if (int rc = Call(opts, &Stub::DraftIntent, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintIntent(resp, opts.Style());
  return kExitOk;
}

int RunSign(const GlobalOptions& opts, const Args& a) {
  kvo::v1::SignIntentRequest req;
  req.set_area_id(a.area);
  req.set_party(a.party);
  req.set_signed_by(a.signed_by);
  req.set_signed_on(a.signed_on);
  kvo::v1::Intent resp;
  if (int rc = Call(opts, &Stub::SignIntent, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintIntent(resp, opts.Style());
  return kExitOk;
}

int RunIntentShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetIntentRequest req;
  req.set_area_id(a.area);
  kvo::v1::Intent resp;
  if (int rc = Call(opts, &Stub::GetIntent, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintIntent(resp, opts.Style());
  return kExitOk;
}

int RunAssess(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RecordAssessmentRequest req;
  req.set_area_id(a.area);
  req.set_assessed_on(a.assessed_on);
  req.set_assessor(a.assessor);
  req.set_findings(a.findings);
  req.set_passed(!a.failed);
  kvo::v1::Assessment resp;
  if (int rc = Call(opts, &Stub::RecordAssessment, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"assessment", Value::Int(resp.id())},
               {"on", Value::Day(resp.assessed_on())},
               {"assessor", resp.assessor()},
               {"result", Value::Label(resp.passed() ? "passed" : "failed")}},
              opts.Style());
  return kExitOk;
}

int RunIssue(const GlobalOptions& opts, const Args& a) {
  kvo::v1::IssueCertificateRequest req;
  req.set_area_id(a.area);
  req.set_issued_on(a.issued_on);
  kvo::v1::Certificate resp;
  if (int rc = Call(opts, &Stub::IssueCertificate, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(CertificateRecord(resp), opts.Style());
  return kExitOk;
}

int RunCertList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListCertificatesRequest req;
  req.set_area_id(a.area);
  kvo::v1::ListCertificatesResponse resp;
  if (int rc = Call(opts, &Stub::ListCertificates, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& c : resp.certificates())
    rows.push_back(CertificateRecord(c));
  if (rows.empty() && !opts.json) {
    std::printf("Nog geen certificaat.\n");
    return kExitOk;
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunFiguresImport(const GlobalOptions& opts, const Args& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return ReportError(absl::StrCat("cannot read ", a.file));
  std::stringstream text;
  text << in.rdbuf();
  kvo::v1::ImportFiguresRequest req;
  req.set_area_id(a.area);
  req.set_source(a.source);
  req.set_csv(text.str());
  kvo::v1::ImportFiguresResponse resp;
  if (int rc = Call(opts, &Stub::ImportFigures, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"imported", Value::Int(resp.imported())}}, opts.Style());
  return kExitOk;
}

int RunFiguresList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListFiguresRequest req;
  req.set_area_id(a.area);
  kvo::v1::ListFiguresResponse resp;
  if (int rc = Call(opts, &Stub::ListFigures, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& f : resp.figures()) {
    rows.push_back({{"source", Value::Label(f.source())},
                    {"period", f.period()},
                    {"category", f.category()},
                    {"count", Value::Int(f.count())}});
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

Record ActivityRecord(const kvo::v1::Activity& x) {
  return {{"activity", Value::Int(x.id())},
          {"objective", Value::Int(x.objective_id())},
          {"description", x.description()},
          {"owner", x.owner()},
          {"deadline", Value::Day(x.deadline())},
          {"status", Value::Label(x.status(), "activity")},
          {"overdue", Value::Bool(x.overdue())}};
}

// "+5", "-7,5": a target change for a Dutch reader.
std::string Signed(double change) {
  return absl::StrCat(change > 0 ? "+" : "",
                      common::DutchShortDecimal(change, 2));
}

// "survey.feel_safe +5 pp", "police.shoplifting -7,5 %", or "niet meetbaar"
// ("not measurable") for an objective the reduction report cannot judge.
std::string MetricText(const kvo::v1::Objective& o, Lang lang) {
  if (o.metric().empty()) {
    return lang == Lang::kEn ? "not measurable" : "niet meetbaar";
  }
  const bool points =
      o.metric().rfind("survey.", 0) == 0 && o.metric() != "survey.respondents";
  return absl::StrCat(o.metric(), " ", Signed(o.target_change()),
                      points ? " pp" : " %");
}

Record ObjectiveRecord(const kvo::v1::Objective& o, Lang lang) {
  return {{"objective", Value::Int(o.id())},
          {"description", o.description()},
          {"target", o.target()},
          {"measure", Value::Label(o.measure())},
          {"report_metric", MetricText(o, lang)}};
}

int RunObjective(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddObjectiveRequest req;
  req.set_area_id(a.area);
  req.set_description(a.description);
  req.set_target(a.target);
  req.set_measure(a.measure);
  req.set_metric(a.metric);
  req.set_target_change(a.target_change);
  kvo::v1::Objective resp;
  if (int rc = Call(opts, &Stub::AddObjective, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ObjectiveRecord(resp, opts.Style().lang), opts.Style());
  return kExitOk;
}

int RunActivity(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddActivityRequest req;
  req.set_area_id(a.area);
  req.set_objective_id(a.objective);
  req.set_description(a.description);
  req.set_owner(a.owner);
  req.set_deadline(a.deadline);
  req.set_status(a.status);
  kvo::v1::Activity resp;
  if (int rc = Call(opts, &Stub::AddActivity, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ActivityRecord(resp), opts.Style());
  return kExitOk;
}

int RunActivityStatus(const GlobalOptions& opts, const Args& a) {
  kvo::v1::SetActivityStatusRequest req;
  req.set_area_id(a.area);
  req.set_activity_id(a.activity);
  req.set_status(a.status);
  kvo::v1::Activity resp;
  if (int rc = Call(opts, &Stub::SetActivityStatus, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  PrintRecord(ActivityRecord(resp), opts.Style());
  return kExitOk;
}

std::string ChangeText(const kvo::v1::PlanChange& c, Lang lang) {
  const bool en = lang == Lang::kEn;
  if (c.kind() == "target") {
    return absl::StrCat(en ? "objective " : "doel ", c.objective_id(), ": ",
                        Signed(c.old_target()), " -> ", Signed(c.new_target()));
  }
  if (c.kind() == "drop_objective") {
    return absl::StrCat(en ? "objective " : "doel ", c.objective_id(),
                        en ? " dropped" : " vervalt");
  }
  return absl::StrCat(en ? "activity " : "activiteit ", c.activity_id(),
                      en ? " cancelled" : " geannuleerd");
}

Record AdjustmentRecord(const kvo::v1::PlanAdjustment& x, Lang lang) {
  std::vector<std::string> changes;
  for (const auto& c : x.changes()) changes.push_back(ChangeText(c, lang));
  return {{"adjustment", Value::Int(x.id())},
          {"version", Value::Int(x.plan_version())},
          {"date", Value::Day(x.adjusted_on())},
          {"after", x.evaluation_label()},
          {"reason", x.reason()},
          {"changes", absl::StrJoin(changes, "; ")}};
}

int RunPlan(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetPlanRequest req;
  req.set_area_id(a.area);
  req.set_only_overdue(a.overdue);
  kvo::v1::Plan resp;
  if (int rc = Call(opts, &Stub::GetPlan, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> objectives, activities;
  for (const auto& o : resp.objectives()) {
    objectives.push_back(ObjectiveRecord(o, opts.Style().lang));
  }
  for (const auto& x : resp.activities()) {
    activities.push_back(ActivityRecord(x));
  }
  if (!a.overdue && !objectives.empty()) {
    PrintTable(TableOf(objectives), opts.Style());
  }
  if (activities.empty() && !opts.json) {
    std::printf(a.overdue ? "Geen activiteiten te laat.\n"
                          : "Nog geen activiteiten.\n");
    return kExitOk;
  }
  PrintTable(TableOf(activities), opts.Style());
  if (!a.overdue && resp.adjustments_size() > 0) {
    std::vector<Record> adjustments;
    for (const auto& x : resp.adjustments()) {
      adjustments.push_back(AdjustmentRecord(x, opts.Style().lang));
    }
    if (!opts.json) {
      std::printf("\nBijstellingen (plan van aanpak versie %d)\n",
                  resp.version());
    }
    PrintTable(TableOf(adjustments), opts.Style());
  }
  return kExitOk;
}

int RunAdjust(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AdjustPlanRequest req;
  req.set_area_id(a.area);
  req.set_adjusted_on(a.on);
  req.set_reason(a.reason);
  for (const std::string& t : a.targets) {
    const size_t eq = t.find('=');
    int64_t id = 0;
    double change = 0;
    if (eq == std::string::npos ||
        !absl::SimpleAtoi(absl::string_view(t).substr(0, eq), &id) ||
        !absl::SimpleAtod(
            absl::StrReplaceAll(absl::string_view(t).substr(eq + 1),
                                {{",", "."}}),
            &change)) {
      return ReportError(absl::StrCat(
          "--target: expected DOEL=WIJZIGING (for example 3=-7,5), got '", t,
          "'"));
    }
    auto* target = req.add_targets();
    target->set_objective_id(id);
    target->set_target_change(change);
  }
  for (int64_t id : a.drop_objectives) req.add_drop_objectives(id);
  for (int64_t id : a.cancel_activities) req.add_cancel_activities(id);
  kvo::v1::PlanAdjustment resp;
  if (int rc = Call(opts, &Stub::AdjustPlan, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(AdjustmentRecord(resp, opts.Style().lang), opts.Style());
  return kExitOk;
}

int RunStatus(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetCycleStatusRequest req;
  req.set_area_id(a.area);
  kvo::v1::CycleStatus resp;
  if (int rc = Call(opts, &Stub::GetCycleStatus, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& s : resp.steps()) {
    rows.push_back(
        {{"step", Value::Int(s.number())},
         {"name", s.name()},
         {"status", Value::Label(s.state(), "step")},
         {"missing",
          s.missing().empty() ? "-" : absl::StrJoin(s.missing(), "; ")}});
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

}  // namespace

void AddCycleCommands(CLI::App* app, const GlobalOptions* opts,
                      std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  const auto area_option = [&](CLI::App* sub) {
    sub->add_option("--area", a->area, "area id")
        ->required()
        ->check(PositiveInteger());
  };
  const auto contact = [&](CLI::App* sub) {
    sub->add_option("--contact", a->contact, "contact person's name")
        ->required();
    sub->add_option("--contact-details", a->contact_details,
                    "contact person's phone or e-mail");
  };
  CLI::App* area = app->get_subcommand("area");
  auto* show = area->add_subcommand(
      "show", absl::StrCat("the area with its streets, parties, participants "
                           "and licences (audited)",
                           kReaders));
  area_option(show);
  OnSelected(show, action, opts, a, RunShow);
  auto* street = area->add_subcommand(
      "street", absl::StrCat("add a street and its contact person", kRunners));
  area_option(street);
  street->add_option("--name", a->name, "street name")->required();
  contact(street);
  OnSelected(street, action, opts, a, RunStreet);
  auto* party = area->add_subcommand(
      "party", absl::StrCat("add a party and its contact person", kRunners));
  area_option(party);
  party->add_option("--kind", a->kind, common::kPartyKindList)->required();
  party->add_option("--name", a->name, "the party's name")->required();
  contact(party);
  OnSelected(party, action, opts, a, RunParty);
  auto* participant = area->add_subcommand(
      "participant",
      absl::StrCat("record a shop's participation agreement and its "
                   "declaration to follow the model protocol (without it "
                   "its shopkeepers get no door gallery)",
                   kRunners));
  area_option(participant);
  participant->add_option("--shop", a->shop, "shop id")
      ->required()
      ->check(PositiveInteger());
  participant
      ->add_option("--agreement-signed", a->agreement_signed,
                   "day the participation agreement was signed, YYYY-MM-DD")
      ->required();
  participant->add_option(
      "--declaration-signed", a->declaration_signed,
      "day the model-protocol declaration was signed, YYYY-MM-DD");
  OnSelected(participant, action, opts, a, RunParticipant);
  auto* licence = area->add_subcommand(
      "licence",
      absl::StrCat("record the licence under which the area shares criminal "
                   "data (licence first: no door gallery without one in "
                   "force)",
                   kRunners));
  area_option(licence);
  licence->add_option("--kind", a->kind, "ap or ccv_bulk")->required();
  licence->add_option("--number", a->number, "licence number")->required();
  licence->add_option("--holder", a->holder, "licence holder")->required();
  licence->add_option("--valid-from", a->valid_from, "first day, YYYY-MM-DD")
      ->required();
  licence->add_option("--valid-until", a->valid_until, "last day, YYYY-MM-DD")
      ->required();
  OnSelected(licence, action, opts, a, RunLicence);
  auto* contact_cmd = area->add_subcommand(
      "contact",
      absl::StrCat("record the area's letterhead: where objections go, who "
                   "signs letters, and the account nuisance donations are "
                   "paid to (notices need --objection-address and "
                   "--objection-email; donation letters --payee and --iban "
                   "too); options not given keep what was recorded",
                   kRunners));
  area_option(contact_cmd);
  contact_cmd->add_option("--objection-address", a->objection_address,
                          "postal address for objections and post, one line "
                          "(\"Postbus 12, 7200 AA Zutphen\")");
  contact_cmd->add_option("--objection-email", a->objection_email,
                          "e-mail address for objections and questions");
  contact_cmd->add_option("--coordinator", a->coordinator,
                          "who signs the letters (name and office)");
  contact_cmd->add_option("--phone", a->phone, "phone number for questions");
  contact_cmd->add_option("--payee", a->payee,
                          "account holder nuisance donations are paid to");
  contact_cmd->add_option("--iban", a->iban,
                          "IBAN nuisance donations are paid to (check "
                          "digits are checked)");
  OnSelected(contact_cmd, action, opts, a, RunContact);
  auto* due = area->add_subcommand(
      "due", absl::StrCat("licences and certificates that end soon, soonest "
                          "first",
                          kRunners));
  due->add_option("--area", a->area, "only this area (default: all yours)");
  OnSelected(due, action, opts, a, RunDue);

  auto* intent = app->add_subcommand(
      "intent", "the area's declaration of intent (intentieverklaring)");
  intent->require_subcommand(1);
  auto* draft = intent->add_subcommand(
      "draft", absl::StrCat("write (or rewrite) its text", kRunners));
  area_option(draft);
  draft->add_option("--text", a->text, "the declaration's text")->required();
  OnSelected(draft, action, opts, a, RunDraft);
  auto* sign = intent->add_subcommand(
      "sign", absl::StrCat("record a party's signature", kRunners));
  area_option(sign);
  sign->add_option("--party", a->party,
                   "a required party (policy cycle.intent_parties)")
      ->required();
  sign->add_option("--signed-by", a->signed_by, "signatory's name and office")
      ->required();
  sign->add_option("--signed-on", a->signed_on, "YYYY-MM-DD")->required();
  OnSelected(sign, action, opts, a, RunSign);
  auto* intent_show = intent->add_subcommand(
      "show", absl::StrCat("text, signatures and who is missing", kReaders));
  area_option(intent_show);
  OnSelected(intent_show, action, opts, a, RunIntentShow);

  auto* cert = app->add_subcommand(
      "cert", "assessments and certificates (Basis, then Continu Samenwerken)");
  cert->require_subcommand(1);
  auto* assess = cert->add_subcommand(
      "assess", absl::StrCat("record an independent assessment", kRunners));
  area_option(assess);
  assess->add_option("--assessed-on", a->assessed_on, "YYYY-MM-DD")->required();
  assess->add_option("--assessor", a->assessor, "the assessor")->required();
  assess->add_option("--findings", a->findings, "the assessor's findings");
  assess->add_flag("--failed", a->failed, "the area did not pass");
  OnSelected(assess, action, opts, a, RunAssess);
  auto* issue = cert->add_subcommand(
      "issue", absl::StrCat("the next certificate on the latest passed "
                            "assessment",
                            kRunners));
  area_option(issue);
  issue->add_option("--issued-on", a->issued_on, "YYYY-MM-DD (default today)");
  OnSelected(issue, action, opts, a, RunIssue);
  auto* list = cert->add_subcommand(
      "list", absl::StrCat("the area's certificates", kReaders));
  area_option(list);
  OnSelected(list, action, opts, a, RunCertList);

  auto* figures = app->add_subcommand(
      "figures", "police and fire-brigade figures of an area");
  figures->require_subcommand(1);
  auto* import = figures->add_subcommand(
      "import",
      "import a CSV with the header period,category,count (period YYYY-MM, "
      "count >= 0); a file with any bad line imports nothing (police and "
      "coordinator of the area, admin)");
  import->add_option("FILE", a->file, "the CSV file")->required();
  area_option(import);
  import->add_option("--source", a->source, "police or fire_brigade")
      ->required();
  OnSelected(import, action, opts, a, RunFiguresImport);
  auto* figures_list = figures->add_subcommand(
      "list", "the area's figures (police and coordinator of the area, admin)");
  area_option(figures_list);
  OnSelected(figures_list, action, opts, a, RunFiguresList);

  auto* plan = app->add_subcommand(
      "plan", "the area's plan of action (plan van aanpak)");
  plan->require_subcommand(1);
  auto* objective = plan->add_subcommand(
      "objective",
      absl::StrCat("add an objective with a measurable target", kRunners));
  area_option(objective);
  objective
      ->add_option("--description", a->description,
                   "what (\"winkeldiefstal -10 % t.o.v. de 0-meting\")")
      ->required();
  objective->add_option("--target", a->target, "the measurable target")
      ->required();
  objective
      ->add_option("--measure", a->measure,
                   "a measure of policy cycle.measures")
      ->required();
  objective->add_option(
      "--metric", a->metric,
      "the reduction report's figure it is judged on: incidents.<type>, "
      "incidents.total, police.<category>, police.total, fire.<category>, "
      "fire.total, damage, cards.ban, "
      "survey.feel_safe, survey.victimisation, survey.reporting_rate, ... "
      "(without it: niet meetbaar)");
  objective->add_option("--target-change", a->target_change,
                        "with --metric: the change against the first period "
                        "in percent (survey shares: percentage points), e.g. "
                        "-10");
  OnSelected(objective, action, opts, a, RunObjective);
  auto* activity = plan->add_subcommand(
      "activity", absl::StrCat("add an activity to an objective", kRunners));
  area_option(activity);
  activity->add_option("--objective", a->objective, "objective id")
      ->required()
      ->check(PositiveInteger());
  activity->add_option("--description", a->description, "what is done")
      ->required();
  activity->add_option("--owner", a->owner, "who does it")->required();
  activity->add_option("--deadline", a->deadline, "YYYY-MM-DD")->required();
  activity->add_option("--status", a->status,
                       "planned (default), in_progress, done or cancelled");
  OnSelected(activity, action, opts, a, RunActivity);
  auto* activity_status = plan->add_subcommand(
      "status", absl::StrCat("set an activity's status", kRunners));
  activity_status->add_option("ACTIVITY", a->activity, "activity id")
      ->required()
      ->check(PositiveInteger());
  area_option(activity_status);
  activity_status
      ->add_option("--status", a->status,
                   "planned, in_progress, done or cancelled")
      ->required();
  OnSelected(activity_status, action, opts, a, RunActivityStatus);
  auto* plan_show = plan->add_subcommand(
      "show", absl::StrCat("objectives and activities", kReaders));
  area_option(plan_show);
  plan_show->add_flag("--overdue", a->overdue,
                      "only activities past their deadline");
  OnSelected(plan_show, action, opts, a, RunPlan);
  auto* adjust = plan->add_subcommand(
      "adjust",
      absl::StrCat("adjust the plan after an evaluation (step 7, "
                   "Bijstellen): why, and what changes; new objectives and "
                   "activities are added with plan objective and plan "
                   "activity",
                   kRunners));
  area_option(adjust);
  adjust->add_option("--on", a->on, "the day of the adjustment, YYYY-MM-DD")
      ->required();
  adjust
      ->add_option("--reason", a->reason,
                   "what the evaluation (1-meting) showed")
      ->required();
  adjust->add_option("--target", a->targets,
                     "OBJECTIVE=CHANGE: an objective's new target change, "
                     "e.g. 3=-7,5 (repeatable)");
  adjust->add_option("--drop-objective", a->drop_objectives,
                     "an objective that no longer counts (repeatable)");
  adjust->add_option("--cancel-activity", a->cancel_activities,
                     "an activity cancelled (repeatable)");
  OnSelected(adjust, action, opts, a, RunAdjust);

  auto* cycle = app->add_subcommand("cycle", "the KVO cycle of an area");
  cycle->require_subcommand(1);
  auto* status = cycle->add_subcommand(
      "status", absl::StrCat("the 8 steps: done, current, next, and what is "
                             "missing",
                             kReaders));
  area_option(status);
  OnSelected(status, action, opts, a, RunStatus);
}

}  // namespace kvo::cli
