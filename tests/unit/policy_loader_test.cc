#include "services/common/policy_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/common/source_dir.h"

namespace kvo::common {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kFile = "t.textproto";

// A valid policy. Tests name its lines by number (profile is line 1,
// max_card_days line 7, admin_fee_cents line 20); WithLine checks that each
// number still points at the field the test means.
constexpr std::string_view kValid = R"txt(profile: "test"
cards {
  individual_ban_days: 365
  collective_warning_days: 365
  collective_ban_days: 365
  serious_ban_days: 730
  max_card_days: 730
  escalation_window_days: 0
}
offence_types { code: "theft" label_nl: "diefstal" }
offence_types { code: "violence" label_nl: "geweld" serious: true }
offence_types { code: "threat" label_nl: "bedreiging" serious: true }
persons {
  minimum_age_years: 12
  adult_age_years: 18
  description_max_chars: 2000
}
donations {
  amount_cents: 18100
  admin_fee_cents: 4100
  payment_term_days: 14
  refund_term_days: 14
  max_instalments: 6
  delete_after_payment_days: 92
  max_retention_unpaid_days: 2557
}
retention {
  card_grace_days: 0
  audit_retention_days: 1826
  key_backup_days: 7
  schouw_photo_days: 90
}
cycle { recertification_interval_years: 2 }
identity {
  token_lifetime_minutes: 720
  bootstrap_code_lifetime_hours: 24
  enrollment_code_lifetime_hours: 72
  password_min_length: 12
  login_max_failures: 5
  login_lockout_minutes: 15
}
rate_limits {
  gallery_syncs_per_hour: 600
  photo_reads_per_hour: 200
  logins_per_address_per_minute: 20
}
photos {
  max_upload_bytes: 10485760
  max_pixels: 40000000
  max_side_px: 1024
  thumbnail_side_px: 256
}
privacy {
  subject_request_days: 28
  normal_hours_start: 7
  normal_hours_end: 23
}
audit {
  max_head_age_seconds: 3600
  max_unsequenced_seconds: 60
}
door { max_offline_hours: 24 }
)txt";

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// kValid with 1-based line `line` replaced. `must_contain` guards the
// fixture: if kValid is edited, the test fails here rather than asserting a
// line number that no longer means what it did.
std::string WithLine(int line, std::string_view must_contain,
                     std::string_view replacement) {
  std::vector<std::string> lines = Lines(kValid);
  EXPECT_THAT(lines.at(line - 1), HasSubstr(std::string(must_contain)))
      << "fixture line " << line;
  lines.at(line - 1) = std::string(replacement);
  return Join(lines);
}

// kValid without lines [first, last] (1-based, inclusive).
std::string WithoutLines(int first, int last) {
  std::vector<std::string> lines = Lines(kValid);
  lines.erase(lines.begin() + (first - 1), lines.begin() + last);
  return Join(lines);
}

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<kvo::v1::Policy> policy = ParsePolicy(text, kFile);
  EXPECT_FALSE(policy.ok());
  if (policy.ok()) return "";
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument)
      << policy.status();
  return std::string(policy.status().message());
}

TEST(PolicyLoaderTest, DefaultPolicyFileLoadsAndValidates) {
  const std::filesystem::path path =
      std::filesystem::path(KVO_SOURCE_DIR) / "policy/default.textproto";
  absl::StatusOr<kvo::v1::Policy> policy = LoadPolicyFile(path);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->profile(), "ccv-model");
  EXPECT_EQ(policy->cards().max_card_days(), 730);
  EXPECT_EQ(policy->cards().collective_ban_days(), 365);
  EXPECT_EQ(policy->offence_types_size(), 8);
  EXPECT_EQ(policy->donations().amount_cents(), 18100);
  EXPECT_EQ(policy->donations().admin_fee_cents(), 4100);
  EXPECT_EQ(policy->privacy().subject_request_days(), 28);
  EXPECT_TRUE(ValidatePolicy(*policy).empty());

  const kvo::v1::OffenceType* violence = FindOffenceType(*policy, "violence");
  ASSERT_NE(violence, nullptr);
  EXPECT_TRUE(violence->serious());
  EXPECT_EQ(violence->label_nl(), "geweld");
  const kvo::v1::OffenceType* theft = FindOffenceType(*policy, "theft");
  ASSERT_NE(theft, nullptr);
  EXPECT_FALSE(theft->serious());
  EXPECT_EQ(FindOffenceType(*policy, "jaywalking"), nullptr);
  EXPECT_EQ(FindOffenceType(*policy, ""), nullptr);
}

TEST(PolicyLoaderTest, FixtureIsValid) {
  absl::StatusOr<kvo::v1::Policy> policy = ParsePolicy(kValid, kFile);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->photos().thumbnail_side_px(), 256);
}

TEST(PolicyLoaderTest, Utf8LabelsAreAccepted) {
  const std::string text = WithLine(10, "theft",
                                    "offence_types { code: \"theft\" label_nl: "
                                    "\"diefstal \u00e9\u20ac\U0001F6AB\" }");
  absl::StatusOr<kvo::v1::Policy> policy = ParsePolicy(text, kFile);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->offence_types(0).label_nl(),
            "diefstal \u00e9\u20ac\U0001F6AB");
}

TEST(PolicyLoaderTest, SyntaxErrorReportsOneBasedLine) {
  const std::string message =
      ErrorOf(WithLine(15, "adult_age_years", "  adult_age_years 18"));
  EXPECT_THAT(message, StartsWith("t.textproto:15: ")) << message;
}

TEST(PolicyLoaderTest, UnterminatedStringReportsItsLine) {
  const std::string message = ErrorOf(WithLine(1, "profile", "profile: \"x"));
  EXPECT_THAT(message, StartsWith("t.textproto:1: ")) << message;
}

TEST(PolicyLoaderTest, UnknownFieldReportsItsLine) {
  const std::string message =
      ErrorOf(WithLine(39, "login_max_failures", "  login_max_failurez: 5"));
  EXPECT_THAT(message, StartsWith("t.textproto:39: ")) << message;
  EXPECT_THAT(message, HasSubstr("login_max_failurez")) << message;
}

TEST(PolicyLoaderTest, OutOfRangeIntegerIsASyntaxErrorOnItsLine) {
  const std::string message =
      ErrorOf(WithLine(7, "max_card_days", "  max_card_days: 99999999999"));
  EXPECT_THAT(message, StartsWith("t.textproto:7: ")) << message;
}

TEST(PolicyLoaderTest, BadValueReportsLineFieldAllowedAndFound) {
  EXPECT_EQ(ErrorOf(WithLine(7, "max_card_days", "  max_card_days: 900")),
            "t.textproto:7: cards.max_card_days: must be between 1 and 730, "
            "got 900");
}

TEST(PolicyLoaderTest, MissingSectionReportsMissingFieldAtLineOne) {
  EXPECT_EQ(ErrorOf(WithoutLines(18, 26)),
            "t.textproto:1: donations.amount_cents: missing, must be > 0");
}

TEST(PolicyLoaderTest, MissingFieldPointsAtItsBlock) {
  const std::string text = WithLine(5, "collective_ban_days", "");
  EXPECT_EQ(ErrorOf(text),
            "t.textproto:2: cards.collective_ban_days: missing, must be "
            "between 1 and cards.max_card_days (730)");
}

TEST(PolicyLoaderTest, MissingFieldInRepeatedEntryPointsAtTheEntry) {
  const std::string text =
      WithLine(11, "violence", "offence_types { code: \"violence\" }");
  EXPECT_EQ(ErrorOf(text),
            "t.textproto:11: offence_types[1].label_nl: missing, must be "
            "non-empty");
}

TEST(PolicyLoaderTest, ExplicitZeroIsNotReportedAsMissing) {
  EXPECT_EQ(
      ErrorOf(WithLine(21, "payment_term_days", "  payment_term_days: 0")),
      "t.textproto:21: donations.payment_term_days: must be > 0, got 0");
}

TEST(PolicyLoaderTest, EmptyTextReportsMissingProfile) {
  EXPECT_EQ(ErrorOf(""), "t.textproto:1: profile: missing, must be non-empty");
}

TEST(PolicyLoaderTest, NoOffenceTypes) {
  EXPECT_EQ(ErrorOf(WithoutLines(10, 12)),
            "t.textproto:1: offence_types: missing, must have at least one "
            "entry");
}

TEST(PolicyLoaderTest, DuplicateOffenceCode) {
  const std::string text = WithLine(
      12, "threat", "offence_types { code: \"theft\" label_nl: \"x\" }");
  EXPECT_EQ(ErrorOf(text),
            "t.textproto:12: offence_types[2].code: must be unique, also used "
            "by offence_types[0], got \"theft\"");
}

TEST(PolicyLoaderTest, AdminFeeMustBeBelowAmount) {
  EXPECT_EQ(
      ErrorOf(WithLine(20, "admin_fee_cents", "  admin_fee_cents: 18100")),
      "t.textproto:20: donations.admin_fee_cents: must be between 0 and "
      "donations.amount_cents - 1 (18099), got 18100");
}

TEST(PolicyLoaderTest, FirstViolationInFileOrderWins) {
  // privacy moved to the top and broken there; cards broken further down.
  std::vector<std::string> lines = Lines(WithoutLines(52, 56));
  lines.at(6) = "  max_card_days: 900";
  lines.insert(lines.begin(),
               "privacy { subject_request_days: 31 normal_hours_start: 7 "
               "normal_hours_end: 23 }");
  EXPECT_EQ(ErrorOf(Join(lines)),
            "t.textproto:1: privacy.subject_request_days: must be between 1 "
            "and 28, got 31");
}

struct ViolationCase {
  int line;
  std::string_view must_contain;
  std::string_view replacement;
  std::string_view expected;  // Without the "t.textproto:<line>: " prefix.
};

class PolicyViolationTest : public testing::TestWithParam<ViolationCase> {};

TEST_P(PolicyViolationTest, ReportsLineAndMessage) {
  const ViolationCase& c = GetParam();
  EXPECT_EQ(
      ErrorOf(WithLine(c.line, c.must_contain, c.replacement)),
      "t.textproto:" + std::to_string(c.line) + ": " + std::string(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, PolicyViolationTest,
    testing::Values(
        ViolationCase{1, "profile", "profile: \"\"",
                      "profile: must be non-empty, got \"\""},
        ViolationCase{1, "profile", "profile: \"caf\\xc3\"",
                      "profile: must be valid UTF-8, got \"caf\\xc3\""},
        ViolationCase{10, "theft",
                      "offence_types { code: \"theft\" label_nl: \"d\" "
                      "label_en: \"\\xed\\xa0\\x80\" }",
                      "offence_types[0].label_en: must be valid UTF-8, got "
                      "\"\\xed\\xa0\\x80\""},
        ViolationCase{3, "individual_ban_days", "  individual_ban_days: 0",
                      "cards.individual_ban_days: must be between 1 and "
                      "cards.max_card_days (730), got 0"},
        ViolationCase{6, "serious_ban_days", "  serious_ban_days: 731",
                      "cards.serious_ban_days: must be between 1 and "
                      "cards.max_card_days (730), got 731"},
        ViolationCase{8, "escalation_window_days",
                      "  escalation_window_days: -1",
                      "cards.escalation_window_days: must be between 0 and "
                      "cards.max_card_days (730), got -1"},
        ViolationCase{10, "theft",
                      "offence_types { code: \"Theft\" label_nl: \"d\" }",
                      "offence_types[0].code: must be lowercase letters and "
                      "underscores ([a-z_]+), got \"Theft\""},
        ViolationCase{11, "violence",
                      "offence_types { code: \"\" label_nl: \"geweld\" }",
                      "offence_types[1].code: must be non-empty, got \"\""},
        ViolationCase{14, "minimum_age_years", "  minimum_age_years: 18",
                      "persons.minimum_age_years: must be between 1 and "
                      "persons.adult_age_years - 1 (17), got 18"},
        ViolationCase{15, "adult_age_years", "  adult_age_years: 22",
                      "persons.adult_age_years: must be between 2 and 21, "
                      "got 22"},
        ViolationCase{16, "description_max_chars",
                      "  description_max_chars: 100001",
                      "persons.description_max_chars: must be between 1 and "
                      "100000, got 100001"},
        ViolationCase{19, "amount_cents", "  amount_cents: -18100",
                      "donations.amount_cents: must be > 0, got -18100"},
        ViolationCase{23, "max_instalments", "  max_instalments: 0",
                      "donations.max_instalments: must be >= 1, got 0"},
        ViolationCase{25, "max_retention_unpaid_days",
                      "  max_retention_unpaid_days: 2558",
                      "donations.max_retention_unpaid_days: must be between 1 "
                      "and 2557, got 2558"},
        ViolationCase{28, "card_grace_days", "  card_grace_days: -1",
                      "retention.card_grace_days: must be >= 0, got -1"},
        ViolationCase{29, "audit_retention_days",
                      "  audit_retention_days: 1825",
                      "retention.audit_retention_days: must be >= 1826, got "
                      "1825"},
        ViolationCase{31, "schouw_photo_days", "  schouw_photo_days: 0",
                      "retention.schouw_photo_days: must be between 1 and "
                      "365, got 0"},
        ViolationCase{31, "schouw_photo_days", "  schouw_photo_days: 366",
                      "retention.schouw_photo_days: must be between 1 and "
                      "365, got 366"},
        ViolationCase{33, "recertification_interval_years",
                      "cycle { recertification_interval_years: 6 }",
                      "cycle.recertification_interval_years: must be between "
                      "1 and 5, got 6"},
        ViolationCase{33, "recertification_interval_years",
                      "cycle { recertification_interval_years: 2 "
                      "intent_parties: \"mayor\" }",
                      "cycle.intent_parties[0]: must be one of municipality, "
                      "police, fire_brigade, entrepreneurs, biz, "
                      "security_company, park_management, got \"mayor\""},
        ViolationCase{33, "recertification_interval_years",
                      "cycle { recertification_interval_years: 2 "
                      "licence_notice_days: 731 }",
                      "cycle.licence_notice_days: must be between 0 and 730, "
                      "got 731"},
        ViolationCase{35, "token_lifetime_minutes",
                      "  token_lifetime_minutes: 10081",
                      "identity.token_lifetime_minutes: must be between 1 and "
                      "10080, got 10081"},
        ViolationCase{36, "bootstrap_code_lifetime_hours",
                      "  bootstrap_code_lifetime_hours: 169",
                      "identity.bootstrap_code_lifetime_hours: must be "
                      "between 1 and 168, got 169"},
        ViolationCase{37, "enrollment_code_lifetime_hours",
                      "  enrollment_code_lifetime_hours: 721",
                      "identity.enrollment_code_lifetime_hours: must be "
                      "between 1 and 720, got 721"},
        ViolationCase{38, "password_min_length", "  password_min_length: 7",
                      "identity.password_min_length: must be between 8 and "
                      "128, got 7"},
        ViolationCase{40, "login_lockout_minutes", "  login_lockout_minutes: 0",
                      "identity.login_lockout_minutes: must be >= 1, got 0"},
        ViolationCase{44, "photo_reads_per_hour", "  photo_reads_per_hour: 0",
                      "rate_limits.photo_reads_per_hour: must be > 0, got 0"},
        ViolationCase{48, "max_upload_bytes", "  max_upload_bytes: 104857601",
                      "photos.max_upload_bytes: must be between 1 and "
                      "104857600, got 104857601"},
        ViolationCase{50, "max_side_px", "  max_side_px: 8193",
                      "photos.max_side_px: must be between 1 and 8192, got "
                      "8193"},
        ViolationCase{51, "thumbnail_side_px", "  thumbnail_side_px: 1025",
                      "photos.thumbnail_side_px: must be between 1 and "
                      "photos.max_side_px (1024), got 1025"},
        ViolationCase{54, "subject_request_days", "  subject_request_days: 29",
                      "privacy.subject_request_days: must be between 1 and "
                      "28, got 29"},
        ViolationCase{56, "normal_hours_end", "  normal_hours_end: 7",
                      "privacy.normal_hours_end: must be between "
                      "privacy.normal_hours_start + 1 (8) and 24, got 7"},
        ViolationCase{62, "max_offline_hours",
                      "door { max_offline_hours: 169 }",
                      "door.max_offline_hours: must be between 1 and 168, got "
                      "169"},
        ViolationCase{62, "max_offline_hours", "door { max_offline_hours: 0 }",
                      "door.max_offline_hours: must be between 1 and 168, got "
                      "0"}));

TEST(PolicyLoaderTest, MaxCardDaysOverTheCapIsReportedOnce) {
  absl::StatusOr<kvo::v1::Policy> parsed = ParsePolicy(kValid, kFile);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  kvo::v1::Policy policy = *std::move(parsed);
  policy.mutable_cards()->set_max_card_days(900);
  policy.mutable_cards()->set_serious_ban_days(800);
  const std::vector<PolicyViolation> violations = ValidatePolicy(policy);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].Message(),
            "cards.serious_ban_days: must be between 1 and 730, got 800");
  EXPECT_EQ(violations[1].Message(),
            "cards.max_card_days: must be between 1 and 730, got 900");
}

// Every integer in the policy must be checked: setting any of them to -1
// yields a violation naming exactly that field. A number added to
// policy.proto without a rule fails here.
TEST(PolicyLoaderTest, EveryNumberIsChecked) {
  absl::StatusOr<kvo::v1::Policy> valid = ParsePolicy(kValid, kFile);
  ASSERT_TRUE(valid.ok()) << valid.status();
  const google::protobuf::Descriptor* root = kvo::v1::Policy::descriptor();
  int checked = 0;
  for (int i = 0; i < root->field_count(); ++i) {
    const FieldDescriptor* section = root->field(i);
    if (section->message_type() == nullptr) continue;
    for (int j = 0; j < section->message_type()->field_count(); ++j) {
      const FieldDescriptor* field = section->message_type()->field(j);
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_INT32 &&
          field->cpp_type() != FieldDescriptor::CPPTYPE_INT64) {
        continue;
      }
      kvo::v1::Policy policy = *valid;
      google::protobuf::Message* sub;
      if (section->is_repeated()) {
        sub =
            policy.GetReflection()->MutableRepeatedMessage(&policy, section, 0);
      } else {
        sub = policy.GetReflection()->MutableMessage(&policy, section);
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        sub->GetReflection()->SetInt32(sub, field, -1);
      } else {
        sub->GetReflection()->SetInt64(sub, field, -1);
      }
      const std::string path = section->name() + "." + field->name();
      bool named = false;
      for (const PolicyViolation& v : ValidatePolicy(policy)) {
        named = named || v.field == path;
      }
      EXPECT_TRUE(named) << path << " = -1 is not reported";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 50);
}

// Violation paths must name real fields, or the loader cannot place them.
TEST(PolicyLoaderTest, EveryViolationNamesARealField) {
  kvo::v1::Policy policy;
  policy.add_offence_types()->set_code("Bad Code");
  const std::vector<PolicyViolation> violations = ValidatePolicy(policy);
  EXPECT_GT(violations.size(), 30u);
  for (const PolicyViolation& v : violations) {
    const google::protobuf::Descriptor* descriptor =
        kvo::v1::Policy::descriptor();
    std::string_view path = v.field;
    while (!path.empty()) {
      ASSERT_NE(descriptor, nullptr) << v.field;
      const std::size_t dot = path.find('.');
      std::string_view step = path.substr(0, dot);
      path = dot == std::string_view::npos ? "" : path.substr(dot + 1);
      step = step.substr(0, step.find('['));
      const FieldDescriptor* field =
          descriptor->FindFieldByName(std::string(step));
      ASSERT_NE(field, nullptr) << v.field;
      descriptor = field->message_type();
    }
    EXPECT_FALSE(v.requirement.empty()) << v.field;
  }
}

TEST(PolicyLoaderTest, LoadPolicyFileNamesThePathInErrors) {
  const std::filesystem::path path =
      std::filesystem::path(testing::TempDir()) / "bad_policy.textproto";
  {
    std::ofstream out(path);
    out << WithLine(7, "max_card_days", "  max_card_days: 900");
  }
  absl::StatusOr<kvo::v1::Policy> policy = LoadPolicyFile(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(policy.status().message(),
            path.string() +
                ":7: cards.max_card_days: must be between 1 and 730, got 900");
}

TEST(PolicyLoaderTest, MissingFileIsNotFound) {
  absl::StatusOr<kvo::v1::Policy> policy =
      LoadPolicyFile("/nonexistent/kvo/policy.textproto");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(policy.status().message(),
            "/nonexistent/kvo/policy.textproto: cannot read: No such file or "
            "directory");
}

TEST(PolicyLoaderTest, DirectoryIsFailedPrecondition) {
  const std::string dir = std::string(KVO_SOURCE_DIR) + "/policy";
  absl::StatusOr<kvo::v1::Policy> policy = LoadPolicyFile(dir);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(policy.status().message(), dir + ": cannot read: Is a directory");
}

}  // namespace
}  // namespace kvo::common
