#include "services/cycle/survey_rules.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kvo::cycle {
namespace {

constexpr std::size_t kMaxQuestionnaireBytes = 1 << 20;

const kvo::v1::AnswerScale* FindScale(const kvo::v1::Questionnaire& q,
                                      const std::string& id) {
  for (const auto& s : q.scales()) {
    if (s.id() == id) return &s;
  }
  return nullptr;
}

bool HasCode(const kvo::v1::AnswerScale& scale, const std::string& code) {
  return std::any_of(
      scale.options().begin(), scale.options().end(),
      [&](const kvo::v1::AnswerOption& o) { return o.code() == code; });
}

std::string Codes(const kvo::v1::AnswerScale& scale) {
  std::vector<std::string> codes;
  for (const auto& o : scale.options()) codes.push_back(o.code());
  return absl::StrJoin(codes, ", ");
}

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

absl::Status CheckScales(const kvo::v1::Questionnaire& q) {
  std::set<std::string> ids;
  for (const auto& s : q.scales()) {
    if (s.id().empty()) return Bad("scales: a scale without id");
    if (!ids.insert(s.id()).second) {
      return Bad(absl::StrCat("scales: scale '", s.id(), "' twice"));
    }
    if (s.options().empty()) {
      return Bad(absl::StrCat("scale '", s.id(), "': no options"));
    }
    std::set<std::string> codes;
    for (const auto& o : s.options()) {
      if (o.code().empty() || o.label_nl().empty()) {
        return Bad(absl::StrCat("scale '", s.id(),
                                "': an option without code or label_nl"));
      }
      if (!codes.insert(o.code()).second) {
        return Bad(
            absl::StrCat("scale '", s.id(), "': code '", o.code(), "' twice"));
      }
    }
  }
  return absl::OkStatus();
}

// The line/column of the parser's first complaint.
class FirstParseError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber,
                const std::string& message) override {
    if (!message_.empty()) return;
    line_ = std::max(line, 0) + 1;
    message_ = message;
  }
  std::string Where(absl::string_view file) const {
    return absl::StrCat(
        file, ":", line_, ": ",
        message_.empty() ? "not a text-format Questionnaire" : message_);
  }

 private:
  int line_ = 1;
  std::string message_;
};

}  // namespace

absl::Status CheckQuestionnaire(const kvo::v1::Questionnaire& q) {
  if (q.version().empty()) return Bad("version: missing");
  if (q.title_nl().empty()) return Bad("title_nl: missing");
  if (auto s = CheckScales(q); !s.ok()) return s;
  if (q.questions().empty()) return Bad("questions: none");
  std::set<std::string> ids;
  std::map<std::string, std::string> fed;  // feeds -> question id
  for (const auto& question : q.questions()) {
    const std::string& id = question.id();
    if (id.empty()) return Bad("questions: a question without id");
    if (!ids.insert(id).second) {
      return Bad(absl::StrCat("question '", id, "': id twice"));
    }
    if (question.theme().empty() || question.text_nl().empty()) {
      return Bad(absl::StrCat("question '", id, "': theme and text_nl needed"));
    }
    const kvo::v1::AnswerScale* scale = FindScale(q, question.scale());
    if (scale == nullptr) {
      return Bad(absl::StrCat("question '", id, "': unknown scale '",
                              question.scale(), "'"));
    }
    const std::string& feeds = question.feeds();
    if (feeds.empty() != question.counts_as().empty()) {
      return Bad(
          absl::StrCat("question '", id, "': feeds and counts_as go together"));
    }
    if (feeds.empty()) continue;
    if (feeds != kFeedsFeelSafe && feeds != kFeedsVictimised &&
        feeds != kFeedsReported) {
      return Bad(absl::StrCat("question '", id, "': feeds '", feeds,
                              "' is not feel_safe, victimised or reported"));
    }
    if (auto [it, fresh] = fed.emplace(feeds, id); !fresh) {
      return Bad(absl::StrCat("question '", id, "': feeds '", feeds,
                              "' is already question '", it->second, "'"));
    }
    for (const auto& code : question.counts_as()) {
      if (!HasCode(*scale, code)) {
        return Bad(absl::StrCat("question '", id, "': counts_as '", code,
                                "' is not an answer of scale '", scale->id(),
                                "' (", Codes(*scale), ")"));
      }
    }
  }
  for (const char* feeds : {kFeedsFeelSafe, kFeedsVictimised, kFeedsReported}) {
    if (!fed.contains(feeds)) {
      return Bad(absl::StrCat("questions: no question feeds '", feeds,
                              "' (the reduction report needs it)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<kvo::v1::Questionnaire> ParseQuestionnaire(
    absl::string_view text, absl::string_view file_name_for_errors) {
  if (text.size() > kMaxQuestionnaireBytes) {
    return Bad(absl::StrCat(file_name_for_errors, ": larger than ",
                            kMaxQuestionnaireBytes, " bytes"));
  }
  google::protobuf::io::ArrayInputStream input(text.data(),
                                               static_cast<int>(text.size()));
  FirstParseError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  kvo::v1::Questionnaire q;
  if (!parser.Parse(&input, &q)) {
    return Bad(errors.Where(file_name_for_errors));
  }
  if (auto s = CheckQuestionnaire(q); !s.ok()) {
    return Bad(absl::StrCat(file_name_for_errors, ": ", s.message()));
  }
  return q;
}

absl::StatusOr<kvo::v1::Questionnaire> LoadQuestionnaireFile(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": cannot read the questionnaire"));
  }
  std::string text(kMaxQuestionnaireBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return ParseQuestionnaire(text, path.string());
}

absl::StatusOr<ResponseFlags> ScoreResponse(
    const kvo::v1::Questionnaire& q,
    const std::vector<std::pair<std::string, std::string>>& answers) {
  if (answers.empty()) {
    return Bad("answers (kvo --answer or --file): no answers given");
  }
  std::map<std::string, const kvo::v1::Question*> questions;
  for (const auto& question : q.questions()) {
    questions[question.id()] = &question;
  }
  std::map<std::string, std::string> given;
  for (const auto& [id, code] : answers) {
    auto it = questions.find(id);
    if (it == questions.end()) {
      return Bad(absl::StrCat("answers (kvo --answer): question '",
                              id.substr(0, 40), "' is not in questionnaire ",
                              q.version()));
    }
    const kvo::v1::AnswerScale& scale = *FindScale(q, it->second->scale());
    if (!HasCode(scale, code)) {
      return Bad(absl::StrCat(
          "answers (kvo --answer): question '", id, "': '", code.substr(0, 40),
          "' is not an answer of its scale (", Codes(scale), ")"));
    }
    if (!given.emplace(id, code).second) {
      return Bad(absl::StrCat("answers (kvo --answer): question '", id,
                              "' answered twice"));
    }
  }
  const auto counts = [&](const std::string& feeds) {
    for (const auto& question : q.questions()) {
      if (question.feeds() != feeds) continue;
      auto it = given.find(question.id());
      return it != given.end() &&
             std::find(question.counts_as().begin(), question.counts_as().end(),
                       it->second) != question.counts_as().end();
    }
    return false;
  };
  ResponseFlags out;
  out.feel_safe = counts(kFeedsFeelSafe);
  out.victimised = counts(kFeedsVictimised);
  out.reported = out.victimised && counts(kFeedsReported);
  return out;
}

double CompletionPct(int64_t responses, int64_t participants) {
  if (participants <= 0) return 0;
  return 100.0 * static_cast<double>(responses) /
         static_cast<double>(participants);
}

}  // namespace kvo::cycle
