#include "clients/cli/survey_commands.h"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
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
  int64_t area = 0, measurement = 0, shop = 0;
  std::string label, from, to, file;
  std::vector<std::string> answers;
};

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
      rows.push_back({{"vraag", question.id()},
                      {"thema", question.theme()},
                      {"tekst", question.text_nl()},
                      {"antwoorden", Options(q, question.scale())}});
    }
    PrintTable(TableOf(rows), true);
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
  PrintRecord(
      {{"meting", absl::StrCat(m.id())},
       {"naam", m.label()},
       {"periode", absl::StrCat(FormatDutchDay(m.period_from()), " t/m ",
                                FormatDutchDay(m.period_to()))},
       {"vragenlijst", m.questionnaire_version()}},
      opts.json);
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
  PrintRecord({{"meting", absl::StrCat(receipt.measurement_id())},
               {"winkel", absl::StrCat(receipt.shop_id())},
               {"beantwoord", absl::StrCat(receipt.answered(), " vragen")},
               {"status", receipt.replaced() ? "eerdere antwoorden vervangen"
                                             : "opgeslagen"}},
              opts.json);
  return kExitOk;
}

std::string Pct(double pct) {
  return absl::StrCat(
      absl::StrReplaceAll(absl::StrFormat("%.1f", pct), {{".", ","}}), " %");
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
    rows.push_back(
        {{"meting", absl::StrCat(m.id())},
         {"naam", m.label()},
         {"periode", absl::StrCat(FormatDutchDay(m.period_from()), " t/m ",
                                  FormatDutchDay(m.period_to()))},
         {"respons", absl::StrCat(s.responses(), " van ", s.participants())},
         {"responspercentage", Pct(s.completion_pct())},
         {"voelt_zich_veilig", absl::StrCat(s.feel_safe())},
         {"slachtoffer", absl::StrCat(s.victimised())},
         {"aangifte_gedaan", absl::StrCat(s.reported())}});
  }
  if (rows.empty() && !opts.json) {
    std::cout << "Nog geen metingen voor dit gebied (kvo survey measure).\n";
    return kExitOk;
  }
  PrintTable(TableOf(rows), opts.json);
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
}

}  // namespace kvo::cli
