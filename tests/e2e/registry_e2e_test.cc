// The registry end to end: the real kvod (embedded PostgreSQL, TLS) driven
// over gRPC by police, coordinator, shopkeeper and security principals, and
// by the real kvo for the notice.
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/registry.grpc.pb.h"
#include "services/common/dutch_date.h"
#include "services/common/local_time.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

absl::TimeZone Amsterdam() {
  absl::TimeZone tz;
  absl::LoadTimeZone("Europe/Amsterdam", &tz);
  return tz;
}

using ::testing::HasSubstr;
using ::testing::Not;
using namespace kvo::v1;

using RegistryE2E = RegistryFixture;

TEST_F(RegistryE2E, WarningThenBanAndNoSecondBan) {
  const Person p = MakePerson("Berg");
  Card warning;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", -48 * kHour), &warning).ok());
  EXPECT_EQ(warning.kind(), CARD_KIND_COLLECTIVE_WARNING);
  EXPECT_EQ(warning.days(), 365);
  EXPECT_THAT(warning.shops(), ::testing::UnorderedElementsAre(
                                   "Bakkerij de Korenaar", "Slagerij Vos",
                                   "Boekhandel Praamstra"));
  Card ban;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  EXPECT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
  EXPECT_EQ(ban.days(), 365);
  EXPECT_THAT(ban.rule(), HasSubstr("active collective warning"));
  Card third;
  grpc::Status again = Issue(Incident(p.id(), "theft", kLater + 1), &third);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(again.error_message(), HasSubstr("already has a collective ban"));
  EXPECT_EQ(Count("SELECT count(*) FROM cards"), 2);

  // One card per incident.
  Card dup;
  EXPECT_EQ(Issue(ban.incident_id(), &dup).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

// An incident recorded without a time happens now on kvod's clock, to the
// microsecond: the second theft right after a warning, in the same second,
// is during the warning and makes a ban (a time cut to the second, as kvo
// used to send, put it before the warning).
TEST_F(RegistryE2E, AnIncidentWithoutATimeIsNowAndRightAfterAWarningMakesABan) {
  const Person p = MakePerson("Snel");
  auto record_now = [&] {
    RecordIncidentRequest req;
    req.set_shop_id(bakery_);
    req.set_person_id(p.id());
    req.set_offence_type("theft");
    req.set_description("zonder tijd vastgelegd");
    kvo::v1::Incident out;
    grpc::Status s = registry_->RecordIncident(Ctx(police_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  const kvo::v1::Incident first = record_now();
  EXPECT_GT(first.occurred_at().seconds(), 0);
  Card warning;
  ASSERT_TRUE(Issue(first.id(), &warning).ok());
  EXPECT_EQ(warning.kind(), CARD_KIND_COLLECTIVE_WARNING);
  const kvo::v1::Incident second = record_now();
  Card ban;
  ASSERT_TRUE(Issue(second.id(), &ban).ok());
  EXPECT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN) << ban.rule();
}

// Issue 24: one person with two cards (a warning and the ban it escalated
// to) made `kvo card list` and `kvo objection list` fail for the whole
// area (INVALID_ARGUMENT: a key is 32 bytes, got 0): the vault moved the
// person's key out once per card.
TEST_F(RegistryE2E, TwoCardsOfOnePersonKeepTheListsWorking) {
  const Person p = MakePerson("Tweekaart");
  Card warning, ban;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", -2 * kHour), &warning).ok());
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  ASSERT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
  ListCardsRequest list;
  list.set_area_id(area_a_);
  for (const std::string& token :
       {police_, coordinator_, shopkeeper_, security_}) {
    ListCardsResponse cards;
    grpc::Status s = registry_->ListCards(Ctx(token).get(), list, &cards);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(cards.cards_size(), 2);
    for (const Card& c : cards.cards()) {
      EXPECT_EQ(c.person().surname(), "Tweekaart");
    }
  }
  for (const Card& c : {warning, ban}) {
    FileObjectionRequest file;
    file.set_card_id(c.id());
    file.set_grounds("Ik was er niet.");
    Objection objection;
    ASSERT_TRUE(
        registry_->FileObjection(Ctx(coordinator_).get(), file, &objection)
            .ok());
  }
  ListObjectionsRequest objections_req;
  objections_req.set_area_id(area_a_);
  ListObjectionsResponse objections;
  grpc::Status s = registry_->ListObjections(Ctx(coordinator_).get(),
                                             objections_req, &objections);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(objections.objections_size(), 2);
  EXPECT_EQ(objections.objections(0).grounds(), "Ik was er niet.");
  // Through kvo, as the issue met it.
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "agent", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  CommandResult cli =
      kvod_->Kvo({"card", "list", "--area", std::to_string(area_a_)});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
}

// Issue 24: an incident that occurred before the person's warning was
// issued gave a second "first offence" warning. At most one warning in
// force: it is refused naming the warning, and the incident stays.
TEST_F(RegistryE2E, AnOffenceBeforeTheWarningGivesNoSecondWarning) {
  const Person p = MakePerson("Eerder");
  Card warning;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", -kHour), &warning).ok());
  ASSERT_EQ(warning.kind(), CARD_KIND_COLLECTIVE_WARNING);
  const int64_t earlier = Incident(p.id(), "theft", -3 * kHour);
  Card second;
  grpc::Status refused = Issue(earlier, &second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(),
              HasSubstr(absl::StrCat("(card ", warning.id(), ", until")));
  EXPECT_THAT(refused.error_message(),
              HasSubstr("happened before that warning was issued"));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM cards WHERE person_id = ",
                               p.id())),
            1);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM incidents WHERE id = ",
                               earlier)),
            1)
      << "the incident stays recorded";
  // A new offence during the warning still escalates.
  Card ban;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  EXPECT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
}

// Issue 24: an objection upheld against a warning left the ban escalated
// from it in force, in the card list and at the door. The ban rests on the
// warning: it is revoked with it, with the reason, and the door drops it.
TEST_F(RegistryE2E, AnUpheldObjectionToTheWarningEndsTheBanOnIt) {
  AdmitToDoor(area_a_);
  auto gallery = GalleryService::NewStub(kvod_->Channel());
  auto sync = [&](int64_t since, int64_t* version,
                  std::vector<int64_t>* removed) {
    SyncGalleryRequest req;
    req.set_since_version(since);
    auto ctx = Ctx(shopkeeper_);
    auto reader = gallery->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    int entries = 0;
    while (reader->Read(&u)) {
      if (u.has_entry()) ++entries;
      if (u.update_case() == GalleryUpdate::kRemovedEntryId) {
        removed->push_back(u.removed_entry_id());
      }
      if (u.has_version()) *version = u.version().version();
    }
    EXPECT_TRUE(reader->Finish().ok());
    return entries;
  };
  const Person p = MakePerson("Bezwaar");
  Card warning, ban;
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", -2 * kHour), &warning).ok());
  ASSERT_TRUE(Issue(Incident(p.id(), "theft", kLater), &ban).ok());
  ASSERT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
  int64_t version = 0;
  std::vector<int64_t> removed;
  ASSERT_EQ(sync(0, &version, &removed), 1) << "the door shows the person";

  FileObjectionRequest file;
  file.set_card_id(warning.id());
  file.set_grounds("Ik was die dag in Zwolle.");
  Objection objection;
  ASSERT_TRUE(
      registry_->FileObjection(Ctx(coordinator_).get(), file, &objection).ok());
  DecideObjectionRequest decide;
  decide.set_objection_id(objection.id());
  decide.set_upheld(true);
  decide.set_reasons("Camerabeelden bevestigen de verklaring.");
  Objection decided;
  ASSERT_TRUE(
      registry_->DecideObjection(Ctx(coordinator_).get(), decide, &decided)
          .ok());

  ListCardsRequest list;
  list.set_area_id(area_a_);
  ListCardsResponse cards;
  ASSERT_TRUE(registry_->ListCards(Ctx(shopkeeper_).get(), list, &cards).ok());
  EXPECT_EQ(cards.cards_size(), 0) << "neither the warning nor the ban";
  list.set_include_inactive(true);
  cards.Clear();
  ASSERT_TRUE(registry_->ListCards(Ctx(coordinator_).get(), list, &cards).ok());
  for (const Card& c : cards.cards()) {
    EXPECT_TRUE(c.revoked()) << c.id();
    if (c.id() == ban.id()) {
      EXPECT_THAT(
          c.revoke_reason(),
          HasSubstr(absl::StrCat("to warning ", warning.id(), " upheld")));
    }
  }
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM audit_entries WHERE "
                               "action = 'registry.decide_objection' AND "
                               "purpose LIKE '%resting on it (card ",
                               ban.id(), ")%'")),
            1);
  // The door: the delta removes the person, a full sync shows nothing.
  int64_t after = 0;
  for (int i = 0; i < 50 && removed.empty(); ++i) {
    sync(version, &after, &removed);
    if (removed.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(removed.size(), 1u) << "the delta removes the entry";
  std::vector<int64_t> none;
  EXPECT_EQ(sync(0, &after, &none), 0) << "a full sync shows nothing";
}

TEST_F(RegistryE2E, SeriousOffenceGoesStraightToATwoYearBanNeverLonger) {
  const Person p = MakePerson("Geweld");
  const int64_t incident = Incident(p.id(), "violence");
  Card too_long;
  grpc::Status refused = Issue(incident, &too_long, 800);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("requested_days"));
  EXPECT_EQ(Count("SELECT count(*) FROM cards"), 0) << "nothing written";
  Card ban;
  ASSERT_TRUE(Issue(incident, &ban).ok());
  EXPECT_EQ(ban.kind(), CARD_KIND_COLLECTIVE_BAN);
  EXPECT_EQ(ban.days(), 730);
  EXPECT_EQ(ban.valid_until().seconds() - ban.valid_from().seconds(),
            730 * 24 * 3600);
  EXPECT_EQ(Count("SELECT max(days) FROM cards"), 730);
}

// Two officers at the same moment: the person's row lock makes the second
// decision see the first card, so there is exactly one warning and one ban,
// never two warnings or two bans.
TEST_F(RegistryE2E, ConcurrentIssuesNeitherDoubleNorMissTheEscalation) {
  for (int round = 0; round < 4; ++round) {
    const Person p = MakePerson(absl::StrCat("Gelijktijdig", round));
    const int64_t first = Incident(p.id(), "theft", kLater);
    const int64_t second = Incident(p.id(), "theft", kLater + 1);
    auto issue = [&](int64_t incident, const std::string& token) {
      return std::async(std::launch::async, [=, this] {
        Card card;
        grpc::Status s = Issue(incident, &card, 0, token);
        return s.ok() ? static_cast<int>(card.kind()) : -s.error_code();
      });
    };
    auto a = issue(first, police_);
    auto b = issue(second, coordinator_);
    std::multiset<int> kinds = {a.get(), b.get()};
    EXPECT_EQ(kinds, (std::multiset<int>{CARD_KIND_COLLECTIVE_WARNING,
                                         CARD_KIND_COLLECTIVE_BAN}))
        << "round " << round;
    // With the ban in force, two more at once: both refused, no new card.
    const int64_t third = Incident(p.id(), "theft", kLater + 2);
    const int64_t fourth = Incident(p.id(), "theft", kLater + 2);
    auto c = issue(third, police_);
    auto d = issue(fourth, coordinator_);
    EXPECT_EQ(c.get(), -grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(d.get(), -grpc::StatusCode::FAILED_PRECONDITION);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM cards WHERE kind = 'collective_ban'"),
            4);
}

TEST_F(RegistryE2E, EachRoleSeesOnlyItsFields) {
  const Person p = MakePerson("Zichtbaar");
  Card warning;
  ASSERT_TRUE(Issue(Incident(p.id()), &warning).ok());
  // An individual ban of the butcher's: the bakery must not see it.
  const Person q = MakePerson("Slagerijverbod");
  Card individual;
  ASSERT_TRUE(Issue(Incident(q.id(), "theft", -kHour, butcher_), &individual, 0,
                    police_, CARD_SCOPE_INDIVIDUAL)
                  .ok());
  EXPECT_EQ(individual.kind(), CARD_KIND_INDIVIDUAL_BAN);
  EXPECT_THAT(individual.shops(), ::testing::ElementsAre("Slagerij Vos"));

  GetPersonRequest get;
  get.set_person_id(p.id());
  Person full;
  ASSERT_TRUE(registry_->GetPerson(Ctx(police_).get(), get, &full).ok());
  EXPECT_EQ(full.surname(), "Zichtbaar");
  EXPECT_EQ(full.address(), "Kerkstraat 12");
  EXPECT_EQ(full.date_of_birth(), "1990-04-01");
  EXPECT_TRUE(full.hidden_fields().empty());
  Person other_area;
  EXPECT_EQ(
      registry_->GetPerson(Ctx(police_b_).get(), get, &other_area).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(registry_->GetPerson(Ctx(shopkeeper_).get(), get, &other_area)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ListCardsRequest list;
  list.set_area_id(area_a_);
  for (const std::string& token : {shopkeeper_, security_}) {
    ListCardsResponse cards;
    ASSERT_TRUE(registry_->ListCards(Ctx(token).get(), list, &cards).ok());
    ASSERT_EQ(cards.cards_size(), 1) << "the butcher's ban is not theirs";
    const Person& seen = cards.cards(0).person();
    EXPECT_EQ(seen.surname(), "Zichtbaar");
    EXPECT_EQ(seen.description(), "lang, rood jack, litteken boven linkeroog");
    EXPECT_EQ(seen.address(), "");
    EXPECT_EQ(seen.residence(), "");
    EXPECT_EQ(seen.date_of_birth(), "");
    EXPECT_EQ(seen.place_of_birth(), "");
    EXPECT_THAT(seen.hidden_fields(),
                ::testing::UnorderedElementsAre(
                    "address", "residence", "date_of_birth", "place_of_birth"));
  }
  ListCardsResponse butcher;
  ASSERT_TRUE(
      registry_->ListCards(Ctx(other_shopkeeper_).get(), list, &butcher).ok());
  EXPECT_EQ(butcher.cards_size(), 2) << "the collective card and its own ban";
  ListCardsRequest other;
  other.set_area_id(area_b_);
  ListCardsResponse denied;
  EXPECT_EQ(
      registry_->ListCards(Ctx(shopkeeper_).get(), other, &denied).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // A shopkeeper issues individual bans for their own shop only.
  Card not_theirs;
  EXPECT_EQ(Issue(Incident(q.id(), "theft", -kHour, butcher_), &not_theirs, 0,
                  shopkeeper_, CARD_SCOPE_INDIVIDUAL)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Every disclosure is in the audit log with its purpose, never a name.
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'registry.list_cards' AND purpose = 'door check'"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE subject LIKE "
                  "'%Zichtbaar%' OR purpose LIKE '%Zichtbaar%'"),
            0);
}

TEST_F(RegistryE2E, DatabaseHoldsNoPlaintextAndDamageIsDataLoss) {
  const Person p = MakePerson("Onleesbaar");
  const Person q = MakePerson("Anderpersoon", "1985-12-24");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  // pg_dump of the whole database: no name, address or date of birth.
  CommandResult dump =
      RunCommand({"/usr/lib/postgresql/15/bin/pg_dump", "--data-only",
                  "--host=" + (data_ / "pgrun").string(), "--port=5432",
                  "--username=kvo", "kvo"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  ASSERT_THAT(dump.out, HasSubstr("COPY public.person_fields"));
  for (const char* secret :
       {"Onleesbaar", "Anderpersoon", "Kerkstraat", "1990-04-01", "1985-12-24",
        "Jan Willem", "litteken", "Zwolle", "flessen wijn",
        "PL0600-2026123456"}) {
    EXPECT_THAT(dump.out, Not(HasSubstr(secret))) << secret;
  }

  // One flipped bit in a sealed field: a clear DATA_LOSS, never garbage.
  Sql(
      absl::StrCat("UPDATE person_fields SET sealed = set_byte(sealed, 30, "
                   "get_byte(sealed, 30) # 1) WHERE field = 'surname' AND "
                   "person_id = ",
                   p.id()));
  GetPersonRequest get;
  get.set_person_id(p.id());
  Person read;
  grpc::Status damaged = registry_->GetPerson(Ctx(police_).get(), get, &read);
  EXPECT_EQ(damaged.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(damaged.error_message(), HasSubstr("cannot decrypt"));
  // A ciphertext moved to another person's row does not open either.
  Sql(
      absl::StrCat("UPDATE person_fields SET sealed = (SELECT sealed FROM "
                   "person_fields WHERE person_id = ",
                   q.id(),
                   " AND field = 'address') WHERE field = 'address' "
                   "AND person_id = ",
                   p.id()));
  Sql(
      absl::StrCat("UPDATE person_fields SET sealed = (SELECT sealed FROM "
                   "person_fields WHERE person_id = ",
                   q.id(),
                   " AND field = 'residence') WHERE field = "
                   "'given_names' AND person_id = ",
                   q.id()));
  get.set_person_id(q.id());
  EXPECT_EQ(registry_->GetPerson(Ctx(police_).get(), get, &read).error_code(),
            grpc::StatusCode::DATA_LOSS);
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'registry.read_person' AND outcome = 'error'"),
            2);
}

// One flipped byte in one person's record, as someone with database access
// would: the lists of the area (card list for coordinator and door, the
// objections, kvo card list) skip that person, show the rest, and raise the
// integrity alarm; reading the record itself stays DATA_LOSS.
TEST_F(RegistryE2E, BrokenRecordIsSkippedInListsWithAnAlarm) {
  const Person broken = MakePerson("Kapot");
  const Person whole = MakePerson("Heel", "1985-12-24");
  Card broken_card, whole_card;
  ASSERT_TRUE(Issue(Incident(broken.id()), &broken_card).ok());
  ASSERT_TRUE(Issue(Incident(whole.id()), &whole_card).ok());
  for (int64_t card : {broken_card.id(), whole_card.id()}) {
    FileObjectionRequest file;
    file.set_card_id(card);
    file.set_grounds("ik was er niet");
    Objection objection;
    ASSERT_TRUE(
        registry_->FileObjection(Ctx(coordinator_).get(), file, &objection)
            .ok());
  }
  Sql(
      absl::StrCat("UPDATE person_fields SET sealed = set_byte(sealed, 30, "
                   "get_byte(sealed, 30) # 1) WHERE field = 'surname' AND "
                   "person_id = ",
                   broken.id()));
  const std::string alarms = absl::StrCat(
      "SELECT count(*) FROM audit_entries WHERE action = 'integrity.alarm' "
      "AND outcome = 'error' AND subject = 'person:",
      broken.pseudonym(), "'");
  ASSERT_EQ(Count(alarms), 0);

  ListCardsRequest list;
  list.set_area_id(area_a_);
  for (const std::string& token : {coordinator_, shopkeeper_, security_}) {
    ListCardsResponse cards;
    grpc::Status s = registry_->ListCards(Ctx(token).get(), list, &cards);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    std::set<int64_t> ids;
    for (const Card& c : cards.cards()) ids.insert(c.id());
    EXPECT_EQ(ids, std::set<int64_t>{whole_card.id()});
  }
  EXPECT_EQ(Count(alarms), 3);

  // The objections need the person's key and the grounds, not the name:
  // damage those too.
  Sql(
      absl::StrCat("UPDATE objections SET sealed_grounds = set_byte("
                   "sealed_grounds, 30, get_byte(sealed_grounds, 30) # 1) "
                   "WHERE card_id = ",
                   broken_card.id()));
  ListObjectionsRequest objections_req;
  objections_req.set_area_id(area_a_);
  ListObjectionsResponse objections;
  ASSERT_TRUE(
      registry_
          ->ListObjections(Ctx(coordinator_).get(), objections_req, &objections)
          .ok());
  ASSERT_EQ(objections.objections_size(), 1);
  EXPECT_EQ(objections.objections(0).card_id(), whole_card.id());
  EXPECT_EQ(Count(alarms), 4);

  // A match by blind index is still named (no duplicate registration),
  // without fields.
  FindPersonRequest find;
  find.set_given_names("Jan Willem");
  find.set_surname_prefix("van der");
  find.set_surname("Kapot");
  find.set_date_of_birth("1990-04-01");
  FindPersonResponse found;
  ASSERT_TRUE(registry_->FindPerson(Ctx(police_).get(), find, &found).ok());
  ASSERT_EQ(found.matches_size(), 1);
  EXPECT_EQ(found.matches(0).id(), broken.id());
  EXPECT_EQ(found.matches(0).surname(), "");
  EXPECT_EQ(Count(alarms), 5);

  // Through the real kvo.
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "coord", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  CommandResult kvo =
      kvod_->Kvo({"card", "list", "--area", std::to_string(area_a_)});
  EXPECT_EQ(kvo.exit_code, 0) << kvo.err;
  EXPECT_THAT(kvo.out, HasSubstr("Heel"));
  EXPECT_THAT(kvo.out, Not(HasSubstr("Kapot")));
  EXPECT_EQ(Count(alarms), 6);

  // The record itself: DATA_LOSS, as before.
  GetPersonRequest get;
  get.set_person_id(broken.id());
  Person read;
  EXPECT_EQ(registry_->GetPerson(Ctx(police_).get(), get, &read).error_code(),
            grpc::StatusCode::DATA_LOSS);
  GetNoticeRequest notice_req;
  notice_req.set_card_id(broken_card.id());
  Notice notice;
  EXPECT_EQ(registry_->GetNotice(Ctx(coordinator_).get(), notice_req, &notice)
                .error_code(),
            grpc::StatusCode::DATA_LOSS);
  get.set_person_id(whole.id());
  EXPECT_TRUE(registry_->GetPerson(Ctx(police_).get(), get, &read).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'integrity.alarm' AND subject <> 'person:" +
                  broken.pseudonym() + "'"),
            0);
}

TEST_F(RegistryE2E, FindPersonByBlindIndexBeforeRegisteringTwice) {
  const Person p = MakePerson("Dubbel");
  FindPersonRequest find;
  find.set_given_names("JAN  willem");
  find.set_surname("Van der Dubbel");  // prefix inside the surname
  find.set_date_of_birth("1990-04-01");
  FindPersonResponse found;
  ASSERT_TRUE(registry_->FindPerson(Ctx(police_).get(), find, &found).ok());
  ASSERT_EQ(found.matches_size(), 1);
  EXPECT_EQ(found.matches(0).id(), p.id());
  EXPECT_EQ(found.matches(0).surname(), "Dubbel");
  // Another area's police learn only that the record exists.
  FindPersonResponse elsewhere;
  ASSERT_TRUE(
      registry_->FindPerson(Ctx(police_b_).get(), find, &elsewhere).ok());
  ASSERT_EQ(elsewhere.matches_size(), 1);
  EXPECT_EQ(elsewhere.matches(0).surname(), "");

  Person dup;
  grpc::Status twice = registry_->CreatePerson(Ctx(police_).get(),
                                               PersonRequest("Dubbel"), &dup);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(twice.error_message(),
              HasSubstr(absl::StrCat("person ", p.id())));
  CreatePersonRequest distinct = PersonRequest("Dubbel");
  distinct.set_distinct_from_matches(true);
  EXPECT_TRUE(registry_->CreatePerson(Ctx(police_).get(), distinct, &dup).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM persons"), 2);
}

TEST_F(RegistryE2E, BadInputNamesTheFieldAndWritesNothing) {
  const Person p = MakePerson("Invoer");
  const int64_t persons = Count("SELECT count(*) FROM persons");
  Person out;
  auto create = [&](CreatePersonRequest req) {
    return registry_->CreatePerson(Ctx(police_).get(), req, &out);
  };
  CreatePersonRequest future = PersonRequest("Toekomst", "2999-01-01");
  grpc::Status s = create(future);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("date_of_birth"));
  CreatePersonRequest bad_date = PersonRequest("Datum", "1990-02-30");
  EXPECT_THAT(create(bad_date).error_message(), HasSubstr("date_of_birth"));
  CreatePersonRequest long_description = PersonRequest("Lang");
  long_description.set_description(std::string(100'000, 'x'));
  s = create(long_description);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("description"));
  CreatePersonRequest huge = PersonRequest("Enorm");
  huge.set_description(std::string(10 * 1024 * 1024, 'x'));
  EXPECT_FALSE(create(huge).ok()) << "10 MB never gets in";
  CreatePersonRequest control = PersonRequest("Be\x07l");
  EXPECT_THAT(create(control).error_message(), HasSubstr("surname"));
  CreatePersonRequest unknown_area = PersonRequest("Nergens");
  unknown_area.set_area_id(999999);
  EXPECT_EQ(create(unknown_area).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  RecordIncidentRequest inc;
  inc.set_shop_id(bakery_);
  inc.set_person_id(p.id());
  *inc.mutable_occurred_at() = SecondsFromNow(-kHour);
  inc.set_description("x");
  inc.set_offence_type("jaywalking");
  kvo::v1::Incident incident;
  s = registry_->RecordIncident(Ctx(police_).get(), inc, &incident);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("offence_type: one of theft"));
  inc.set_offence_type("theft");
  inc.set_damage_cents(-1);
  EXPECT_THAT(registry_->RecordIncident(Ctx(police_).get(), inc, &incident)
                  .error_message(),
              HasSubstr("damage_cents"));
  inc.set_damage_cents(0);
  *inc.mutable_occurred_at() = SecondsFromNow(48 * kHour);
  s = registry_->RecordIncident(Ctx(police_).get(), inc, &incident);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("occurred_at (kvo incident record "
                                           "--at): "));
  EXPECT_THAT(s.error_message(), HasSubstr("in the future; at most 5 minutes"));
  // Back to policy incident_backdate_days (90) before today, whenever the
  // area joined: an area that joins today records last month's incidents
  // (its 0-meting), but not those of half a year ago.
  Sql(absl::StrCat("UPDATE areas SET created_at = now() WHERE id = ", area_a_));
  *inc.mutable_occurred_at() = SecondsFromNow(-30 * 24 * kHour);
  s = registry_->RecordIncident(Ctx(police_).get(), inc, &incident);
  EXPECT_TRUE(s.ok()) << s.error_message();
  *inc.mutable_occurred_at() = SecondsFromNow(-89 * 24 * kHour);
  s = registry_->RecordIncident(Ctx(police_).get(), inc, &incident);
  EXPECT_TRUE(s.ok()) << s.error_message();
  const int64_t recorded = Count("SELECT count(*) FROM incidents");
  *inc.mutable_occurred_at() = SecondsFromNow(-92 * 24 * kHour);
  s = registry_->RecordIncident(Ctx(police_).get(), inc, &incident);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--at"));
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat(
                  "the earliest allowed is ",
                  absl::FormatCivilTime(
                      absl::ToCivilDay(absl::Now(), Amsterdam()) - 90),
                  " 00:00")));
  EXPECT_THAT(s.error_message(), HasSubstr("incident_backdate_days"));
  EXPECT_EQ(Count("SELECT count(*) FROM incidents"), recorded);
  // Names: nothing that reorders or hides what they show.
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{
           {"surname", "Berg\u202e"},
           {"given_names", "Jan\u200bWillem"},
           {"surname_prefix", "van\u2066der"},
           {"surname", "\ufeffBerg"},
           {"given_names", "Jan\u061c"}}) {
    CreatePersonRequest req = PersonRequest("Naam");
    if (field == "surname") req.set_surname(value);
    if (field == "given_names") req.set_given_names(value);
    if (field == "surname_prefix") req.set_surname_prefix(value);
    s = create(req);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), HasSubstr(field + ": "));
    EXPECT_THAT(s.error_message(), HasSubstr("is not allowed in a name"));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM persons"), persons);
  EXPECT_EQ(Count("SELECT count(*) FROM incidents"),
            recorded);  // + the two backdated
  *inc.mutable_occurred_at() = SecondsFromNow(60);
  EXPECT_TRUE(
      registry_->RecordIncident(Ctx(police_).get(), inc, &incident).ok());

  // SQL-looking text is data: stored and read back verbatim.
  CreatePersonRequest sql = PersonRequest("O'Neil'); DROP TABLE persons;--");
  sql.set_description("' OR 1=1 --");
  ASSERT_TRUE(create(sql).ok());
  GetPersonRequest get;
  get.set_person_id(out.id());
  Person back;
  ASSERT_TRUE(registry_->GetPerson(Ctx(police_).get(), get, &back).ok());
  EXPECT_EQ(back.surname(), "O'Neil'); DROP TABLE persons;--");
  EXPECT_EQ(back.description(), "' OR 1=1 --");
}

TEST_F(RegistryE2E, NoticePdfAndObjectionThatRevokesTheCard) {
  const Person minor = MakePerson("Jong", "2011-06-15");
  Card card;
  ASSERT_TRUE(Issue(Incident(minor.id()), &card).ok());
  // The notice, through the real kvo.
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "coord", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  const auto pdf = tmp_.path() / "notice.pdf";
  const std::string area = std::to_string(area_a_);
  // No notice for an area without an objection address: refused, naming
  // what to record and the kvo command that records it.
  CommandResult refused =
      kvod_->Kvo({"notice", std::to_string(card.id()), "--pdf", pdf.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(refused.err, HasSubstr("kvo area contact --area " + area));
  EXPECT_THAT(refused.err, HasSubstr("--objection-address"));
  EXPECT_THAT(refused.err, HasSubstr("--objection-email"));
  EXPECT_FALSE(std::filesystem::exists(pdf));
  // An IBAN with a wrong check digit: refused naming the flag, nothing
  // written (not even the other fields of the same command).
  const std::vector<std::string> contact = {"area",
                                            "contact",
                                            "--area",
                                            area,
                                            "--objection-address",
                                            "Postbus 100, 7400 AC Deventer",
                                            "--objection-email",
                                            "kvo@binnenstad.example",
                                            "--coordinator",
                                            "P. Jansen, centrummanager",
                                            "--payee",
                                            "Stichting KVO Binnenstad"};
  std::vector<std::string> bad_iban = contact;
  bad_iban.insert(bad_iban.end(), {"--iban", "NL92 ABNA 0417 1643 00"});
  CommandResult bad = kvod_->Kvo(bad_iban);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.err, HasSubstr("--iban"));
  EXPECT_THAT(bad.err, HasSubstr("check digits"));
  EXPECT_EQ(Count("SELECT count(*) FROM area_contacts"), 0);
  // Recorded, the notice is written, dated and placed, with the address.
  std::vector<std::string> good_iban = contact;
  good_iban.insert(good_iban.end(), {"--iban", "nl91abna0417164300"});
  CommandResult recorded = kvod_->Kvo(good_iban);
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_THAT(recorded.out, HasSubstr("NL91 ABNA 0417 1643 00"));
  EXPECT_THAT(kvod_->Kvo({"area", "show", "--area", area}).out,
              HasSubstr("Postbus 100, 7400 AC Deventer"));
  CommandResult notice =
      kvod_->Kvo({"notice", std::to_string(card.id()), "--pdf", pdf.string()});
  ASSERT_EQ(notice.exit_code, 0) << notice.err;
  CommandResult text = RunCommand({"/usr/bin/pdftotext", pdf.string(), "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::string one_line = text.out;
  for (char& c : one_line) {
    if (c == '\n') c = ' ';
  }
  const absl::TimeZone amsterdam = common::Amsterdam();
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), amsterdam);
  // The card ends at the moment of issue a year on; that day is not whole.
  const absl::CivilDay last_day =
      absl::ToCivilDay(absl::FromUnixSeconds(card.valid_until().seconds()),
                       amsterdam) -
      1;
  EXPECT_THAT(one_line, HasSubstr("Jan Willem van der Jong"));
  EXPECT_THAT(one_line, HasSubstr("geboren 15 juni 2011"));
  EXPECT_THAT(one_line, Not(HasSubstr("2011-06-15")));
  EXPECT_THAT(one_line, HasSubstr("Deventer, " + common::DutchDay(today)));
  EXPECT_THAT(one_line,
              HasSubstr("tot en met " + common::DutchDay(last_day) + "."));
  EXPECT_THAT(one_line, HasSubstr("P. Jansen, centrummanager, Postbus 100, "
                                  "7400 AC Deventer, of per e-mail aan "
                                  "kvo@binnenstad.example"));
  EXPECT_THAT(one_line, HasSubstr("geen overlastdonatie"));
  EXPECT_THAT(one_line, HasSubstr("Binnenstad"));
  EXPECT_THAT(one_line, HasSubstr("Slagerij Vos"));
  EXPECT_THAT(one_line, HasSubstr("Collectieve waarschuwing"));
  EXPECT_THAT(one_line, HasSubstr("ouder"));  // the parent/guardian line

  FileObjectionRequest file;
  file.set_card_id(card.id());
  file.set_grounds("Ik was die dag in Zwolle.");
  Objection objection;
  ASSERT_TRUE(
      registry_->FileObjection(Ctx(coordinator_).get(), file, &objection).ok());
  EXPECT_GT(objection.respond_by().seconds(), objection.filed_at().seconds());
  // The card stays in force while the objection is open.
  ListCardsRequest list;
  list.set_area_id(area_a_);
  ListCardsResponse cards;
  ASSERT_TRUE(registry_->ListCards(Ctx(shopkeeper_).get(), list, &cards).ok());
  EXPECT_EQ(cards.cards_size(), 1);
  DecideObjectionRequest decide;
  decide.set_objection_id(objection.id());
  decide.set_upheld(true);
  decide.set_reasons("Camerabeelden bevestigen de verklaring.");
  Objection decided;
  ASSERT_TRUE(
      registry_->DecideObjection(Ctx(coordinator_).get(), decide, &decided)
          .ok());
  EXPECT_EQ(decided.decision(), "upheld");
  EXPECT_EQ(
      registry_->DecideObjection(Ctx(coordinator_).get(), decide, &decided)
          .error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  cards.Clear();
  ASSERT_TRUE(registry_->ListCards(Ctx(shopkeeper_).get(), list, &cards).ok());
  EXPECT_EQ(cards.cards_size(), 0) << "upheld: the card is revoked";
  EXPECT_EQ(Count("SELECT count(*) FROM cards WHERE revoked_at IS NOT NULL"),
            1);
}

// What police type at the desk, through the real kvo.
TEST_F(RegistryE2E, PoliceWorkflowThroughKvo) {
  auto kvo = [&](std::vector<std::string> args) {
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  };
  auto field = [](const std::string& out, const std::string& key) {
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::StartsWith(line, key + ":")) {
        return std::string(
            absl::StripAsciiWhitespace(line.substr(key.size() + 1)));
      }
    }
    return std::string();
  };
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "agent", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  const std::string area = std::to_string(area_a_);
  const std::string person =
      field(kvo({"person", "create", "--area", area, "--given", "Kees",
                 "--prefix", "de", "--surname", "Vries", "--born", "1979-09-09",
                 "--address", "Brink 3", "--description", "blauwe pet"}),
            "id");
  ASSERT_FALSE(person.empty());
  const std::string found =
      kvo({"--json", "person", "find", "--given", "kees", "--surname",
           "De Vries", "--born", "1979-09-09"});
  EXPECT_THAT(found, HasSubstr("\"id\":" + person + ","));
  EXPECT_EQ(field(kvo({"person", "show", person}), "address"), "Brink 3");
  const std::string incident =
      field(kvo({"incident", "record", "--shop", std::to_string(bakery_),
                 "--person", person, "--type", "theft", "--description",
                 "pakje boter", "--damage-cents", "349"}),
            "id");
  ASSERT_FALSE(incident.empty());
  const std::string card = kvo({"card", "issue", incident});
  EXPECT_EQ(field(card, "kind"), "collectieve waarschuwing");
  EXPECT_EQ(field(card, "person"), "Kees de Vries");
  const std::string list = kvo({"card", "list", "--area", area});
  EXPECT_THAT(list, HasSubstr("Kees de Vries"));
  CommandResult bad = kvod_->Kvo(
      {"incident", "record", "--shop", std::to_string(bakery_), "--person",
       person, "--type", "jaywalking", "--description", "x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT: offence_type: one of"));
}

// Erasure reaches the blind index, through the real kvo: the erased person
// is as unknown to `person find` as someone never registered, and
// registering them again starts a fresh record that inherits nothing of
// the old one. The erasure's audit entry still names the old pseudonym.
TEST_F(RegistryE2E, ErasedPersonIsUnknownAndStartsAFreshRecord) {
  MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  auto login = [&](const std::string& who) {
    CommandResult r = kvod_->Kvo({"login", "--login", who, "--password-stdin"},
                                 std::string(kPassword) + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  auto kvo = [&](std::vector<std::string> args) {
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  };
  const std::string area = std::to_string(area_a_);
  const std::vector<std::string> create = {
      "person",    "create", "--area", area,         "--given",   "Wim",
      "--surname", "Wissel", "--born", "1985-02-03", "--address", "Markt 1"};
  auto find = [&](const std::string& surname, bool json = true) {
    std::vector<std::string> args = {"person", "find",      "--given",
                                     "wim",    "--surname", surname,
                                     "--born", "1985-02-03"};
    if (json) args.insert(args.begin(), "--json");
    return kvod_->Kvo(args);
  };
  auto json_id = [](const std::string& id) {
    return absl::StrCat("\"id\":", id, ",");
  };

  login("agent");
  const std::string old_id = Field(kvo(create), "id");
  ASSERT_FALSE(old_id.empty());
  const std::string incident =
      Field(kvo({"incident", "record", "--shop", std::to_string(bakery_),
                 "--person", old_id, "--type", "theft", "--description",
                 "fles wijn", "--damage-cents", "899"}),
            "id");
  ASSERT_FALSE(incident.empty());
  EXPECT_EQ(Field(kvo({"card", "issue", incident}), "kind"),
            "collectieve waarschuwing");
  EXPECT_THAT(find("Wissel").out, HasSubstr(json_id(old_id)));

  login("fg.officer");
  kvo({"person", "erase", old_id, "--reason", "verzoek betrokkene 2026-3"});

  // Exactly what someone never registered gets.
  login("agent");
  const CommandResult erased = find("Wissel");
  const CommandResult unknown = find("Nooitgezien");
  EXPECT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_EQ(erased.exit_code, unknown.exit_code);
  EXPECT_EQ(erased.out, unknown.out);
  EXPECT_EQ(erased.err, unknown.err);
  EXPECT_THAT(erased.out, Not(HasSubstr(json_id(old_id))));
  EXPECT_THAT(erased.err, Not(HasSubstr("erased")));
  const CommandResult erased_table = find("Wissel", false);
  const CommandResult unknown_table = find("Nooitgezien", false);
  EXPECT_EQ(erased_table.exit_code, 0) << erased_table.err;
  EXPECT_EQ(erased_table.out, unknown_table.out);
  EXPECT_EQ(erased_table.err, unknown_table.err);
  FindPersonRequest req;
  req.set_given_names("Wim");
  req.set_surname("Wissel");
  req.set_date_of_birth("1985-02-03");
  FindPersonResponse found;
  ASSERT_TRUE(registry_->FindPerson(Ctx(police_).get(), req, &found).ok());
  EXPECT_EQ(found.matches_size(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM persons WHERE id = " + old_id +
                  " AND blind_index IS NULL AND erased_at IS NOT NULL"),
            1);
  // The data key left the key store: no backup of the data opens again.
  EXPECT_EQ(Count("SELECT count(*) FROM data_keys WHERE person_id = " + old_id,
                  "kvo_keys"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM persons WHERE id = " + old_id +
                  " AND key_shredded_at IS NOT NULL"),
            1);

  // A new registration is no duplicate: a fresh record with nothing of
  // the old one's history, so its first card is a warning again.
  const std::string new_out = kvo(create);
  const std::string new_id = Field(new_out, "id");
  ASSERT_FALSE(new_id.empty());
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(Field(kvo({"person", "show", new_id}), "address"), "Markt 1");
  EXPECT_EQ(Count("SELECT count(*) FROM incident_persons WHERE person_id = " +
                  new_id),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM cards WHERE person_id = " + new_id), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM incident_persons WHERE person_id = " +
                  old_id),
            1);
  EXPECT_EQ(Count("SELECT count(DISTINCT pseudonym) FROM persons WHERE id IN "
                  "(" +
                  old_id + ", " + new_id + ")"),
            2);
  const std::string found_again = find("Wissel").out;
  EXPECT_THAT(found_again, HasSubstr(json_id(new_id)));
  EXPECT_THAT(found_again, Not(HasSubstr(json_id(old_id))));
  const std::string again =
      Field(kvo({"incident", "record", "--shop", std::to_string(bakery_),
                 "--person", new_id, "--type", "theft", "--description",
                 "fles wijn", "--damage-cents", "899"}),
            "id");
  EXPECT_EQ(Field(kvo({"card", "issue", again}), "kind"),
            "collectieve waarschuwing");

  // The erasure's audit entry stays, under the old pseudonymous id.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries a JOIN persons p ON "
                  "a.subject = 'person:' || p.pseudonym WHERE p.id = " +
                  old_id + " AND a.action = 'registry.erase_person'"),
            1);
}

// kvo incident list: police and the coordinator see the area's incidents,
// newest first, with their summaries (audited, naming the persons); a
// shopkeeper sees their own shop's only, security (no shop) none; another
// area's police nothing; filters, pages and bad input; an erased person's
// incidents keep their facts and lose their texts.
TEST_F(RegistryE2E, IncidentsAreListedForTheRolesThatMaySeeThem) {
  const Person a = MakePerson("Lijst");
  const Person b = MakePerson("Lijstig", "1985-02-02");
  const int64_t old_at_bakery = Incident(a.id(), "theft", -72 * kHour);
  const int64_t at_bakery = Incident(a.id(), "theft", -2 * kHour);
  const int64_t at_butcher = Incident(b.id(), "vandalism", -kHour, butcher_);
  const auto list = [&](const std::string& token,
                        ListIncidentsRequest req) -> ListIncidentsResponse {
    if (req.area_id() == 0) req.set_area_id(area_a_);
    ListIncidentsResponse resp;
    grpc::Status s = registry_->ListIncidents(Ctx(token).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  };
  const auto ids = [](const ListIncidentsResponse& r) {
    std::vector<int64_t> out;
    for (const auto& i : r.incidents()) out.push_back(i.id());
    return out;
  };
  const std::string audited =
      "SELECT count(*) FROM audit_entries WHERE action = "
      "'registry.list_incidents' AND outcome = 'ok'";

  for (const std::string& token : {police_, coordinator_}) {
    ListIncidentsResponse all = list(token, {});
    EXPECT_EQ(ids(all),
              (std::vector<int64_t>{at_butcher, at_bakery, old_at_bakery}));
    EXPECT_EQ(all.incidents(0).description(),
              "nam twee flessen wijn mee zonder te betalen");
    EXPECT_EQ(all.incidents(0).police_report_number(), "PL0600-2026123456");
    EXPECT_EQ(all.incidents(0).person_id(), b.id());
    EXPECT_TRUE(all.next_page_token().empty());
  }
  EXPECT_EQ(Count(audited), 2);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM audit_entries WHERE "
                               "action = 'registry.list_incidents' AND "
                               "subject LIKE '%",
                               a.pseudonym(), "%' AND subject LIKE '%",
                               b.pseudonym(), "%'")),
            2);

  // The bakery's shopkeeper: the bakery's only; the butcher's is refused.
  EXPECT_EQ(ids(list(shopkeeper_, {})),
            (std::vector<int64_t>{at_bakery, old_at_bakery}));
  ListIncidentsRequest butchers;
  butchers.set_area_id(area_a_);
  butchers.set_shop_id(butcher_);
  ListIncidentsResponse none;
  grpc::Status s =
      registry_->ListIncidents(Ctx(shopkeeper_).get(), butchers, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("--shop"));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'registry.list_incidents' AND outcome = 'denied'"),
            1);
  EXPECT_EQ(ids(list(other_shopkeeper_, {})),
            (std::vector<int64_t>{at_butcher}));
  const int64_t before_security = Count(audited);
  EXPECT_TRUE(list(security_, {}).incidents().empty()) << "a member of none";
  EXPECT_EQ(Count(audited), before_security) << "nothing disclosed";
  ListIncidentsRequest area_a;
  area_a.set_area_id(area_a_);
  EXPECT_EQ(registry_->ListIncidents(Ctx(police_b_).get(), area_a, &none)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Filters: a person, a shop, a period; pages.
  ListIncidentsRequest of_a;
  of_a.set_person_id(a.id());
  EXPECT_EQ(ids(list(police_, of_a)),
            (std::vector<int64_t>{at_bakery, old_at_bakery}));
  ListIncidentsRequest at_the_butcher;
  at_the_butcher.set_shop_id(butcher_);
  EXPECT_EQ(ids(list(coordinator_, at_the_butcher)),
            (std::vector<int64_t>{at_butcher}));
  ListIncidentsRequest period;
  const absl::CivilDay long_ago =
      absl::ToCivilDay(absl::Now() - absl::Hours(72), Amsterdam());
  period.set_from(absl::FormatCivilTime(long_ago));
  period.set_to(absl::FormatCivilTime(long_ago));
  EXPECT_EQ(ids(list(police_, period)), (std::vector<int64_t>{old_at_bakery}));
  ListIncidentsRequest paged;
  paged.set_limit(2);
  ListIncidentsResponse first = list(police_, paged);
  EXPECT_EQ(ids(first), (std::vector<int64_t>{at_butcher, at_bakery}));
  ASSERT_FALSE(first.next_page_token().empty());
  paged.set_page_token(first.next_page_token());
  ListIncidentsResponse second = list(police_, paged);
  EXPECT_EQ(ids(second), (std::vector<int64_t>{old_at_bakery}));
  EXPECT_TRUE(second.next_page_token().empty());

  // Bad input: the right code, the flag, nothing disclosed.
  const int64_t disclosed = Count(audited);
  for (const auto& [edit, flag] : std::vector<
           std::pair<std::function<void(ListIncidentsRequest&)>, std::string>>{
           {[](ListIncidentsRequest& r) { r.set_limit(501); }, "--limit"},
           {[](ListIncidentsRequest& r) { r.set_from("2026-13-01"); },
            "--from"},
           {[](ListIncidentsRequest& r) {
              r.set_from("2026-05-02");
              r.set_to("2026-05-01");
            },
            "--to"},
           {[](ListIncidentsRequest& r) { r.set_page_token("x"); },
            "--page-token"},
           {[this](ListIncidentsRequest& r) { r.set_shop_id(butcher_ + 100); },
            "--shop"}}) {
    ListIncidentsRequest bad;
    bad.set_area_id(area_a_);
    edit(bad);
    s = registry_->ListIncidents(Ctx(police_).get(), bad, &none);
    EXPECT_NE(s.error_code(), grpc::StatusCode::OK) << flag;
    EXPECT_THAT(s.error_message(), HasSubstr(flag));
  }
  EXPECT_EQ(Count(audited), disclosed);

  // Erased: the facts stay, nothing of the person.
  ErasePersonRequest erase;
  erase.set_person_id(b.id());
  erase.set_reason("verzoek betrokkene");
  ErasePersonResponse erased;
  s = registry_->ErasePerson(Ctx(coordinator_).get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ListIncidentsResponse after = list(police_, at_the_butcher);
  ASSERT_EQ(ids(after), (std::vector<int64_t>{at_butcher}));
  EXPECT_EQ(after.incidents(0).person_id(), 0);
  EXPECT_EQ(after.incidents(0).description(), "");
  EXPECT_EQ(after.incidents(0).offence_type(), "vandalism");

  // kvo incident list: its help names the roles; the table shows the text.
  ASSERT_EQ(kvod_
                ->Kvo({"login", "--login", "bakker", "--password-stdin"},
                      std::string(kPassword) + "\n")
                .exit_code,
            0);
  CommandResult help = kvod_->Kvo({"incident", "list", "--help"});
  EXPECT_THAT(help.out, HasSubstr("police"));
  EXPECT_THAT(help.out, HasSubstr("coordinator"));
  EXPECT_THAT(help.out, HasSubstr("shopkeeper and security"));
  CommandResult table = kvod_->Kvo(
      {"incident", "list", "--area", absl::StrCat(area_a_), "--limit", "1"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat(at_bakery)));
  EXPECT_THAT(table.out, HasSubstr("nam twee flessen wijn"));
  EXPECT_THAT(table.err, HasSubstr("more: --page-token "));
}

}  // namespace
}  // namespace kvo::testing
