// The KVO cycle through the real kvod and kvo: a new area from its
// declaration of intent to a first certificate, and licence first at the
// door (the gallery refused before the licence and the shop's declaration
// are recorded, served after).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "kvo/v1/cycle.grpc.pb.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/test_images.h"

namespace kvo::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using vips::VImage;

class CycleE2E : public RegistryFixture {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("kvo_e2e"), 0); }
  void SetUp() override {
    RegistryFixture::SetUp();
    if (HasFatalFailure()) return;
    gallery_ = GalleryService::NewStub(kvod_->Channel());
  }

  CommandResult Kvo(const std::vector<std::string>& args) {
    return kvod_->Kvo(args);
  }
  void LoginAs(const std::string& who) {
    CommandResult r = kvod_->Kvo({"login", "--login", who, "--password-stdin"},
                                 std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // kvo with `args` must succeed; its stdout.
  std::string Ok(const std::vector<std::string>& args) {
    CommandResult r = Kvo(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.err;
    return r.out;
  }
  // Steps 1 to 4 of `area` as its coordinator (logged in) runs them after
  // its 0-meting and plan: the intent signed by every party, a passed
  // assessment, the first certificate.
  void SignAndCertify(const std::string& area) {
    Ok({"intent", "draft", "--area", area, "--text", "Wij werken samen."});
    for (const char* party :
         {"municipality", "entrepreneurs", "police", "fire_brigade"}) {
      Ok({"intent", "sign", "--area", area, "--party", party, "--signed-by",
          absl::StrCat("namens ", party), "--signed-on", Day(-1)});
    }
    Ok({"cert", "assess", "--area", area, "--assessed-on", Day(0), "--assessor",
        "Certificeerder BV", "--findings", "Op orde."});
    Ok({"cert", "issue", "--area", area});
  }
  static std::string Day(int days_from_today) {
    return absl::FormatCivilTime(
        absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days_from_today);
  }
  // A full sync as `token`: its status and the number of entries.
  std::pair<grpc::Status, int> Sync(const std::string& token) {
    SyncGalleryRequest req;
    auto ctx = Ctx(token);
    auto reader = gallery_->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    int entries = 0;
    while (reader->Read(&u)) entries += u.has_entry() ? 1 : 0;
    return {reader->Finish(), entries};
  }

  std::unique_ptr<GalleryService::Stub> gallery_;
};

TEST_F(CycleE2E, GalleryRefusedUntilLicenceAndDeclarationThenServed) {
  Card card;
  ASSERT_TRUE(Issue(Incident(MakePerson("Deurcontrole").id()), &card).ok());
  const std::string area = absl::StrCat(area_a_);

  auto [refused, none] = Sync(shopkeeper_);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("geen vergunning"));
  EXPECT_THAT(refused.error_message(), HasSubstr("No licence is in force"));
  EXPECT_EQ(none, 0);
  GetPhotoRequest photo_req;
  photo_req.set_entry_id(card.person_id());
  Photo photo;
  EXPECT_EQ(gallery_->GetPhoto(Ctx(shopkeeper_).get(), photo_req, &photo)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'gallery.sync' AND outcome = 'denied'"),
            1);

  LoginAs("coord");
  // A licence that ends before it starts: refused naming the flag.
  CommandResult bad =
      Kvo({"area", "licence", "--area", area, "--kind", "ccv_bulk", "--number",
           "CCV-17", "--holder", "Stichting KVO", "--valid-from", Day(0),
           "--valid-until", Day(-1)});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.err, HasSubstr("--valid-until"));
  EXPECT_EQ(Count("SELECT count(*) FROM licences"), 0);
  const std::string licence =
      Ok({"area", "licence", "--area", area, "--kind", "ccv_bulk", "--number",
          "CCV-17", "--holder", "Stichting KVO", "--valid-from", Day(-1),
          "--valid-until", Day(40)});
  EXPECT_THAT(licence, HasSubstr("CCV-bulkvergunning"));
  EXPECT_THAT(Ok({"area", "due"}), HasSubstr("vergunning loopt af"));

  // Licensed, but the bakery has not declared it follows the protocol.
  EXPECT_TRUE(Sync(police_).first.ok());
  refused = Sync(shopkeeper_).first;
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("Bakkerij de Korenaar"));

  Ok({"area", "participant", "--area", area, "--shop", absl::StrCat(bakery_),
      "--agreement-signed", Day(-2), "--declaration-signed", Day(-2)});
  auto [served, entries] = Sync(shopkeeper_);
  EXPECT_TRUE(served.ok()) << served.error_message();
  EXPECT_EQ(entries, 1);
  // The butcher's shop still has not signed.
  EXPECT_EQ(Sync(other_shopkeeper_).first.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const std::string show = Ok({"area", "show", "--area", area});
  EXPECT_THAT(show, HasSubstr("KVO-W"));
  EXPECT_THAT(show, HasSubstr("niet getekend"));  // the butcher
  absl::CivilDay until;
  ASSERT_TRUE(absl::ParseCivilTime(Day(40), &until));
  static constexpr const char* kMonths[] = {
      "januari", "februari", "maart",     "april",   "mei",      "juni",
      "juli",    "augustus", "september", "oktober", "november", "december"};
  EXPECT_THAT(
      show, HasSubstr(absl::StrCat(until.day(), " ", kMonths[until.month() - 1],
                                   " ", until.year())));
}

TEST_F(CycleE2E, ANewAreaFromIntentToAFirstCertificate) {
  const int64_t area_id = MakeArea("Havenkwartier");
  const std::string area = absl::StrCat(area_id);
  MakeUser("coord.haven", ROLE_COORDINATOR, {area_id});
  MakeUser("winkel.haven", ROLE_SHOPKEEPER, {area_id});
  LoginAs("coord.haven");

  Ok({"area", "street", "--area", area, "--name", "Havenstraat", "--contact",
      "P. Visser", "--contact-details", "06-12345678"});
  Ok({"area", "party", "--area", area, "--kind", "fire_brigade", "--name",
      "Brandweer IJsselland", "--contact", "K. de Boer"});
  CommandResult bad_kind = Kvo({"area", "party", "--area", area, "--kind",
                                "mayor", "--name", "X", "--contact", "Y"});
  EXPECT_NE(bad_kind.exit_code, 0);
  EXPECT_THAT(bad_kind.err, HasSubstr("--kind"));

  std::string status = Ok({"cycle", "status", "--area", area});
  EXPECT_THAT(status, HasSubstr("Intentieverklaring"));
  EXPECT_THAT(status, HasSubstr("de tekst van de intentieverklaring"));

  Ok({"intent", "draft", "--area", area, "--text",
      "Gemeente, ondernemers, politie en brandweer werken samen aan een "
      "veilig Havenkwartier."});
  CommandResult not_required =
      Kvo({"intent", "sign", "--area", area, "--party", "biz", "--signed-by",
           "BIZ-bestuur", "--signed-on", Day(0)});
  EXPECT_NE(not_required.exit_code, 0);
  EXPECT_THAT(not_required.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(not_required.err, HasSubstr("--party"));
  for (const char* party :
       {"municipality", "entrepreneurs", "police", "fire_brigade"}) {
    Ok({"intent", "sign", "--area", area, "--party", party, "--signed-by",
        absl::StrCat("namens ", party), "--signed-on", Day(-1)});
  }
  EXPECT_THAT(Ok({"intent", "show", "--area", area}),
              HasSubstr("door alle partijen getekend"));

  // A certificate (step 4) needs the 0-meting (step 2) and the plan (step
  // 3): refused naming each and the commands that record them.
  CommandResult early = Kvo({"cert", "issue", "--area", area});
  EXPECT_NE(early.exit_code, 0);
  EXPECT_THAT(early.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(early.err, HasSubstr("step 2 (Veiligheidsanalyse (0-meting))"));
  EXPECT_THAT(early.err, HasSubstr("kvo survey measure"));
  EXPECT_THAT(early.err, HasSubstr("step 3 (Plan van aanpak)"));
  EXPECT_THAT(early.err, HasSubstr("kvo plan objective"));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM certificates WHERE "
                               "area_id = ",
                               area_id)),
            0);
  // The 0-meting: one shop of the area answers.
  const std::string shop = Field(
      Ok({"shop", "create", "--area", area, "--name", "Havenwinkel"}), "id");
  Ok({"area", "participant", "--area", area, "--shop", shop,
      "--agreement-signed", Day(-2)});
  const std::string measured =
      Ok({"survey", "measure", "--area", area, "--label", "0-meting", "--from",
          Day(-60), "--to", Day(-1)});
  ASSERT_EQ(measured.rfind("measurement:", 0), 0u) << measured;
  Ok({"survey", "answer", "--area", area, "--measurement",
      std::to_string(std::stoll(measured.substr(12))), "--shop", shop,
      "--answer", "v01=nee"});
  // The plan of action, which the area's shopkeeper reads.
  const std::string objective =
      Ok({"plan", "objective", "--area", area, "--description",
          "Winkeldiefstal -10 % t.o.v. de 0-meting", "--target", "-10 %",
          "--measure", "camera_surveillance"});
  ASSERT_EQ(objective.rfind("objective:", 0), 0u) << objective;
  const std::string objective_id =
      std::to_string(std::stoll(objective.substr(10)));
  Ok({"plan", "activity", "--area", area, "--objective", objective_id,
      "--description", "Camera's bij de ingangen", "--owner",
      "Ondernemersvereniging", "--deadline", Day(-1)});
  EXPECT_THAT(Ok({"plan", "show", "--area", area, "--overdue"}),
              HasSubstr("Camera's bij de ingangen"));
  Ok({"cert", "assess", "--area", area, "--assessed-on", Day(0), "--assessor",
      "Certificeerder BV", "--findings", "Goede samenwerking."});
  const std::string cert = Ok({"cert", "issue", "--area", area});
  EXPECT_THAT(cert, HasSubstr("Basis Samenwerken"));

  status = Ok({"cycle", "status", "--area", area});
  EXPECT_THAT(status, HasSubstr("gereed"));
  EXPECT_THAT(status, HasSubstr("Veiligheidsanalyse"));
  EXPECT_GE(Count(absl::StrCat("SELECT count(*) FROM audit_entries WHERE "
                               "action LIKE 'cycle.%' AND area_id = ",
                               area_id)),
            9);

  // The fire brigade's figures, entered by the coordinator: a file with a
  // bad line imports nothing and names the line.
  const auto csv = tmp_.path() / "brandweer.csv";
  {
    std::ofstream out(csv);
    out << "period,category,count\n2026-01,fire,2\n2026-02,fire,-1\n";
  }
  CommandResult bad_figures = Kvo({"figures", "import", csv.string(), "--area",
                                   area, "--source", "fire_brigade"});
  EXPECT_NE(bad_figures.exit_code, 0);
  EXPECT_THAT(bad_figures.err, HasSubstr("line 3, column count"));
  EXPECT_EQ(Count("SELECT count(*) FROM area_figures"), 0);
  {
    std::ofstream out(csv);
    out << "period,category,count\n2026-01,fire,2\n2026-02,fire,1\n";
  }
  EXPECT_THAT(Ok({"figures", "import", csv.string(), "--area", area, "--source",
                  "fire_brigade"}),
              HasSubstr("2"));
  EXPECT_THAT(Ok({"figures", "list", "--area", area}), HasSubstr("brandweer"));

  // The area's shopkeeper reads the status but runs nothing; another
  // area's coordinator does neither.
  LoginAs("winkel.haven");
  EXPECT_THAT(Ok({"cycle", "status", "--area", area}),
              HasSubstr("Certificering"));
  EXPECT_THAT(Ok({"plan", "show", "--area", area}),
              HasSubstr("Winkeldiefstal -10 %"));
  CommandResult shopkeeper = Kvo({"cert", "assess", "--area", area,
                                  "--assessed-on", Day(0), "--assessor", "X"});
  EXPECT_THAT(shopkeeper.err, HasSubstr("PERMISSION_DENIED"));
  LoginAs("coord");
  CommandResult other = Kvo({"cycle", "status", "--area", area});
  EXPECT_THAT(other.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(other.out, Not(HasSubstr("Intentieverklaring")));
}

// The survey: the questionnaire in Dutch, a 0-meting, a shopkeeper's
// anonymous answers from a file (bad ones refused, nothing written), the
// completion rate.
TEST_F(CycleE2E, SurveyAnsweredByAShopkeeperWithCompletionRate) {
  const std::string area = absl::StrCat(area_a_);
  LoginAs("coord");
  const std::string questionnaire = Ok({"survey", "show"});
  EXPECT_THAT(questionnaire, HasSubstr("60 vragen"));
  EXPECT_THAT(questionnaire, HasSubstr("Veiligheidsgevoel"));
  EXPECT_THAT(questionnaire, HasSubstr("Hoe veilig voelt u zich"));
  EXPECT_THAT(questionnaire, HasSubstr("zeer_veilig (zeer veilig)"));
  for (int64_t shop : {bakery_, butcher_}) {
    Ok({"area", "participant", "--area", area, "--shop", absl::StrCat(shop),
        "--agreement-signed", Day(-2)});
  }
  CommandResult inverted =
      Kvo({"survey", "measure", "--area", area, "--label", "0-meting", "--from",
           "2026-01-01", "--to", "2025-12-31"});
  EXPECT_THAT(inverted.err, HasSubstr("--to"));
  const std::string measured =
      Ok({"survey", "measure", "--area", area, "--label", "0-meting", "--from",
          "2025-01-01", "--to", "2025-12-31"});
  EXPECT_THAT(measured, HasSubstr("from:          1 januari 2025"));
  EXPECT_THAT(measured, HasSubstr("to:            31 december 2025"));
  ASSERT_EQ(measured.rfind("measurement:", 0), 0u) << measured;
  const std::string measurement =
      std::to_string(std::stoll(measured.substr(12)));

  LoginAs("bakker");
  const auto answers = tmp_.path() / "enquete.txt";
  {
    std::ofstream out(answers);
    out << "# Bakkerij, 0-meting\nv01 = ja\nv22=heel_fijn\nv52=ja\n";
  }
  const std::vector<std::string> answer = {
      "survey",        "answer",        "--area", area,
      "--measurement", measurement,     "--shop", absl::StrCat(bakery_),
      "--file",        answers.string()};
  CommandResult outside = Kvo(answer);
  EXPECT_NE(outside.exit_code, 0);
  EXPECT_THAT(outside.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(outside.err, HasSubstr("question 'v22'"));
  EXPECT_EQ(Count("SELECT count(*) FROM survey_responses"), 0);
  {
    std::ofstream out(answers);
    out << "# Bakkerij, 0-meting\nv01 = ja\nv22=veilig\nv52=ja\n";
  }
  EXPECT_THAT(Ok(answer), HasSubstr("answered:    3"));
  std::vector<std::string> again = answer;
  again.insert(again.end(), {"--answer", "v02=vaak"});
  EXPECT_THAT(Ok(again), HasSubstr("eerdere antwoorden vervangen"));
  CommandResult other_shop =
      Kvo({"survey", "answer", "--area", area, "--measurement", measurement,
           "--shop", absl::StrCat(butcher_), "--answer", "v01=nee"});
  EXPECT_THAT(other_shop.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(other_shop.err, HasSubstr("--shop"));
  EXPECT_THAT(Kvo({"survey", "status", "--area", area}).err,
              HasSubstr("PERMISSION_DENIED"));

  LoginAs("coord");
  const std::string status = Ok({"survey", "status", "--area", area});
  EXPECT_THAT(status, ContainsRegex("RESPONSES +PARTICIPANTS"));
  EXPECT_THAT(status, ContainsRegex("31 december 2025 +1 +2 +50,0 %"));
  EXPECT_THAT(status, HasSubstr("50,0 %"));
  EXPECT_EQ(Count("SELECT count(*) FROM survey_answers"), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'cycle.answer_survey'"),
            2);
}

// The schouw: a round in the dark, a finding on a street of the area (not
// on another street, not of an unknown category), read by the area's
// shopkeeper, resolved by the coordinator.
TEST_F(CycleE2E, SchouwFindingsOnTheAreasStreetsAndTheirFollowUp) {
  const std::string area = absl::StrCat(area_a_);
  LoginAs("coord");
  Ok({"area", "street", "--area", area, "--name", "Brink", "--contact",
      "J. Smit"});
  const std::string round =
      Ok({"schouw", "round", "--area", area, "--kind", "dark", "--walked-on",
          Day(-1), "--notes", "Met wijkagent en brandweer"});
  EXPECT_THAT(round, HasSubstr("in het donker"));
  ASSERT_EQ(round.rfind("round:", 0), 0u) << round;
  const std::string round_id = std::to_string(std::stoll(round.substr(6)));
  const std::vector<std::string> finding = {
      "schouw",        "finding",
      "--area",        area,
      "--round",       round_id,
      "--severity",    "high",
      "--description", "Lantaarnpaal bij nr. 12 defect"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = finding;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  CommandResult other_street =
      Kvo(with({"--street", "Kerkstraat", "--category", "lighting"}));
  EXPECT_THAT(other_street.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(other_street.err, HasSubstr("--street"));
  EXPECT_THAT(other_street.err, HasSubstr("Brink"));
  CommandResult unknown_category =
      Kvo(with({"--street", "Brink", "--category", "lantaarn"}));
  EXPECT_THAT(unknown_category.err, HasSubstr("--category"));
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_findings"), 0);
  const std::string added =
      Ok(with({"--street", "Brink", "--category", "lighting", "--follow-up",
               "Gemeente gebeld"}));
  EXPECT_THAT(added, HasSubstr("severity:      hoog"));
  ASSERT_EQ(added.rfind("finding:", 0), 0u) << added;
  const std::string finding_id = std::to_string(std::stoll(added.substr(8)));

  LoginAs("bakker");
  EXPECT_THAT(Ok({"schouw", "list", "--area", area, "--open"}),
              HasSubstr("Lantaarnpaal bij nr. 12 defect"));
  EXPECT_THAT(Kvo({"schouw", "resolve", finding_id, "--area", area}).err,
              HasSubstr("PERMISSION_DENIED"));

  LoginAs("coord");
  EXPECT_THAT(Ok({"schouw", "resolve", finding_id, "--area", area,
                  "--follow-up", "Lamp vervangen"}),
              HasSubstr("opgelost"));
  const std::string open = Ok({"schouw", "list", "--area", area, "--open"});
  EXPECT_THAT(open, HasSubstr("in het donker"));
  EXPECT_THAT(open, Not(HasSubstr("Lantaarnpaal")));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action IN "
                  "('cycle.record_schouw_round', 'cycle.add_finding', "
                  "'cycle.set_finding_status')"),
            3);
}

// A finding with a photo: a JPEG with EXIF (GPS, camera) goes in through
// kvo, is kept encrypted, and what the coordinator fetches back has no
// metadata; a file that is no image is refused naming --photo and writes no
// finding; the area's shopkeeper sees that there is a photo, not the photo.
TEST_F(CycleE2E, SchouwFindingPhotoWithoutItsMetadata) {
  const std::string area = absl::StrCat(area_a_);
  LoginAs("coord");
  Ok({"area", "street", "--area", area, "--name", "Brink", "--contact",
      "J. Smit"});
  const std::string round = Ok({"schouw", "round", "--area", area, "--kind",
                                "daylight", "--walked-on", Day(-1)});
  ASSERT_EQ(round.rfind("round:", 0), 0u) << round;
  const std::string round_id = std::to_string(std::stoll(round.substr(6)));
  const auto bad = tmp_.path() / "geen-foto.jpg";
  std::ofstream(bad, std::ios::binary) << "GIF89a this is no photo";
  const auto jpeg = tmp_.path() / "lantaarn.jpg";
  const std::string original = PhotoWithMetadata();
  ASSERT_THAT(original, HasSubstr("Exif"));
  std::ofstream(jpeg, std::ios::binary) << original;
  std::vector<std::string> finding = {
      "schouw",        "finding",       "--area",     area,
      "--round",       round_id,        "--street",   "Brink",
      "--category",    "lighting",      "--severity", "medium",
      "--description", "Donkere steeg", "--photo"};

  finding.push_back(bad.string());
  CommandResult refused = Kvo(finding);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(refused.err, HasSubstr("--photo"));
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_findings"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos"), 0);

  finding.back() = jpeg.string();
  const std::string added = Ok(finding);
  EXPECT_THAT(added, HasSubstr("photo:         ja"));
  ASSERT_EQ(added.rfind("finding:", 0), 0u) << added;
  const std::string finding_id = std::to_string(std::stoll(added.substr(8)));
  // Sealed at rest: no JPEG, no camera name in the table.
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos WHERE "
                  "position('\\xffd8ff'::bytea in sealed_jpeg) = 1 OR "
                  "position('KVO-Test-Camera'::bytea in sealed_jpeg) > 0"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos"), 1);

  const auto out = tmp_.path() / "terug.jpg";
  EXPECT_THAT(Ok({"schouw", "photo", "--area", area, "--finding", finding_id,
                  "--out", out.string()}),
              HasSubstr("zonder metadata"));
  std::ifstream in(out, std::ios::binary);
  const std::string back((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  ASSERT_EQ(back.substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_THAT(back, Not(HasSubstr("Exif")));
  EXPECT_THAT(back, Not(HasSubstr("KVO-Test-Camera")));
  EXPECT_THAT(back, Not(HasSubstr("KVO-XMP-Secret")));
  VImage image = VImage::new_from_buffer(back.data(), back.size(), "");
  EXPECT_EQ(image.get_typeof("exif-data"), 0u);
  EXPECT_EQ(image.get_typeof("xmp-data"), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'cycle.get_finding_photo'"),
            1);

  LoginAs("bakker");
  EXPECT_THAT(Ok({"schouw", "list", "--area", area}), HasSubstr("ja"));
  CommandResult shopkeeper =
      Kvo({"schouw", "photo", "--area", area, "--finding", finding_id, "--out",
           (tmp_.path() / "niet.jpg").string()});
  EXPECT_THAT(shopkeeper.err, HasSubstr("PERMISSION_DENIED"));
}

// The same through kvod with clock control, for the schouw photos'
// retention.
class SchouwPhotoRetentionE2E : public CycleE2E {
 protected:
  SchouwPhotoRetentionE2E() {
    policy_edits_ = {{"audit {", "testing { clock_control: true }\naudit {"}};
  }
  // Records a finding with a photo on the Brink in `round`; its id.
  std::string FindingWithPhoto(const std::string& area,
                               const std::string& round,
                               const std::string& description) {
    const auto jpeg = tmp_.path() / "schouw.jpg";
    std::ofstream(jpeg, std::ios::binary) << PhotoWithMetadata();
    const std::string added =
        Ok({"schouw", "finding", "--area", area, "--round", round, "--street",
            "Brink", "--category", "lighting", "--severity", "high",
            "--description", description, "--photo", jpeg.string()});
    EXPECT_EQ(added.rfind("finding:", 0), 0u) << added;
    return std::to_string(std::stoll(added.substr(8)));
  }
};

// retention.schouw_photo_days (90) after a finding was resolved, kvod's
// retention job deletes its photo: kvo schouw photo says so in Dutch with
// the day, kvo schouw list shows it; the finding stays. An open finding's
// photo stays, and so does that of a finding reopened before the day.
TEST_F(SchouwPhotoRetentionE2E, AResolvedFindingsPhotoGoesAfterTheRetention) {
  MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {area_a_});
  const std::string area = absl::StrCat(area_a_);
  LoginAs("coord");
  Ok({"area", "street", "--area", area, "--name", "Brink", "--contact",
      "J. Smit"});
  const std::string round = Ok({"schouw", "round", "--area", area, "--kind",
                                "dark", "--walked-on", Day(-1)});
  ASSERT_EQ(round.rfind("round:", 0), 0u) << round;
  const std::string round_id = std::to_string(std::stoll(round.substr(6)));
  const std::string resolved = FindingWithPhoto(area, round_id, "Lamp kapot");
  const std::string open = FindingWithPhoto(area, round_id, "Donkere steeg");
  const std::string reopened = FindingWithPhoto(area, round_id, "Leeg pand");
  Ok({"schouw", "resolve", resolved, "--area", area, "--follow-up",
      "lamp vervangen"});
  Ok({"schouw", "resolve", reopened, "--area", area});
  Ok({"schouw", "resolve", reopened, "--area", area, "--status", "in_progress",
      "--follow-up", "toch niet verhuurd"});
  ASSERT_EQ(Count("SELECT count(*) FROM schouw_finding_photos"), 3);

  // 89 days on, nothing is due yet.
  RestartWithClockAhead(89);
  LoginAs("fg.officer");
  Ok({"retention", "run"});
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos"), 3);

  RestartWithClockAhead(91);
  LoginAs("fg.officer");
  EXPECT_THAT(Ok({"retention", "report"}), HasSubstr("schouw_photo"));
  Ok({"retention", "run"});
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos WHERE "
                  "finding_id = " +
                  resolved),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_finding_photos"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM schouw_findings"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'retention.run' AND subject LIKE '%schouw-finding:" +
                  resolved + "%'"),
            1);

  LoginAs("coord");
  CommandResult gone =
      Kvo({"schouw", "photo", "--area", area, "--finding", resolved, "--out",
           (tmp_.path() / "weg.jpg").string()});
  EXPECT_EQ(gone.exit_code, 1) << gone.err;
  EXPECT_THAT(gone.err,
              ContainsRegex("de foto van bevinding " + resolved +
                            " is op [0-9]+ [a-z]+ 20[0-9][0-9] verwijderd"));
  EXPECT_THAT(gone.err, HasSubstr("bewaartermijn"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "weg.jpg"));
  // The list says the photo is gone and on which day (PHOTO_DELETED).
  EXPECT_THAT(Ok({"schouw", "list", "--area", area}),
              ContainsRegex("nee +[0-9]+ [a-z]+ 20[0-9][0-9]"));
  for (const std::string& kept : {open, reopened}) {
    EXPECT_THAT(Ok({"schouw", "photo", "--area", area, "--finding", kept,
                    "--out", (tmp_.path() / (kept + ".jpg")).string()}),
                HasSubstr("zonder metadata"));
  }
}

// Step 7 (Bijstellen) through kvo: refused before the 1-meting; after it,
// the coordinator changes a target (with a decimal comma) and cancels an
// activity; kvo plan shows the new version and the adjustment, and the
// area's status has step 7 done.
TEST_F(CycleE2E, PlanAdjustedAfterTheOneMeting) {
  const std::string area = absl::StrCat(area_a_);
  LoginAs("coord");
  Ok({"area", "participant", "--area", area, "--shop", absl::StrCat(bakery_),
      "--agreement-signed", Day(-400)});
  const std::string objective =
      Ok({"plan", "objective", "--area", area, "--description",
          "Minder winkeldiefstal", "--target", "-10 %", "--measure",
          "camera_surveillance", "--metric", "police.total", "--target-change",
          "-10"});
  ASSERT_EQ(objective.rfind("objective:", 0), 0u) << objective;
  const std::string objective_id =
      std::to_string(std::stoll(objective.substr(10)));
  const std::string activity =
      Ok({"plan", "activity", "--area", area, "--objective", objective_id,
          "--description", "Extra surveillance", "--owner", "BIZ", "--deadline",
          Day(30)});
  ASSERT_EQ(activity.rfind("activity:", 0), 0u) << activity;
  const std::string activity_id =
      std::to_string(std::stoll(activity.substr(9)));
  auto measure = [&](const std::string& label, int from, int to) {
    const std::string m = Ok({"survey", "measure", "--area", area, "--label",
                              label, "--from", Day(from), "--to", Day(to)});
    Ok({"survey", "answer", "--area", area, "--measurement",
        std::to_string(std::stoll(m.substr(12))), "--shop",
        absl::StrCat(bakery_), "--answer", "v01=nee"});
  };
  measure("0-meting", -400, -300);
  SignAndCertify(area);  // step 7 needs steps 1 to 6
  const std::vector<std::string> adjust = {
      "plan",
      "adjust",
      "--area",
      area,
      "--on",
      Day(0),
      "--reason",
      "De 1-meting: minder diefstal dan verwacht",
      "--target",
      objective_id + "=-7,5",
      "--cancel-activity",
      activity_id};
  CommandResult early = Kvo(adjust);
  EXPECT_THAT(early.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(early.err, HasSubstr("1-meting"));
  EXPECT_EQ(Count("SELECT count(*) FROM plan_adjustments"), 0);

  measure("1-meting", -60, -1);
  EXPECT_THAT(Ok({"cycle", "status", "--area", area}),
              Not(ContainsRegex("Bijstellen +gereed")));
  const std::string adjusted = Ok(adjust);
  EXPECT_THAT(adjusted, HasSubstr("version:"));
  EXPECT_THAT(adjusted, HasSubstr("-10 -> -7,5"));
  EXPECT_THAT(adjusted,
              HasSubstr("activiteit " + activity_id + " geannuleerd"));

  LoginAs("bakker");
  const std::string plan = Ok({"plan", "show", "--area", area});
  EXPECT_THAT(plan, HasSubstr("police.total -7,5 %"));
  EXPECT_THAT(plan, Not(HasSubstr("-7.5")));
  EXPECT_THAT(plan, HasSubstr("Bijstellingen (plan van aanpak versie 2)"));
  EXPECT_THAT(plan, HasSubstr("minder diefstal dan verwacht"));
  EXPECT_THAT(plan, HasSubstr("geannuleerd"));
  EXPECT_THAT(Kvo(adjust).err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(Ok({"cycle", "status", "--area", area}),
              ContainsRegex("Bijstellen +gereed"));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'cycle.adjust_plan'"),
            1);
}

// The fire brigade enters its own figures for its areas, not the police's,
// and nothing else of the cycle.
TEST_F(CycleE2E, TheFireBrigadeEntersItsOwnFigures) {
  const std::string area = absl::StrCat(area_a_);
  MakeUser("brandweer", ROLE_FIRE_BRIGADE, {area_a_});
  LoginAs("brandweer");
  const auto csv = tmp_.path() / "brandweer.csv";
  std::ofstream(csv) << "period,category,count\n2026-01,fire,2\n";
  CommandResult police = Kvo({"figures", "import", csv.string(), "--area", area,
                              "--source", "police"});
  EXPECT_THAT(police.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(police.err, HasSubstr("--source"));
  EXPECT_EQ(Count("SELECT count(*) FROM area_figures"), 0);
  Ok({"figures", "import", csv.string(), "--area", area, "--source",
      "fire_brigade"});
  EXPECT_THAT(Ok({"figures", "list", "--area", area}), HasSubstr("fire"));
  EXPECT_THAT(Kvo({"figures", "list", "--area", absl::StrCat(area_b_)}).err,
              HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(Kvo({"plan", "show", "--area", area}).err,
              HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'cycle.import_figures' AND role = 'fire_brigade'"),
            1);

  // Like every role, it asks who it is and logs out, and then its token is
  // refused at once (not 12 hours later).
  EXPECT_THAT(Ok({"whoami"}), HasSubstr("brandweer"));
  const std::string token = Login("brandweer");
  kvo::v1::Principal me;
  ASSERT_TRUE(identity_->WhoAmI(Ctx(token).get(), {}, &me).ok());
  EXPECT_EQ(me.role(), ROLE_FIRE_BRIGADE);
  kvo::v1::LogoutResponse out;
  grpc::Status logout = identity_->Logout(Ctx(token).get(), {}, &out);
  ASSERT_TRUE(logout.ok()) << logout.error_message();
  EXPECT_EQ(identity_->WhoAmI(Ctx(token).get(), {}, &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  Ok({"logout"});
}

}  // namespace
}  // namespace kvo::testing
