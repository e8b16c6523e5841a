#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "clients/cli/audit_log_commands.h"
#include "clients/cli/command_roles.h"
#include "clients/cli/formatting.h"
#include "clients/cli/labels.h"
#include "clients/cli/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/source_dir.h"

namespace kvo::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<std::pair<std::string, std::string>> Texts(const Record& record,
                                                       Lang lang) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : record)
    out.emplace_back(key, value.Text(lang));
  return out;
}

std::vector<std::pair<std::string, std::string>> Jsons(const Record& record) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : record) out.emplace_back(key, value.Json());
  return out;
}

TEST(CliFormattingTest, RolesAreLowercaseWords) {
  EXPECT_EQ(RoleName(kvo::v1::ROLE_SHOPKEEPER), "shopkeeper");
  EXPECT_EQ(RoleName(kvo::v1::ROLE_PRIVACY_OFFICER), "privacy_officer");
  EXPECT_EQ(KnownRoles(),
            "shopkeeper, security, police, coordinator, privacy_officer, "
            "admin, fire_brigade");
  for (int r = kvo::v1::Role_MIN + 1; r <= kvo::v1::Role_MAX; ++r) {
    auto role = static_cast<kvo::v1::Role>(r);
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
}

TEST(CliFormattingTest, ParseRoleRejectsUnknownAndUnspecified) {
  EXPECT_EQ(ParseRole("Coordinator"), kvo::v1::ROLE_COORDINATOR);
  EXPECT_EQ(ParseRole("boss"), std::nullopt);
  EXPECT_EQ(ParseRole("unspecified"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
  EXPECT_EQ(ParseRole("ROLE_ADMIN"), std::nullopt);
}

TEST(CliFormattingTest, AreaKindsAndStatuses) {
  EXPECT_EQ(AreaKindName(kvo::v1::AREA_KIND_SHOPPING_AREA), "shopping_area");
  EXPECT_EQ(ParseAreaKind("business_park"), kvo::v1::AREA_KIND_BUSINESS_PARK);
  EXPECT_EQ(ParseAreaKind("park"), std::nullopt);
  EXPECT_EQ(KnownAreaKinds(), "shopping_area, business_park");
  EXPECT_EQ(PrincipalStatusName(kvo::v1::PRINCIPAL_STATUS_PENDING), "pending");
  EXPECT_EQ(PrincipalStatusName(kvo::v1::PRINCIPAL_STATUS_ACTIVE), "active");
  EXPECT_EQ(PrincipalStatusName(kvo::v1::PRINCIPAL_STATUS_SUSPENDED),
            "suspended");
}

TEST(CliFormattingTest, TimesAreAmsterdamLocalTime) {
  google::protobuf::Timestamp winter;
  winter.set_seconds(1795352700);  // 2026-11-22 13:05 UTC
  EXPECT_EQ(FormatTimestamp(winter), "2026-11-22 14:05 CET");
  EXPECT_EQ(FormatUnixMillis(1782907200000), "2026-07-01 14:00 CEST");
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp()), "-");
  EXPECT_EQ(FormatUnixMillis(0), "-");
}

TEST(CliFormattingTest, DutchTimesNameTheMonthInAmsterdamTime) {
  // 2026-11-30 13:05 UTC is 14:05 CET; 2027-07-01 22:30 UTC is past
  // midnight in CEST.
  EXPECT_EQ(FormatDutchTime(absl::FromUnixSeconds(1796043900)),
            "30 november 2026 14:05");
  EXPECT_EQ(FormatDutchTime(absl::FromUnixSeconds(1814481000)),
            "2 juli 2027 00:30");
}

TEST(CliFormattingTest, DutchDaysNameTheMonth) {
  EXPECT_EQ(FormatDutchDay("2026-11-30"), "30 november 2026");
  EXPECT_EQ(FormatDutchDay("2028-02-29"), "29 februari 2028");
  EXPECT_EQ(FormatDutchDay("2027-01-01"), "1 januari 2027");
  EXPECT_EQ(FormatDutchDay(""), "-");
  EXPECT_EQ(FormatDutchDay("morgen"), "morgen");
}

TEST(CliFormattingTest, PrincipalRecord) {
  kvo::v1::Principal p;
  p.set_id(7);
  p.set_login("anna");
  p.set_display_name("Anna de Vries");
  p.set_role(kvo::v1::ROLE_COORDINATOR);
  p.add_area_ids(3);
  p.add_area_ids(12);
  p.set_status(kvo::v1::PRINCIPAL_STATUS_ACTIVE);
  EXPECT_THAT(
      Texts(PrincipalRecord(p), Lang::kEn),
      ElementsAre(Pair("id", "7"), Pair("login", "anna"),
                  Pair("name", "Anna de Vries"), Pair("role", "coordinator"),
                  Pair("areas", "3,12"), Pair("status", "active")));
  // A Dutch reader reads the labels; a script the codes, the id a number.
  EXPECT_EQ(TextOf(PrincipalRecord(p), "role"), "KVO-coördinator");
  EXPECT_EQ(TextOf(PrincipalRecord(p), "status"), "actief");
  EXPECT_THAT(
      Jsons(PrincipalRecord(p)),
      ElementsAre(Pair("id", "7"), Pair("login", "\"anna\""),
                  Pair("name", "\"Anna de Vries\""),
                  Pair("role", "\"coordinator\""), Pair("areas", "\"3,12\""),
                  Pair("status", "\"active\"")));
  Table table = PrincipalTable();
  AddPrincipalRow(p, &table);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].size(), table.columns.size());
  EXPECT_EQ(table.rows[0][4].Text(Lang::kNl), "3,12");
}

TEST(CliFormattingTest, ValuesAreTypedForScriptsAndWordsForPeople) {
  EXPECT_EQ(Value::Money(18100).Text(Lang::kNl), "€ 181,00");
  EXPECT_EQ(Value::Money(18100).Text(Lang::kEn), "€ 181,00");
  EXPECT_EQ(Value::Money(18100).Json(), "18100");
  EXPECT_EQ(EuroText(125000), "€ 1.250,00");
  EXPECT_EQ(EuroText(-505), "-€ 5,05");
  EXPECT_EQ(EuroText(7), "€ 0,07");
  EXPECT_EQ(EuroText(123456789), "€ 1.234.567,89");
  EXPECT_EQ(Value::Int(42).Json(), "42");
  EXPECT_EQ(Value::Id(0).Json(), "null");
  EXPECT_EQ(Value::Id(0).Text(Lang::kNl), "-");
  EXPECT_EQ(Value::Bool(true).Json(), "true");
  EXPECT_EQ(Value::Bool(false).Text(Lang::kNl), "nee");
  EXPECT_EQ(Value::Bool(false).Text(Lang::kEn), "no");
  EXPECT_EQ(Value::Label("collective_ban").Text(Lang::kNl),
            "collectief winkelverbod");
  EXPECT_EQ(Value::Label("collective_ban").Text(Lang::kEn), "collective ban");
  EXPECT_EQ(Value::Label("collective_ban").Json(), "\"collective_ban\"");
  // A code kvo has no label for yet still reads as itself.
  EXPECT_EQ(Value::Label("something_new").Text(Lang::kNl), "something_new");
  EXPECT_EQ(Value("a \"quote\"").Json(), "\"a \\\"quote\\\"\"");
  // Times: local for people, RFC 3339 with the zone's offset for scripts.
  const absl::Time winter = absl::FromUnixSeconds(1795352700);
  EXPECT_EQ(Value::Time(winter).Text(Lang::kNl), "2026-11-22 14:05 CET");
  EXPECT_EQ(Value::Time(winter).Json(), "\"2026-11-22T14:05:00+01:00\"");
  EXPECT_EQ(Value::Time(absl::FromUnixSeconds(1782907200)).Json(),
            "\"2026-07-01T14:00:00+02:00\"");
  EXPECT_EQ(Value::Time(absl::UnixEpoch()).Json(), "null");
  EXPECT_EQ(Value::Day("2026-11-30").Json(), "\"2026-11-30\"");
  EXPECT_EQ(Value::Day("").Json(), "null");
}

TEST(CliFormattingTest, EveryLabelHasBothLanguagesAndOneCode) {
  std::set<std::string> codes;
  std::set<std::pair<std::string, std::string>> keys;
  for (const Label& label : AllLabels()) {
    EXPECT_TRUE(keys.insert({label.family, label.code}).second)
        << label.family << "/" << label.code;
    codes.insert(label.code);
    EXPECT_STRNE(label.nl, "") << label.code;
    EXPECT_STRNE(label.en, "") << label.code;
  }
  // Every role and area kind the contract knows has a label.
  for (int r = kvo::v1::Role_MIN + 1; r <= kvo::v1::Role_MAX; ++r) {
    if (!kvo::v1::Role_IsValid(r)) continue;
    EXPECT_TRUE(codes.count(RoleName(static_cast<kvo::v1::Role>(r))))
        << RoleName(static_cast<kvo::v1::Role>(r));
  }
  for (int k = kvo::v1::AreaKind_MIN + 1; k <= kvo::v1::AreaKind_MAX; ++k) {
    EXPECT_TRUE(codes.count(AreaKindName(static_cast<kvo::v1::AreaKind>(k))));
  }
  for (int s = kvo::v1::PrincipalStatus_MIN + 1;
       s <= kvo::v1::PrincipalStatus_MAX; ++s) {
    EXPECT_TRUE(codes.count(
        PrincipalStatusName(static_cast<kvo::v1::PrincipalStatus>(s))));
  }
  // Every offence type of the shipped policies reads in Dutch.
  for (const char* file : {"default.textproto", "deventer.textproto"}) {
    std::ifstream in(std::string(common::SourceDir()) + "/policy/" + file);
    ASSERT_TRUE(in) << file;
    const std::regex offence(R"re(offence_types \{ code: "([a-z_]+)")re");
    std::string line;
    int seen = 0;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, offence)) continue;
      ++seen;
      EXPECT_NE(LabelText(m[1].str(), Lang::kNl), m[1].str()) << file;
    }
    EXPECT_GT(seen, 0) << file;
  }
  // Codes that mean different things in different places read apart.
  EXPECT_EQ(LabelText("access", Lang::kNl), "inzage");
  EXPECT_EQ(LabelText("access", Lang::kNl, "schouw"), "toegankelijkheid");
  EXPECT_EQ(LabelText("current", Lang::kNl, "step"), "nu");
  EXPECT_EQ(LabelText("current", Lang::kNl), "in gebruik");
}

}  // namespace
TEST(CliFormattingTest, HelpNamesTheRolesOfTheDefaultPolicy) {
  EXPECT_EQ(WhoMay("kvo.v1.RegistryService/IssueCard"),
            " (shopkeeper, police, coordinator)");
  EXPECT_EQ(WhoMay("kvo.v1.IdentityService/Login"), " (anyone)");
  EXPECT_EQ(WhoMay("kvo.v1.IdentityService/CreateArea"), " (admin)");
  EXPECT_EQ(WhoMay("kvo.v1.NoSuchService/Nothing"), " (nobody)");
}

TEST(CliFormattingTest, CsvQuotesOnlyWhatNeedsIt) {
  Table t{{"index", "purpose"},
          {{"1", "door check"}, {"2", "klacht, \"x\"\nz"}}};
  EXPECT_EQ(CsvText(t),
            "index,purpose\r\n1,door check\r\n2,\"klacht, \"\"x\"\"\nz\"\r\n");
}

TEST(CliFormattingTest, ErasedAuditRowsSayWhatIsGone) {
  kvo::v1::LogRow row;
  row.mutable_entry()->set_index(9);
  row.mutable_entry()->set_outcome("ok");
  row.set_content_erased(true);
  Table t = AuditLogTable();
  AddAuditLogRow(row, &t);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0].Json(), "9");
  EXPECT_EQ(t.rows[0][2].Text(Lang::kNl), "(erased by retention)");
  EXPECT_EQ(t.rows[0][8].Text(Lang::kNl), "ok");
  // A day alone is its midnight in Amsterdam.
  auto day = ParseLocalTime("2026-11-30");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(FormatLocalTime(*day), "2026-11-30 00:00 CET");
}

}  // namespace kvo::cli

namespace kvo::cli {
namespace {

TEST(CliFormattingTest, KvodsFieldNamesBecomeTheFlagsAPersonTyped) {
  EXPECT_EQ(FlagsForPeople("purpose (kvo --purpose): required"),
            "--purpose: required");
  EXPECT_EQ(FlagsForPeople("occurred_at (kvo incident record --at): not a "
                           "valid time"),
            "--at: not a valid time");
  EXPECT_EQ(FlagsForPeople("area_id (kvo --area): area 7 does not exist; "
                           "lines[3].count (kvo --count): negative"),
            "--area: area 7 does not exist; --count: negative");
  // Messages without the API's field names stay as they are.
  EXPECT_EQ(FlagsForPeople("incident_id: incident 9 not found"),
            "incident_id: incident 9 not found");
  EXPECT_EQ(FlagsForPeople("see (kvo --help)"), "see (kvo --help)");
}

}  // namespace
}  // namespace kvo::cli
