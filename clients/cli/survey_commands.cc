#include "clients/cli/survey_commands.h"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "clients/cli/formatting.h"
#include "clients/cli/output.h"
#include "kvo/v1/cycle.grpc.pb.h"

namespace kvo::cli {
namespace {

using kvo::v1::CycleService;
using Stub = CycleService::Stub;

struct Args {
  int64_t area = 0, measurement = 0, shop = 0, round = 0, finding = 0;
  std::string label, from, to, file;
  std::vector<std::string> answers;
  std::string kind, walked_on, notes, street, category, severity, description,
      follow_up, status;
  std::string photo, out;
  bool open = false;
};

// gRPC's message limit of kvod (4 MiB) less room for the other fields.
constexpr size_t kMaxPhotoBytes = 4 * 1024 * 1024 - 64 * 1024;

template <typename Request, typename Response>
int Call(const GlobalOptions& opts,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                      Response*),
         const Request& request, Response* response) {
  return CallUnary<CycleService>(opts, method, request, response);
}

const std::map<std::string, std::string>& ThemeTitles() {
  static const auto* titles = new std::map<std::string, std::string>{
      {"slachtofferschap", "Slachtofferschap"},
      {"overlast", "Overlast"},
      {"veiligheidsgevoel", "Veiligheidsgevoel"},
      {"brandrisico", "Brandrisico"},
      {"samenwerking", "Samenwerking"},
      {"aangifte", "Aangifte bij de politie"}};
  return *titles;
}

// "ja | nee | weet_niet (weet niet)": what to type, and what it means when
// that differs.
std::string Options(const kvo::v1::Questionnaire& q, const std::string& id) {
  for (const auto& scale : q.scales()) {
    if (scale.id() != id) continue;
    std::vector<std::string> out;
    for (const auto& o : scale.options()) {
      out.push_back(o.code() == o.label_nl()
                        ? o.code()
                        : absl::StrCat(o.code(), " (", o.label_nl(), ")"));
    }
    return absl::StrJoin(out, " | ");
  }
  return id;
}

int RunShow(const GlobalOptions& opts, const Args&) {
  kvo::v1::Questionnaire q;
  if (int rc = Call(opts, &Stub::GetQuestionnaire,
                    kvo::v1::GetQuestionnaireRequest(), &q);
      rc != kExitOk) {
    return rc;
  }
  if (opts.json) {
    std::vector<Record> rows;
    for (const auto& question : q.questions()) {
      rows.push_back({{"question", question.id()},
                      {"theme", question.theme()},
                      {"text", question.text_nl()},
                      {"answers", Options(q, question.scale())}});
    }
    PrintTable(TableOf(rows), opts.Style());
    return kExitOk;
  }
  std::cout << q.title_nl() << " (versie " << q.version() << ", "
            << q.questions_size() << " vragen)\n";
  std::string theme;
  for (const auto& question : q.questions()) {
    if (question.theme() != theme) {
      theme = question.theme();
      auto it = ThemeTitles().find(theme);
      std::cout << "\n"
                << (it == ThemeTitles().end() ? theme : it->second) << "\n";
    }
    std::cout << "  " << question.id() << "  " << question.text_nl() << "\n"
              << "       " << Options(q, question.scale()) << "\n";
  }
  std::cout << "\nAntwoorden geeft u op als VRAAG=ANTWOORD, bijvoorbeeld "
               "v01=ja (kvo survey answer --answer of --file).\n";
  return kExitOk;
}

int RunMeasure(const GlobalOptions& opts, const Args& a) {
  kvo::v1::CreateMeasurementRequest req;
  req.set_area_id(a.area);
  req.set_label(a.label);
  req.set_period_from(a.from);
  req.set_period_to(a.to);
  kvo::v1::Measurement m;
  if (int rc = Call(opts, &Stub::CreateMeasurement, req, &m); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"measurement", Value::Int(m.id())},
               {"name", m.label()},
               {"from", Value::Day(m.period_from())},
               {"to", Value::Day(m.period_to())},
               {"questionnaire", m.questionnaire_version()}},
              opts.Style());
  return kExitOk;
}

int RunAnswer(const GlobalOptions& opts, const Args& a) {
  std::vector<std::pair<std::string, std::string>> answers;
  if (!a.file.empty()) {
    std::ifstream in(a.file, std::ios::binary);
    if (!in) return ReportError(absl::StrCat("--file: cannot read ", a.file));
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParseAnswerLines(text.str(), "--file");
    if (!parsed.ok())
      return ReportError(std::string(parsed.status().message()));
    answers = std::move(*parsed);
  }
  auto given = ParseAnswerLines(absl::StrJoin(a.answers, "\n"), "--answer");
  if (!given.ok()) return ReportError(std::string(given.status().message()));
  answers.insert(answers.end(), given->begin(), given->end());
  if (answers.empty()) {
    return ReportError(
        "give the answers with --answer VRAAG=ANTWOORD or --file");
  }
  kvo::v1::AnswerSurveyRequest req;
  req.set_area_id(a.area);
  req.set_measurement_id(a.measurement);
  req.set_shop_id(a.shop);
  for (const auto& [question, answer] : answers) {
    auto* x = req.add_answers();
    x->set_question_id(question);
    x->set_answer(answer);
  }
  kvo::v1::SurveyReceipt receipt;
  if (int rc = Call(opts, &Stub::AnswerSurvey, req, &receipt); rc != kExitOk) {
    return rc;
  }
  PrintRecord(
      {{"measurement", Value::Int(receipt.measurement_id())},
       {"shop", Value::Int(receipt.shop_id())},
       {"answered", Value::Int(receipt.answered())},
       {"status", Value::Label(receipt.replaced() ? "replaced" : "saved")}},
      opts.Style());
  return kExitOk;
}

int RunStatus(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetSurveyStatusRequest req;
  req.set_area_id(a.area);
  kvo::v1::SurveyStatus resp;
  if (int rc = Call(opts, &Stub::GetSurveyStatus, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& s : resp.measurements()) {
    const auto& m = s.measurement();
    rows.push_back({{"measurement", Value::Int(m.id())},
                    {"name", m.label()},
                    {"from", Value::Day(m.period_from())},
                    {"to", Value::Day(m.period_to())},
                    {"responses", Value::Int(s.responses())},
                    {"participants", Value::Int(s.participants())},
                    {"response_rate", Value::Percent(s.completion_pct())},
                    {"feel_safe", Value::Int(s.feel_safe())},
                    {"victimised", Value::Int(s.victimised())},
                    {"reported", Value::Int(s.reported())}});
  }
  if (rows.empty() && !opts.json) {
    std::cout << "Nog geen metingen voor dit gebied (kvo survey measure).\n";
    return kExitOk;
  }
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

Record FindingRecord(const kvo::v1::Finding& f) {
  return {{"finding", Value::Int(f.id())},
          {"round", Value::Int(f.round_id())},
          {"street", f.street()},
          {"category", Value::Label(f.category(), "schouw")},
          {"severity", Value::Label(f.severity(), "severity")},
          {"description", f.description()},
          {"status", Value::Label(f.status(), "finding")},
          {"follow_up", f.follow_up().empty() ? Value::Null() : f.follow_up()},
          {"photo", Value::Bool(f.has_photo())},
          {"photo_deleted", Value::Day(f.photo_deleted_on())}};
}

int RunRound(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RecordSchouwRoundRequest req;
  req.set_area_id(a.area);
  req.set_kind(a.kind);
  req.set_walked_on(a.walked_on);
  req.set_notes(a.notes);
  kvo::v1::SchouwRound r;
  if (int rc = Call(opts, &Stub::RecordSchouwRound, req, &r); rc != kExitOk) {
    return rc;
  }
  PrintRecord({{"round", Value::Int(r.id())},
               {"kind", Value::Label(r.kind())},
               {"walked_on", Value::Day(r.walked_on())}},
              opts.Style());
  return kExitOk;
}

int RunFinding(const GlobalOptions& opts, const Args& a) {
  kvo::v1::AddFindingRequest req;
  req.set_area_id(a.area);
  req.set_round_id(a.round);
  req.set_street(a.street);
  req.set_category(a.category);
  req.set_severity(a.severity);
  req.set_description(a.description);
  req.set_follow_up(a.follow_up);
  if (!a.photo.empty()) {
    std::ifstream in(a.photo, std::ios::binary);
    if (!in) return ReportError(absl::StrCat("--photo: cannot read ", a.photo));
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    if (bytes.empty() || bytes.size() > kMaxPhotoBytes) {
      return ReportError(absl::StrCat("--photo: ", a.photo, " is ",
                                      bytes.empty() ? "empty" : "too large",
                                      " (a JPEG, PNG, WebP or HEIF of at most ",
                                      kMaxPhotoBytes / (1024 * 1024), " MB)"));
    }
    req.set_photo(std::move(bytes));
  }
  kvo::v1::Finding f;
  if (int rc = Call(opts, &Stub::AddFinding, req, &f); rc != kExitOk) {
    return rc;
  }
  PrintRecord(FindingRecord(f), opts.Style());
  return kExitOk;
}

// Why `kvo schouw photo` found no photo when retention deleted it, for a
// person: "de foto van bevinding 4 is op 30 mei 2027 verwijderd ...".
// nullopt when it did not (or the finding cannot be read).
std::optional<std::string> DeletedPhotoReason(Stub& stub,
                                              const Connection& connection,
                                              int64_t area, int64_t finding) {
  kvo::v1::ListFindingsRequest req;
  req.set_area_id(area);
  kvo::v1::ListFindingsResponse resp;
  auto ctx = connection.Context();
  if (!stub.ListFindings(ctx.get(), req, &resp).ok()) return std::nullopt;
  for (const auto& f : resp.findings()) {
    if (f.id() != finding || f.photo_deleted_on().empty()) continue;
    return absl::StrCat("de foto van bevinding ", finding, " is op ",
                        FormatDutchDay(f.photo_deleted_on()),
                        " verwijderd: de bewaartermijn na het oplossen van de "
                        "bevinding was verstreken");
  }
  return std::nullopt;
}

int RunPhoto(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetFindingPhotoRequest req;
  req.set_area_id(a.area);
  req.set_finding_id(a.finding);
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto stub = CycleService::NewStub(connection.channel);
  kvo::v1::FindingPhoto photo;
  auto ctx = connection.Context();
  const grpc::Status status = stub->GetFindingPhoto(ctx.get(), req, &photo);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    if (auto reason =
            DeletedPhotoReason(*stub, connection, a.area, a.finding)) {
      return ReportError(*reason, kExitFailed);
    }
  }
  if (!status.ok()) return ReportRpcError(status);
  if (int rc = WriteFile(a.out, photo.jpeg()); rc != kExitOk) return rc;
  PrintRecord({{"finding", Value::Int(photo.finding_id())},
               {"photo", a.out},
               {"size", absl::StrCat(photo.width(), "x", photo.height(),
                                     " JPEG, zonder metadata")}},
              opts.Style());
  return kExitOk;
}

int RunResolve(const GlobalOptions& opts, const Args& a) {
  kvo::v1::SetFindingStatusRequest req;
  req.set_area_id(a.area);
  req.set_finding_id(a.finding);
  req.set_status(a.status);
  req.set_follow_up(a.follow_up);
  kvo::v1::Finding f;
  if (int rc = Call(opts, &Stub::SetFindingStatus, req, &f); rc != kExitOk) {
    return rc;
  }
  PrintRecord(FindingRecord(f), opts.Style());
  return kExitOk;
}

int RunFindings(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListFindingsRequest req;
  req.set_area_id(a.area);
  req.set_only_open(a.open);
  kvo::v1::ListFindingsResponse resp;
  if (int rc = Call(opts, &Stub::ListFindings, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rounds, findings;
  for (const auto& r : resp.rounds()) {
    rounds.push_back(
        {{"round", Value::Int(r.id())},
         {"kind", Value::Label(r.kind())},
         {"walked_on", Value::Day(r.walked_on())},
         {"notes", r.notes().empty() ? Value::Null() : r.notes()}});
  }
  for (const auto& f : resp.findings()) findings.push_back(FindingRecord(f));
  if (rounds.empty() && !opts.json) {
    std::cout << "Nog geen schouwrondes voor dit gebied (kvo schouw round).\n";
    return kExitOk;
  }
  PrintTable(TableOf(rounds), opts.Style());
  if (!findings.empty()) {
    if (!opts.json) std::cout << "\n";
    PrintTable(TableOf(findings), opts.Style());
  }
  return kExitOk;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ParseAnswerLines(const std::string& text, const std::string& flag) {
  std::vector<std::pair<std::string, std::string>> out;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    const absl::string_view question =
        absl::StripAsciiWhitespace(line.substr(0, eq));
    const absl::string_view answer =
        eq == absl::string_view::npos
            ? absl::string_view()
            : absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (question.empty() || answer.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, flag == "--file" ? absl::StrCat(" line ", number) : "",
          ": expected VRAAG=ANTWOORD (for example v01=ja), got '",
          line.substr(0, 60), "'"));
    }
    out.emplace_back(std::string(question), std::string(answer));
  }
  return out;
}

void AddSurveyCommands(CLI::App* app, const GlobalOptions* opts,
                       std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  const auto area_option = [&](CLI::App* sub) {
    sub->add_option("--area", a->area, "area id")
        ->required()
        ->check(PositiveInteger());
  };
  auto* survey = app->add_subcommand(
      "survey",
      "the safety analysis's survey of the area's businesses "
      "(ondernemersenquête)");
  survey->require_subcommand(1);
  auto* show = survey->add_subcommand(
      "show",
      "print the questionnaire in Dutch with the answers to type "
      "(shopkeeper and coordinator, admin)");
  OnSelected(show, action, opts, a, RunShow);
  auto* measure = survey->add_subcommand(
      "measure",
      "start a measurement (0-meting, 1-meting, ...) of the area "
      "(coordinator of the area, admin)");
  area_option(measure);
  measure->add_option("--label", a->label, "its name, e.g. 0-meting")
      ->required();
  measure->add_option("--from", a->from, "first day asked about, YYYY-MM-DD")
      ->required();
  measure->add_option("--to", a->to, "last day asked about, YYYY-MM-DD")
      ->required();
  OnSelected(measure, action, opts, a, RunMeasure);
  auto* answer = survey->add_subcommand(
      "answer",
      "enter a shop's anonymous answers to a measurement; answering again "
      "replaces the shop's earlier answers (shopkeeper for their own shop, "
      "coordinator of the area, admin)");
  area_option(answer);
  answer->add_option("--measurement", a->measurement, "measurement id")
      ->required()
      ->check(PositiveInteger());
  answer->add_option("--shop", a->shop, "shop id")
      ->required()
      ->check(PositiveInteger());
  answer->add_option("--answer", a->answers,
                     "VRAAG=ANTWOORD, e.g. v01=ja (repeatable)");
  answer->add_option("--file", a->file,
                     "a file of VRAAG=ANTWOORD lines (# starts a comment)");
  OnSelected(answer, action, opts, a, RunAnswer);
  auto* status = survey->add_subcommand(
      "status",
      "per measurement: responses, participants and completion "
      "rate (coordinator of the area, admin)");
  area_option(status);
  OnSelected(status, action, opts, a, RunStatus);

  auto* schouw = app->add_subcommand(
      "schouw",
      "the schouw (inspection walk) of an area: rounds, findings "
      "and their follow-up");
  schouw->require_subcommand(1);
  auto* round = schouw->add_subcommand(
      "round",
      "record a round in daylight or in the dark (coordinator of the "
      "area, admin)");
  area_option(round);
  round->add_option("--kind", a->kind, "daylight or dark")->required();
  round->add_option("--walked-on", a->walked_on, "YYYY-MM-DD")->required();
  round->add_option("--notes", a->notes, "who walked, the weather, ...");
  OnSelected(round, action, opts, a, RunRound);
  auto* finding = schouw->add_subcommand(
      "finding",
      "record what a round found on a street of the area "
      "(coordinator of the area, admin)");
  area_option(finding);
  finding->add_option("--round", a->round, "round id")
      ->required()
      ->check(PositiveInteger());
  finding->add_option("--street", a->street, "a street of the area, by name")
      ->required();
  finding
      ->add_option("--category", a->category,
                   "one of policy cycle.schouw_categories (lighting, "
                   "cleanliness, vacancy, ...)")
      ->required();
  finding->add_option("--severity", a->severity, "low, medium or high")
      ->required();
  finding->add_option("--description", a->description, "what was found")
      ->required();
  finding->add_option("--follow-up", a->follow_up, "what is done about it");
  finding->add_option(
      "--photo", a->photo,
      "a photo of it (JPEG, PNG, WebP or HEIF); kept re-encoded without its "
      "metadata (EXIF, GPS) and encrypted");
  OnSelected(finding, action, opts, a, RunFinding);
  auto* photo = schouw->add_subcommand(
      "photo",
      "write a finding's photo to a file (coordinator of the area, admin); "
      "it is deleted policy retention.schouw_photo_days after the finding "
      "is resolved");
  area_option(photo);
  photo->add_option("--finding", a->finding, "finding id")
      ->required()
      ->check(PositiveInteger());
  photo->add_option("--out", a->out, "JPEG file to write")->required();
  OnSelected(photo, action, opts, a, RunPhoto);
  auto* list = schouw->add_subcommand(
      "list",
      "the area's rounds and findings (shopkeeper, security, police "
      "and coordinator of the area, admin)");
  area_option(list);
  list->add_flag("--open", a->open, "only findings not resolved");
  OnSelected(list, action, opts, a, RunFindings);
  auto* resolve = schouw->add_subcommand(
      "resolve",
      "set a finding's status and follow-up (coordinator of the "
      "area, admin)");
  resolve->add_option("FINDING", a->finding, "finding id")
      ->required()
      ->check(PositiveInteger());
  area_option(resolve);
  a->status = "resolved";
  resolve->add_option("--status", a->status,
                      "resolved (default), in_progress or open");
  resolve->add_option("--follow-up", a->follow_up, "what was done");
  OnSelected(resolve, action, opts, a, RunResolve);
}

}  // namespace kvo::cli
