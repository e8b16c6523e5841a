// Retention as the issue tells it, through the real kvod and kvo: a
// collective warning; kvod's clock a year and two days later (policy-allowed
// clock control, restart on the same data); `kvo retention run`; the
// shopkeeper's next sync drops the entry, the person is gone from
// `person find`, the incident's anonymous facts stay, the audit names the
// deletion by pseudonym, and `kvo audit verify` still passes.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace kvo::v1;

class RetentionE2E : public RegistryFixture {
 protected:
  RetentionE2E() {
    policy_edits_ = {{"audit {", "testing { clock_control: true }\naudit {"}};
  }
  CommandResult Kvo(const std::vector<std::string>& args) {
    return kvod_->Kvo(args);
  }
  void LoginAs(const std::string& who) {
    CommandResult r = kvod_->Kvo({"login", "--login", who, "--password-stdin"},
                                 std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(RetentionE2E, AWarningAYearLaterLeavesOnlyTheAnonymousFacts) {
  MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  AdmitToDoor(area_a_);
  const Person person = MakePerson("Verstreken");
  const int64_t incident = Incident(person.id());
  Card card;
  ASSERT_TRUE(Issue(incident, &card).ok());
  ASSERT_EQ(card.kind(), CARD_KIND_COLLECTIVE_WARNING);
  const std::string pseudonym = person.pseudonym();

  // The shopkeeper's device holds the entry.
  const auto door = tmp_.path() / "deur";
  LoginAs("bakker");
  CommandResult sync = Kvo({"gallery", "sync", "--dir", door.string()});
  ASSERT_EQ(sync.exit_code, 0) << Describe(sync);
  ASSERT_THAT(ReadFile(door / "index.tsv"), HasSubstr("Verstreken"));

  // A year and two days on, past the warning's end (grace 0).
  RestartWithClockAhead(367);
  LoginAs("fg.officer");
  CommandResult report = Kvo({"retention", "report"});
  ASSERT_EQ(report.exit_code, 0) << Describe(report);
  CommandResult run = Kvo({"--json", "retention", "run"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(run.out, HasSubstr("\"kind\":\"person\",\"deleted\":1"));
  EXPECT_THAT(run.out, HasSubstr("person:" + pseudonym));

  // The door forgets.
  LoginAs("bakker");
  sync = Kvo({"gallery", "sync", "--dir", door.string()});
  ASSERT_EQ(sync.exit_code, 0) << Describe(sync);
  EXPECT_THAT(ReadFile(door / "index.tsv"), Not(HasSubstr("Verstreken")));

  // The police cannot find the person any more.
  LoginAs("agent");
  CommandResult find =
      Kvo({"--json", "person", "find", "--given", "Jan Willem", "--prefix",
           "van der", "--surname", "Verstreken", "--born", "1990-04-01"});
  EXPECT_EQ(find.exit_code, 0) << Describe(find);
  EXPECT_THAT(find.out,
              Not(HasSubstr(absl::StrCat("\"id\":", person.id(), ","))));
  EXPECT_EQ(Count(absl::StrCat(
                "SELECT count(*) FROM persons WHERE id = ", person.id(),
                " AND erased_at IS NOT NULL AND blind_index IS "
                "NULL")),
            1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM data_keys WHERE "
                               "person_id = ",
                               person.id()),
                  "kvo_keys"),
            0);

  // The anonymous facts stay for KVO statistics; the link and the sealed
  // texts go.
  EXPECT_EQ(
      Count(absl::StrCat("SELECT count(*) FROM incidents WHERE id = ", incident,
                         " AND offence_type = 'theft' AND "
                         "damage_cents = 2599 AND shop_id = ",
                         bakery_)),
      1);
  EXPECT_EQ(Count(absl::StrCat(
                "SELECT count(*) FROM incident_persons WHERE incident_id = ",
                incident)),
            0);

  // On record, by pseudonym; the log still verifies.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.run' AND subject LIKE '%person:" +
                  pseudonym + "%'"),
            1);
  LoginAs("fg.officer");
  CommandResult verify;
  for (int i = 0; i < 50; ++i) {
    verify = Kvo({"audit", "verify"});
    if (verify.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  // "What happened to my data": the run that erased them, by subject
  // (issue 24: its subjects were joined with blanks, the index split on
  // commas, so the query missed it).
  CommandResult log =
      Kvo({"--json", "audit", "log", "--subject", "person:" + pseudonym,
           "--purpose", "inzageverzoek: wat gebeurde er met mijn gegevens"});
  EXPECT_EQ(log.exit_code, 0) << Describe(log);
  EXPECT_THAT(log.out, HasSubstr("retention.run"));
  // A second run finds nothing more of this person.
  CommandResult again = Kvo({"--json", "retention", "run"});
  EXPECT_THAT(again.out, HasSubstr("\"kind\":\"person\",\"deleted\":0"));
}

// Issue 24: with card_grace_days 0 the five-minute run erased a person
// minutes after the police registered them with an incident, and the card
// for that incident answered NOT_FOUND. The incident keeps them for
// retention.incident_grace_days (90 in the shipped policies); past that,
// with no card, the next run erases them.
TEST_F(RetentionE2E, AnIncidentKeepsThePersonUntilItsGraceHasPassed) {
  MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  const Person carded = MakePerson("Zojuist");
  const int64_t incident = Incident(carded.id());
  const Person waiting = MakePerson("Wachtend");
  Incident(waiting.id());

  LoginAs("fg.officer");
  CommandResult run = Kvo({"--json", "retention", "run"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(run.out, HasSubstr("\"kind\":\"person\",\"deleted\":0"));
  Card card;
  grpc::Status issued = Issue(incident, &card);
  ASSERT_TRUE(issued.ok()) << issued.error_message();
  EXPECT_EQ(card.kind(), CARD_KIND_COLLECTIVE_WARNING);

  // 91 days on: the incident's grace has passed for the one without a
  // card; the warning (365 days) keeps the other.
  RestartWithClockAhead(91);
  LoginAs("fg.officer");
  run = Kvo({"--json", "retention", "run"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(run.out, HasSubstr("\"kind\":\"person\",\"deleted\":1"));
  EXPECT_THAT(run.out, HasSubstr("person:" + waiting.pseudonym()));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM persons WHERE id = ",
                               waiting.id(), " AND erased_at IS NOT NULL")),
            1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM persons WHERE id = ",
                               carded.id(), " AND erased_at IS NULL")),
            1);
}

// `kvo retention run --kind`: only that kind runs; an unknown kind names
// the flag and the kinds there are, and deletes nothing.
TEST_F(RetentionE2E, AKindFilterRunsOnlyThatKind) {
  MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  const Person person = MakePerson("Gefilterd");
  Card card;
  ASSERT_TRUE(Issue(Incident(person.id()), &card).ok());
  const std::string kept =
      absl::StrCat("SELECT count(*) FROM persons WHERE id = ", person.id(),
                   " AND erased_at IS NULL");
  RestartWithClockAhead(367);
  LoginAs("fg.officer");

  CommandResult unknown = Kvo({"retention", "run", "--kind", "persons"});
  EXPECT_NE(unknown.exit_code, 0) << Describe(unknown);
  EXPECT_THAT(unknown.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(unknown.err, HasSubstr("--kind"));
  EXPECT_THAT(unknown.err, HasSubstr("'persons'"));
  EXPECT_THAT(unknown.err,
              HasSubstr("audit_entry_content, card, person, incident_link"));
  EXPECT_EQ(Count(kept), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM cards WHERE id = ",
                               card.id(), " AND retained_at IS NULL")),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action LIKE "
                  "'retention.%'"),
            0);

  CommandResult cards = Kvo({"--json", "retention", "run", "--kind", "card"});
  ASSERT_EQ(cards.exit_code, 0) << Describe(cards);
  EXPECT_THAT(cards.out, HasSubstr("\"kind\":\"card\",\"deleted\":1"));
  EXPECT_THAT(cards.out, Not(HasSubstr("\"kind\":\"person\"")));
  EXPECT_THAT(cards.out, Not(HasSubstr("audit_entry_content")));
  EXPECT_EQ(Count(kept), 1);
}

}  // namespace
}  // namespace kvo::testing
