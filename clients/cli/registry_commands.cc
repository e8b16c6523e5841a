#include "clients/cli/registry_commands.h"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/command_roles.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/dutch_labels.h"

namespace kvo::cli {
namespace {

using kvo::v1::RegistryService;
using Stub = RegistryService::Stub;

// Every option of every registry command; each command reads its own.
struct Args {
  int64_t id = 0;
  int64_t area_id = 0;
  int64_t shop_id = 0;
  int64_t person_id = 0;
  int64_t principal_id = 0;
  std::string name;
  std::string given_names, surname_prefix, surname, date_of_birth;
  std::string address, residence, place_of_birth, description;
  bool distinct = false;
  std::string offence_type;
  std::string at;
  int64_t damage_cents = 0;
  std::string report_number;
  bool individual = false;
  int32_t days = 0;
  std::string reason;
  bool all = false;
  std::string pdf_path;
  std::string language = "nl";
  bool uphold = false, reject = false;
  std::string from, to, page_token;
  int32_t limit = 0;
  // kvo incident aangifte
  std::string number, stolen, contact;
  int64_t stolen_value_cents = 0;
  std::vector<std::string> witnesses, cameras;
};

// Writes a PDF kvod made to `path`; kExitOk, or 1 when it cannot.
int WritePdf(const std::string& path, const std::string& pdf) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << pdf;
  out.close();
  if (!out) return ReportError(absl::StrCat("cannot write ", path), 1);
  return kExitOk;
}

// One unary call: connect, call, report a refusal. kExitOk when the
// response is filled.
template <typename Request, typename Response>
int Call(const GlobalOptions& opts,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                      Response*),
         const Request& request, Response* response) {
  return CallUnary<RegistryService>(opts, method, request, response);
}

std::string FullName(const kvo::v1::Person& p) {
  std::vector<std::string> parts;
  for (const std::string* part :
       {&p.given_names(), &p.surname_prefix(), &p.surname()}) {
    if (!part->empty()) parts.push_back(*part);
  }
  return parts.empty() ? "(hidden)" : absl::StrJoin(parts, " ");
}

Record PersonRecord(const kvo::v1::Person& p) {
  Record r = {{"id", Value::Int(p.id())},
              {"pseudonym", p.pseudonym()},
              {"name", FullName(p)}};
  const std::pair<const char*, const std::string*> fields[] = {
      {"address", &p.address()},
      {"residence", &p.residence()},
      {"date_of_birth", &p.date_of_birth()},
      {"place_of_birth", &p.place_of_birth()},
      {"description", &p.description()}};
  for (const auto& [key, value] : fields) {
    if (!value->empty()) r.emplace_back(key, *value);
  }
  r.emplace_back("minor", Value::Bool(p.minor()));
  r.emplace_back("registered_area", Value::Id(p.registered_area_id()));
  if (p.hidden_fields_size() > 0) {
    r.emplace_back("hidden", absl::StrJoin(p.hidden_fields(), ", "));
  }
  return r;
}

Record CardRecord(const kvo::v1::Card& c) {
  return {
      {"id", Value::Int(c.id())},
      {"kind", CardKindValue(c.kind())},
      {"person", FullName(c.person())},
      {"person_id", Value::Int(c.person_id())},
      {"area", Value::Int(c.area_id())},
      {"valid_from", TimeValue(c.valid_from())},
      {"valid_until", TimeValue(c.valid_until())},
      {"days", Value::Int(c.days())},
      {"status", Value::Label(c.revoked() ? "revoked" : "issued")},
      {"rule", Value::Translated(c.rule(), common::CardRuleLabel(c.rule()))}};
}

Record ObjectionRecord(const kvo::v1::Objection& o) {
  return {
      {"id", Value::Int(o.id())},
      {"card", Value::Int(o.card_id())},
      {"filed", TimeValue(o.filed_at())},
      {"respond_by", TimeValue(o.respond_by())},
      {"decision", Value::Label(o.decision().empty() ? "open" : o.decision())},
      {"grounds", o.grounds()},
      {"reasons", o.reasons()}};
}

int RunShopCreate(const GlobalOptions& opts, const Args& a) {
  kvo::v1::CreateShopRequest req;
  req.set_area_id(a.area_id);
  req.set_name(a.name);
  kvo::v1::Shop shop;
  if (int rc = Call(opts, &Stub::CreateShop, req, &shop); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"id", Value::Int(shop.id())},
               {"area", Value::Int(shop.area_id())},
               {"name", shop.name()}},
              opts.Style());
  return kExitOk;
}

int RunShopList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListShopsRequest req;
  req.set_area_id(a.area_id);
  kvo::v1::ListShopsResponse resp;
  if (int rc = Call(opts, &Stub::ListShops, req, &resp); rc != kExitOk) {
    return rc;
  }
  Table t{{"id", "name", "members"}, {}};
  for (const auto& s : resp.shops()) {
    t.rows.push_back(
        {Value::Int(s.id()), s.name(), absl::StrJoin(s.member_ids(), ",")});
  }
  PrintTable(t, opts.Style());
  return kExitOk;
}

int RunShopAddMember(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddShopMemberRequest req;
  req.set_shop_id(a.id);
  req.set_principal_id(a.principal_id);
  kvo::v1::Shop shop;
  if (int rc = Call(opts, &Stub::AddShopMember, req, &shop); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"id", Value::Int(shop.id())},
               {"name", shop.name()},
               {"members", absl::StrJoin(shop.member_ids(), ",")}},
              opts.Style());
  return kExitOk;
}

int RunPersonFind(const GlobalOptions& opts, const Args& a) {
  kvo::v1::FindPersonRequest req;
  req.set_given_names(a.given_names);
  req.set_surname_prefix(a.surname_prefix);
  req.set_surname(a.surname);
  req.set_date_of_birth(a.date_of_birth);
  kvo::v1::FindPersonResponse resp;
  if (int rc = Call(opts, &Stub::FindPerson, req, &resp); rc != kExitOk) {
    return rc;
  }
  Table t{{"id", "pseudonym", "name", "registered_area"}, {}};
  for (const auto& p : resp.matches()) {
    t.rows.push_back({Value::Int(p.id()), p.pseudonym(), FullName(p),
                      Value::Id(p.registered_area_id())});
  }
  PrintTable(t, opts.Style());
  return kExitOk;
}

int RunPersonCreate(const GlobalOptions& opts, const Args& a) {
  kvo::v1::CreatePersonRequest req;
  req.set_area_id(a.area_id);
  req.set_given_names(a.given_names);
  req.set_surname_prefix(a.surname_prefix);
  req.set_surname(a.surname);
  req.set_date_of_birth(a.date_of_birth);
  req.set_address(a.address);
  req.set_residence(a.residence);
  req.set_place_of_birth(a.place_of_birth);
  req.set_description(a.description);
  req.set_distinct_from_matches(a.distinct);
  kvo::v1::Person p;
  if (int rc = Call(opts, &Stub::CreatePerson, req, &p); rc != kExitOk) {
    return rc;
  }
  PrintRecord(PersonRecord(p), opts.Style());
  return kExitOk;
}

int RunPersonShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetPersonRequest req;
  req.set_person_id(a.id);
  kvo::v1::Person p;
  if (int rc = Call(opts, &Stub::GetPerson, req, &p); rc != kExitOk) {
    return rc;
  }
  PrintRecord(PersonRecord(p), opts.Style());
  return kExitOk;
}

int RunIncidentRecord(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RecordIncidentRequest req;
  req.set_shop_id(a.shop_id);
  req.set_person_id(a.person_id);
  // Without --at kvod takes its own now (its clock, to the microsecond).
  if (!a.at.empty()) {
    auto parsed = ParseLocalTime(a.at);
    if (!parsed) {
      return ReportError("--at: a local time as \"YYYY-MM-DD HH:MM\"");
    }
    req.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(*parsed));
  }
  req.set_offence_type(a.offence_type);
  req.set_description(a.description);
  req.set_damage_cents(a.damage_cents);
  req.set_police_report_number(a.report_number);
  kvo::v1::Incident i;
  if (int rc = Call(opts, &Stub::RecordIncident, req, &i); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"id", Value::Int(i.id())},
               {"area", Value::Int(i.area_id())},
               {"shop", Value::Int(i.shop_id())},
               {"person_id", Value::Id(i.person_id())},
               {"occurred_at", TimeValue(i.occurred_at())},
               {"offence_type", Value::Label(i.offence_type())},
               {"damage", Value::Money(i.damage_cents())}},
              opts.Style());
  return kExitOk;
}

int RunIncidentList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListIncidentsRequest req;
  req.set_area_id(a.area_id);
  req.set_shop_id(a.shop_id);
  req.set_person_id(a.person_id);
  req.set_from(a.from);
  req.set_to(a.to);
  req.set_limit(a.limit);
  req.set_page_token(a.page_token);
  kvo::v1::ListIncidentsResponse resp;
  if (int rc = Call(opts, &Stub::ListIncidents, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> records;
  for (const auto& i : resp.incidents()) {
    records.push_back({{"id", Value::Int(i.id())},
                       {"occurred_at", TimeValue(i.occurred_at())},
                       {"shop", Value::Int(i.shop_id())},
                       {"offence_type", Value::Label(i.offence_type())},
                       {"damage", Value::Money(i.damage_cents())},
                       {"person_id", Value::Id(i.person_id())},
                       {"description", i.description()},
                       {"report", i.police_report_number()}});
  }
  PrintTable(TableOf(records), opts.Style());
  if (!resp.next_page_token().empty()) {
    // On stderr, so that the table (or JSON) on stdout stays one document.
    std::cerr << "more: --page-token " << resp.next_page_token() << "\n";
  }
  return kExitOk;
}

// Records the report number (--number), then writes the PDF (--pdf), so
// that a PDF made with both carries the number.
int RunIncidentAangifte(const GlobalOptions& opts, const Args& a) {
  if (a.number.empty() && a.pdf_path.empty()) {
    return ReportError(
        "incident aangifte: give --number (record the police report number), "
        "--pdf FILE (the report to hand to the police), or both");
  }
  Record record = {{"incident", Value::Int(a.id)}};
  if (!a.number.empty()) {
    kvo::v1::RecordPoliceReportRequest req;
    req.set_incident_id(a.id);
    req.set_police_report_number(a.number);
    kvo::v1::Incident i;
    if (int rc = Call(opts, &Stub::RecordPoliceReport, req, &i);
        rc != kExitOk) {
      return rc;
    }
    record.push_back({"report", i.police_report_number()});
  }
  if (!a.pdf_path.empty()) {
    kvo::v1::GetPoliceReportPdfRequest req;
    req.set_incident_id(a.id);
    req.set_stolen_goods(a.stolen);
    req.set_stolen_value_cents(a.stolen_value_cents);
    for (const std::string& w : a.witnesses) req.add_witnesses(w);
    for (const std::string& c : a.cameras) req.add_camera_footage(c);
    req.set_shop_contact(a.contact);
    kvo::v1::PoliceReportPdf pdf;
    if (int rc = Call(opts, &Stub::GetPoliceReportPdf, req, &pdf);
        rc != kExitOk) {
      return rc;
    }
    if (int rc = WritePdf(a.pdf_path, pdf.pdf()); rc != kExitOk) return rc;
    record.push_back({"pdf", a.pdf_path});
    record.push_back({"bytes", Value::Int(pdf.pdf().size())});
  }
  PrintRecord(record, opts.Style());
  return kExitOk;
}

int RunCardIssue(const GlobalOptions& opts, const Args& a) {
  kvo::v1::IssueCardRequest req;
  req.set_incident_id(a.id);
  req.set_scope(a.individual ? kvo::v1::CARD_SCOPE_INDIVIDUAL
                             : kvo::v1::CARD_SCOPE_COLLECTIVE);
  req.set_requested_days(a.days);
  kvo::v1::Card c;
  if (int rc = Call(opts, &Stub::IssueCard, req, &c); rc != kExitOk) return rc;
  PrintRecord(CardRecord(c), opts.Style());
  return kExitOk;
}

int RunCardRevoke(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RevokeCardRequest req;
  req.set_card_id(a.id);
  req.set_reason(a.reason);
  kvo::v1::Card c;
  if (int rc = Call(opts, &Stub::RevokeCard, req, &c); rc != kExitOk) {
    return rc;
  }
  PrintRecord(CardRecord(c), opts.Style());
  return kExitOk;
}

int RunCardList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListCardsRequest req;
  req.set_area_id(a.area_id);
  req.set_include_inactive(a.all);
  req.set_person_id(a.person_id);
  kvo::v1::ListCardsResponse resp;
  if (int rc = Call(opts, &Stub::ListCards, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> records;
  for (const auto& c : resp.cards()) records.push_back(CardRecord(c));
  PrintTable(TableOf(records), opts.Style());
  return kExitOk;
}

int RunNotice(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetNoticeRequest req;
  req.set_card_id(a.id);
  req.set_language(a.language);
  kvo::v1::Notice notice;
  if (int rc = Call(opts, &Stub::GetNotice, req, &notice); rc != kExitOk) {
    return rc;
  }
  if (int rc = WritePdf(a.pdf_path, notice.pdf()); rc != kExitOk) return rc;
  PrintRecord({{"card", Value::Int(a.id)},
               {"pdf", a.pdf_path},
               {"bytes", Value::Int(notice.pdf().size())}},
              opts.Style());
  return kExitOk;
}

int RunObjectionFile(const GlobalOptions& opts, const Args& a) {
  kvo::v1::FileObjectionRequest req;
  req.set_card_id(a.id);
  req.set_grounds(a.reason);
  kvo::v1::Objection o;
  if (int rc = Call(opts, &Stub::FileObjection, req, &o); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ObjectionRecord(o), opts.Style());
  return kExitOk;
}

int RunObjectionDecide(const GlobalOptions& opts, const Args& a) {
  if (a.uphold == a.reject) {
    return ReportError(
        "objection decide: give exactly one of --uphold, --reject");
  }
  kvo::v1::DecideObjectionRequest req;
  req.set_objection_id(a.id);
  req.set_upheld(a.uphold);
  req.set_reasons(a.reason);
  kvo::v1::Objection o;
  if (int rc = Call(opts, &Stub::DecideObjection, req, &o); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ObjectionRecord(o), opts.Style());
  return kExitOk;
}

int RunObjectionList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListObjectionsRequest req;
  req.set_area_id(a.area_id);
  req.set_open_only(!a.all);
  kvo::v1::ListObjectionsResponse resp;
  if (int rc = Call(opts, &Stub::ListObjections, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> records;
  for (const auto& o : resp.objections()) records.push_back(ObjectionRecord(o));
  PrintTable(TableOf(records), opts.Style());
  return kExitOk;
}

int RunPersonErase(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ErasePersonRequest req;
  req.set_person_id(a.id);
  req.set_reason(a.reason);
  kvo::v1::ErasePersonResponse resp;
  if (int rc = Call(opts, &Stub::ErasePerson, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"person", Value::Int(resp.person_id())},
               {"pseudonym", resp.pseudonym()},
               {"cards_revoked", Value::Int(resp.cards_revoked())},
               {"status", Value::Label("erased")}},
              opts.Style());
  return kExitOk;
}

void AddPersonNameOptions(CLI::App* sub, Args* a) {
  sub->add_option("--given", a->given_names, "given names")->required();
  sub->add_option("--prefix", a->surname_prefix,
                  "surname prefix (\"van der\")");
  sub->add_option("--surname", a->surname, "surname")->required();
  sub->add_option("--born", a->date_of_birth, "date of birth, YYYY-MM-DD")
      ->required();
}

}  // namespace

void AddRegistryCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  const auto id = [&](CLI::App* sub, const char* what) {
    sub->add_option("ID", a->id, what)->required()->check(PositiveInteger());
  };
  const auto area = [&](CLI::App* sub) {
    sub->add_option("--area", a->area_id, "area id")
        ->required()
        ->check(PositiveInteger());
  };

  auto* shop = app->add_subcommand("shop", "participating shops of an area");
  shop->require_subcommand(1);
  auto* shop_create = shop->add_subcommand(
      "create", "a new shop" + WhoMay("kvo.v1.RegistryService/CreateShop"));
  area(shop_create);
  shop_create->add_option("--name", a->name, "shop name")->required();
  OnSelected(shop_create, action, opts, a, RunShopCreate);
  auto* shop_list = shop->add_subcommand(
      "list",
      "the shops of an area" + WhoMay("kvo.v1.RegistryService/ListShops"));
  area(shop_list);
  OnSelected(shop_list, action, opts, a, RunShopList);
  auto* shop_member = shop->add_subcommand(
      "add-member", "link a shopkeeper to their shop" +
                        WhoMay("kvo.v1.RegistryService/AddShopMember"));
  id(shop_member, "shop id");
  shop_member->add_option("--principal", a->principal_id, "principal id")
      ->required()
      ->check(PositiveInteger());
  OnSelected(shop_member, action, opts, a, RunShopAddMember);

  auto* person = app->add_subcommand("person", "offender records");
  person->require_subcommand(1);
  auto* find = person->add_subcommand(
      "find", "find a record by name and date of birth (blind index)" +
                  WhoMay("kvo.v1.RegistryService/FindPerson"));
  AddPersonNameOptions(find, a.get());
  OnSelected(find, action, opts, a, RunPersonFind);
  auto* create = person->add_subcommand(
      "create",
      "register a person" + WhoMay("kvo.v1.RegistryService/CreatePerson"));
  area(create);
  AddPersonNameOptions(create, a.get());
  create->add_option("--address", a->address, "address");
  create->add_option("--residence", a->residence, "place of residence");
  create->add_option("--birthplace", a->place_of_birth, "place of birth");
  create->add_option("--description", a->description, "personal description");
  create->add_flag("--distinct", a->distinct,
                   "a match exists, but this is someone else");
  OnSelected(create, action, opts, a, RunPersonCreate);
  auto* show = person->add_subcommand(
      "show", "a person's record" + WhoMay("kvo.v1.RegistryService/GetPerson"));
  id(show, "person id");
  OnSelected(show, action, opts, a, RunPersonShow);
  auto* erase = person->add_subcommand(
      "erase", "erase a person: key destroyed, cards revoked, photo deleted" +
                   WhoMay("kvo.v1.RegistryService/ErasePerson"));
  id(erase, "person id");
  erase->add_option("--reason", a->reason, "why (no personal data)")
      ->required();
  OnSelected(erase, action, opts, a, RunPersonErase);

  auto* incident = app->add_subcommand("incident", "incidents");
  incident->require_subcommand(1);
  auto* record = incident->add_subcommand(
      "record",
      "record an incident" + WhoMay("kvo.v1.RegistryService/RecordIncident"));
  record->add_option("--shop", a->shop_id, "shop id")
      ->required()
      ->check(PositiveInteger());
  record->add_option("--person", a->person_id, "person id")
      ->required()
      ->check(PositiveInteger());
  record->add_option("--type", a->offence_type, "offence type (theft, ...)")
      ->required();
  record->add_option("--at", a->at, "when, \"YYYY-MM-DD HH:MM\" (default now)");
  record->add_option("--description", a->description, "what happened")
      ->required();
  record->add_option("--damage-cents", a->damage_cents, "damage in euro cents");
  record->add_option("--report", a->report_number,
                     "police report (aangifte) number, as PL0900-2026123456");
  OnSelected(record, action, opts, a, RunIncidentRecord);
  auto* aangifte = incident->add_subcommand(
      "aangifte",
      "the police report of an incident: record its number (--number), "
      "and/or write the Dutch PDF the shop hands to the police (--pdf); "
      "the incident's own shop, the area's coordinator, police" +
          WhoMay("kvo.v1.RegistryService/RecordPoliceReport"));
  id(aangifte, "incident id");
  aangifte->add_option("--number", a->number,
                       "the police report number: PL, the unit's 4 digits, "
                       "-, the year and 6 to 8 digits (PL0900-2026123456)");
  aangifte->add_option("--pdf", a->pdf_path, "write the report PDF here");
  aangifte->add_option("--stolen", a->stolen,
                       "for the PDF: what was taken (\"2 flessen wijn\")");
  aangifte->add_option("--stolen-value-cents", a->stolen_value_cents,
                       "for the PDF: its value in euro cents");
  aangifte->add_option("--witness", a->witnesses,
                       "for the PDF: a witness and how to reach them "
                       "(repeat for more)");
  aangifte->add_option("--camera", a->cameras,
                       "for the PDF: camera footage and where it is kept "
                       "(repeat for more)");
  aangifte->add_option("--contact", a->contact,
                       "for the PDF: who at the shop the police contact "
                       "(default: the area's coordinator)");
  OnSelected(aangifte, action, opts, a, RunIncidentAangifte);
  auto* incident_list = incident->add_subcommand(
      "list",
      "an area's incidents, newest first, a page at a time (police and the "
      "area's coordinator: all of the area's; shopkeeper and security: "
      "their own shops' only); the summaries shown are audited");
  area(incident_list);
  incident_list->add_option("--shop", a->shop_id, "one shop of the area")
      ->check(PositiveInteger());
  incident_list->add_option("--person", a->person_id, "one person's")
      ->check(PositiveInteger());
  incident_list->add_option("--from", a->from,
                            "first day, YYYY-MM-DD (Europe/Amsterdam)");
  incident_list->add_option("--to", a->to, "last day, YYYY-MM-DD");
  incident_list->add_option("--limit", a->limit,
                            "incidents a page, 1 to 500 (default 50)");
  incident_list->add_option(
      "--page-token", a->page_token,
      "the next page: the token the previous page printed after \"more:\"");
  OnSelected(incident_list, action, opts, a, RunIncidentList);

  auto* card = app->add_subcommand("card", "warnings and bans");
  card->require_subcommand(1);
  auto* issue = card->add_subcommand(
      "issue", "issue the card the rules decide for an incident" +
                   WhoMay("kvo.v1.RegistryService/IssueCard"));
  id(issue, "incident id");
  issue->add_flag("--individual", a->individual,
                  "an individual ban for the incident's shop only");
  issue->add_option("--days", a->days,
                    "a duration within what the rule allows");
  OnSelected(issue, action, opts, a, RunCardIssue);
  auto* revoke = card->add_subcommand(
      "revoke", "revoke a card" + WhoMay("kvo.v1.RegistryService/RevokeCard"));
  id(revoke, "card id");
  revoke->add_option("--reason", a->reason, "why")->required();
  OnSelected(revoke, action, opts, a, RunCardRevoke);
  auto* list = card->add_subcommand(
      "list", "cards of an area" + WhoMay("kvo.v1.RegistryService/ListCards"));
  area(list);
  list->add_flag("--all", a->all, "expired and revoked cards too");
  list->add_option("--person", a->person_id, "one person's cards");
  OnSelected(list, action, opts, a, RunCardList);

  auto* notice =
      app->add_subcommand("notice",
                          "the written notice of a card, as PDF (the area "
                          "needs its letterhead first: kvo area contact)" +
                              WhoMay("kvo.v1.RegistryService/GetNotice"));
  id(notice, "card id");
  notice->add_option("--pdf", a->pdf_path, "where to write the PDF")
      ->required();
  notice->add_option("--language", a->language, "nl (default) or en");
  OnSelected(notice, action, opts, a, RunNotice);

  auto* objection = app->add_subcommand("objection", "objections to cards");
  objection->require_subcommand(1);
  auto* file = objection->add_subcommand(
      "file", "file an objection on the person's behalf" +
                  WhoMay("kvo.v1.RegistryService/FileObjection"));
  id(file, "card id");
  file->add_option("--grounds", a->reason, "the person's grounds")->required();
  OnSelected(file, action, opts, a, RunObjectionFile);
  auto* decide = objection->add_subcommand(
      "decide",
      "decide an objection" + WhoMay("kvo.v1.RegistryService/DecideObjection"));
  id(decide, "objection id");
  decide->add_flag("--uphold", a->uphold, "uphold: the card is revoked");
  decide->add_flag("--reject", a->reject, "reject: the card stays");
  decide->add_option("--reasons", a->reason, "the reasons")->required();
  OnSelected(decide, action, opts, a, RunObjectionDecide);
  auto* olist = objection->add_subcommand(
      "list", "objections of an area" +
                  WhoMay("kvo.v1.RegistryService/ListObjections"));
  area(olist);
  olist->add_flag("--all", a->all, "decided ones too");
  OnSelected(olist, action, opts, a, RunObjectionList);
}

}  // namespace kvo::cli
