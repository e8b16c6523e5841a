#ifndef KVO_SERVICES_CYCLE_SURVEY_RULES_H_
#define KVO_SERVICES_CYCLE_SURVEY_RULES_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvo/v1/cycle.pb.h"

namespace kvo::cycle {

// The safety analysis's survey (ondernemersenquête): the questionnaire as
// data (a kvo.v1.Questionnaire in text format, data/questionnaire/) and
// the rules of a response. Pure except LoadQuestionnaireFile; thread-safe.

// The marks of the questions the reduction report reads (Question.feeds).
inline constexpr char kFeedsFeelSafe[] = "feel_safe";
inline constexpr char kFeedsVictimised[] = "victimised";
inline constexpr char kFeedsReported[] = "reported";

// OK, or INVALID_ARGUMENT naming the first problem: no version or title,
// a scale without options or with a code twice, a question without id,
// theme or text, an id twice, an unknown scale, a `feeds` other than the
// three above or given twice or missing, a `counts_as` that is not an
// answer of the question's scale, counts_as without feeds (or feeds
// without counts_as).
absl::Status CheckQuestionnaire(const kvo::v1::Questionnaire& q);

// Parses text format and checks it; errors read "<file>:<line>: <what>"
// for syntax, "<file>: <what>" for a broken rule.
absl::StatusOr<kvo::v1::Questionnaire> ParseQuestionnaire(
    absl::string_view text, absl::string_view file_name_for_errors);
// Reads `path` (at most 1 MiB) and parses it; an unreadable file is
// FAILED_PRECONDITION "<path>: cannot read".
absl::StatusOr<kvo::v1::Questionnaire> LoadQuestionnaireFile(
    const std::filesystem::path& path);

// What one business's response gives the report.
struct ResponseFlags {
  bool feel_safe = false;   // answered one of the feel_safe answers
  bool victimised = false;  // answered one of the victimised answers
  bool reported = false;    // a victim who answered a reported answer
  bool operator==(const ResponseFlags&) const = default;
};

// Checks `answers` (question id, answer code) against `q` and scores them.
// INVALID_ARGUMENT naming the question and --answer for an unknown
// question, a question answered twice, or an answer outside the question's
// scale (listing the scale's codes); no answers at all: INVALID_ARGUMENT.
// Questions left out are allowed (a partial response).
absl::StatusOr<ResponseFlags> ScoreResponse(
    const kvo::v1::Questionnaire& q,
    const std::vector<std::pair<std::string, std::string>>& answers);

// responses / participants in percent, 0 without participants.
double CompletionPct(int64_t responses, int64_t participants);

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_SURVEY_RULES_H_
