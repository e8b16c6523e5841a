#include "services/cycle/survey_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/common/source_dir.h"

namespace kvo::cycle {
namespace {

using ::testing::HasSubstr;

// A small questionnaire: a safety scale, yes/no, and the three marks.
constexpr char kSmall[] = R"pb(
  version: "test-1"
  title_nl: "Proef"
  scales {
    id: "veiligheid"
    options { code: "onveilig" label_nl: "onveilig" }
    options { code: "neutraal" label_nl: "neutraal" }
    options { code: "veilig" label_nl: "veilig" }
    options { code: "zeer_veilig" label_nl: "zeer veilig" }
  }
  scales {
    id: "ja_nee"
    options { code: "ja" label_nl: "ja" }
    options { code: "nee" label_nl: "nee" }
  }
  questions {
    id: "s1"
    theme: "veiligheidsgevoel"
    text_nl: "Hoe veilig?"
    scale: "veiligheid"
    feeds: "feel_safe"
    counts_as: [ "veilig", "zeer_veilig" ]
  }
  questions {
    id: "v1"
    theme: "slachtofferschap"
    text_nl: "Slachtoffer?"
    scale: "ja_nee"
    feeds: "victimised"
    counts_as: "ja"
  }
  questions {
    id: "a1"
    theme: "aangifte"
    text_nl: "Aangifte gedaan?"
    scale: "ja_nee"
    feeds: "reported"
    counts_as: "ja"
  }
  questions { id: "o1" theme: "overlast" text_nl: "Overlast?" scale: "ja_nee" }
)pb";

kvo::v1::Questionnaire Small() {
  auto q = ParseQuestionnaire(kSmall, "small");
  EXPECT_TRUE(q.ok()) << q.status();
  return *q;
}

TEST(Questionnaire, TheShippedOneLoadsWithSixtyQuestionsInSixThemes) {
  auto q = LoadQuestionnaireFile(std::string(KVO_SOURCE_DIR) +
                                 "/data/questionnaire/kvo_nl.textproto");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->questions_size(), 60);
  std::set<std::string> themes;
  for (const auto& question : q->questions()) themes.insert(question.theme());
  EXPECT_EQ(themes, (std::set<std::string>{"slachtofferschap", "overlast",
                                           "veiligheidsgevoel", "brandrisico",
                                           "samenwerking", "aangifte"}));
}

struct BadCase {
  std::string what;     // replaced in kSmall
  std::string by;       // with this
  std::string message;  // the refusal names this
};

TEST(Questionnaire, BrokenRulesAreRefusedNamingTheProblem) {
  const BadCase cases[] = {
      {"version: \"test-1\"", "", "version: missing"},
      {"id: \"o1\"", "id: \"s1\"", "'s1': id twice"},
      {"feeds: \"reported\"", "feeds: \"angst\"", "feeds 'angst'"},
      {"feeds: \"reported\"", "feeds: \"victimised\"",
       "'victimised' is already question 'v1'"},
      {"counts_as: [ \"veilig\", \"zeer_veilig\" ]",
       "counts_as: [ \"veilig\", \"heel_veilig\" ]",
       "counts_as 'heel_veilig' is not an answer"},
      {"scale: \"veiligheid\"\n    feeds", "scale: \"schaal\"\n    feeds",
       "unknown scale 'schaal'"},
      {"options { code: \"nee\" label_nl: \"nee\" }",
       "options { code: \"ja\" label_nl: \"nee\" }", "code 'ja' twice"},
      {"    feeds: \"feel_safe\"\n", "", "feeds and counts_as go together"},
  };
  for (const BadCase& c : cases) {
    std::string text = kSmall;
    const size_t at = text.find(c.what);
    ASSERT_NE(at, std::string::npos) << c.what;
    text.replace(at, c.what.size(), c.by);
    auto q = ParseQuestionnaire(text, "q.textproto");
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(q.status().message(), HasSubstr(c.message));
    EXPECT_THAT(q.status().message(), HasSubstr("q.textproto"));
  }
}

TEST(Questionnaire, AMissingMarkAndASyntaxErrorAreRefused) {
  std::string text = kSmall;
  // Question a1 without its mark (feeds and counts_as).
  const size_t from = text.find("feeds: \"reported\"");
  ASSERT_NE(from, std::string::npos);
  const std::string counts = "counts_as: \"ja\"";
  const size_t to = text.find(counts, from);
  ASSERT_NE(to, std::string::npos);
  text.erase(from, to + counts.size() - from);
  EXPECT_THAT(ParseQuestionnaire(text, "q").status().message(),
              HasSubstr("no question feeds 'reported'"));
  auto syntax = ParseQuestionnaire("version: \"x\"\nquestions {", "q");
  EXPECT_THAT(syntax.status().message(), HasSubstr("q:2:"));
  EXPECT_EQ(LoadQuestionnaireFile("/nonexistent/q.textproto").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

using Answers = std::vector<std::pair<std::string, std::string>>;

struct ScoreCase {
  Answers answers;
  ResponseFlags flags;
};

TEST(SurveyResponse, ScoresWhatTheReportReads) {
  const kvo::v1::Questionnaire q = Small();
  const ScoreCase cases[] = {
      {{{"s1", "veilig"}}, {true, false, false}},
      {{{"s1", "zeer_veilig"}}, {true, false, false}},
      {{{"s1", "neutraal"}}, {false, false, false}},
      {{{"v1", "ja"}, {"a1", "ja"}}, {false, true, true}},
      {{{"v1", "ja"}, {"a1", "nee"}}, {false, true, false}},
      // Reported without being a victim is no report of a victim.
      {{{"v1", "nee"}, {"a1", "ja"}}, {false, false, false}},
      {{{"o1", "ja"}}, {false, false, false}},
      {{{"s1", "onveilig"}, {"v1", "ja"}, {"a1", "ja"}, {"o1", "nee"}},
       {false, true, true}},
  };
  for (const ScoreCase& c : cases) {
    auto flags = ScoreResponse(q, c.answers);
    ASSERT_TRUE(flags.ok()) << flags.status();
    EXPECT_EQ(*flags, c.flags) << c.answers.front().first;
  }
}

TEST(SurveyResponse, RefusesAnswersOutsideTheQuestionnaire) {
  const kvo::v1::Questionnaire q = Small();
  const std::pair<Answers, std::string> cases[] = {
      {{{"s1", "heel_veilig"}},
       "question 's1': 'heel_veilig' is not an answer of its scale "
       "(onveilig, neutraal, veilig, zeer_veilig)"},
      {{{"x9", "ja"}}, "question 'x9' is not in questionnaire test-1"},
      {{{"v1", "ja"}, {"v1", "nee"}}, "question 'v1' answered twice"},
      {{}, "no answers given"},
  };
  for (const auto& [answers, message] : cases) {
    auto flags = ScoreResponse(q, answers);
    EXPECT_EQ(flags.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(flags.status().message(), HasSubstr(message));
    EXPECT_THAT(flags.status().message(), HasSubstr("--answer"));
  }
}

TEST(SurveyResponse, CompletionRateIsResponsesOverParticipants) {
  const struct {
    int64_t responses, participants;
    double pct;
  } cases[] = {{0, 0, 0},  {3, 0, 0},   {0, 4, 0},
               {1, 4, 25}, {4, 4, 100}, {2, 3, 200.0 / 3}};
  for (const auto& c : cases) {
    EXPECT_DOUBLE_EQ(CompletionPct(c.responses, c.participants), c.pct);
  }
}

}  // namespace
}  // namespace kvo::cycle
