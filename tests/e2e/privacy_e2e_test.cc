// The privacy officer end to end: the real kvod (embedded PostgreSQL, TLS)
// with persons seeded by police and a coordinator over gRPC, and the
// officer's work through the real kvo (privacy find, dsr open/list/export/
// rectify/close) and gRPC.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "kvo/v1/privacy.grpc.pb.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_images.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace kvo::v1;

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Today in Europe/Amsterdam moved by `days`, as YYYY-MM-DD.
std::string Day(int days) {
  absl::TimeZone tz;
  absl::LoadTimeZone("Europe/Amsterdam", &tz);
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), tz) + days);
}

// The value of the first "key": "value" in kvo's --json output.
std::string JsonValue(const std::string& json, const std::string& key) {
  std::smatch m;
  // A string's text, or a number, true/false or null as written.
  const std::regex re("\"" + key + "\": *(?:\"([^\"]*)\"|([^,}\"]*))");
  if (!std::regex_search(json, m, re)) return "";
  return m[1].matched ? m[1].str() : m[2].str();
}

class PrivacyE2E : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    if (HasFatalFailure()) return;
    privacy_ = PrivacyService::NewStub(kvod_->Channel());
    gallery_ = GalleryService::NewStub(kvod_->Channel());
    officer_ = MakeUser("fg.officer", ROLE_PRIVACY_OFFICER, {});
    ASSERT_EQ(kvod_
                  ->Kvo({"login", "--login", "fg.officer", "--password-stdin"},
                        std::string(kPassword) + "\n")
                  .exit_code,
              0);
  }

  // kvo as the officer; fails the test when it does not exit 0.
  std::string Kvo(const std::vector<std::string>& args) {
    CommandResult r = kvod_->Kvo(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.err;
    return r.out;
  }

  std::string FindPseudonym(const std::string& surname,
                            const std::string& dob = "1990-04-01") {
    const std::string out =
        Kvo({"privacy", "find", "--given", "Jan Willem", "--prefix", "van der",
             "--surname", surname, "--born", dob, "--purpose",
             "access request by letter", "--json"});
    return JsonValue(out, "pseudonym");
  }

  SubjectRequest Open(const std::string& pseudonym, SubjectRequestKind kind,
                      const std::string& received = Day(0)) {
    OpenSubjectRequestRequest req;
    req.set_pseudonym(pseudonym);
    req.set_kind(kind);
    req.set_received_on(received);
    req.set_channel("letter");
    SubjectRequest out;
    grpc::Status s =
        privacy_->OpenSubjectRequest(Ctx(officer_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  void UploadPhoto(int64_t person) {
    PhotoInfo info;
    auto ctx = Ctx(police_);
    auto writer = gallery_->UploadPhoto(ctx.get(), &info);
    UploadPhotoRequest part;
    part.set_person_id(person);
    writer->Write(part);
    part.set_chunk(PhotoWithMetadata());
    writer->Write(part);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  int64_t AuditCount(const std::string& where) {
    return Count("SELECT count(*) FROM audit_entries WHERE " + where);
  }

  // kvod again on the same data dir and address (stubs renewed). With
  // `witness_aside`, the audit witness is moved aside first, as the README
  // says to after restoring the database from an older dump.
  void Restart(bool witness_aside = false) {
    const std::string address = kvod_->address();
    ASSERT_EQ(kvod_->Stop(), 0);
    if (witness_aside) {
      std::filesystem::rename(data_ / "audit" / "witness.log",
                              data_ / "audit" / "witness.log.before-restore");
    }
    kvod_ = KvodProcess::Start(
        data_, {"--policy=" + TestPolicy(tmp_.path(), policy_edits_).string(),
                "--listen", address});
    ASSERT_NE(kvod_, nullptr);
    registry_ = RegistryService::NewStub(kvod_->Channel());
    privacy_ = PrivacyService::NewStub(kvod_->Channel());
    gallery_ = GalleryService::NewStub(kvod_->Channel());
    identity_ = IdentityService::NewStub(kvod_->Channel());
    audit_ = AuditService::NewStub(kvod_->Channel());
  }

  std::unique_ptr<PrivacyService::Stub> privacy_;
  std::unique_ptr<GalleryService::Stub> gallery_;
  std::string officer_;
};

TEST_F(PrivacyE2E, AccessExportHoldsExactlyThePersonsDataAndWhoSawIt) {
  const Person p = MakePerson("Exportdam");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  UploadPhoto(p.id());
  FileObjectionRequest objection;
  objection.set_card_id(card.id());
  objection.set_grounds("Ik was die dag op mijn werk in Zwolle.");
  Objection filed;
  ASSERT_TRUE(
      registry_->FileObjection(Ctx(coordinator_).get(), objection, &filed)
          .ok());
  // Upheld: the card is revoked, its reason the log's English code.
  DecideObjectionRequest decide;
  decide.set_objection_id(filed.id());
  decide.set_upheld(true);
  decide.set_reasons("Werkgever bevestigt aanwezigheid in Zwolle.");
  Objection decided;
  ASSERT_TRUE(
      registry_->DecideObjection(Ctx(coordinator_).get(), decide, &decided)
          .ok());
  GetPersonRequest get;
  get.set_person_id(p.id());
  Person seen;
  ASSERT_TRUE(registry_->GetPerson(Ctx(police_).get(), get, &seen).ok());

  // Someone else, in the same area, with a card and a photo of their own.
  CreatePersonRequest other = PersonRequest("Anderman", "1985-02-03");
  other.set_given_names("Pieter");
  other.set_address("Molenweg 7");
  other.set_description("kort, blauwe pet");
  Person q;
  ASSERT_TRUE(registry_->CreatePerson(Ctx(police_).get(), other, &q).ok());
  RecordIncidentRequest inc;
  inc.set_shop_id(butcher_);
  inc.set_person_id(q.id());
  *inc.mutable_occurred_at() = SecondsFromNow(-kHour);
  inc.set_offence_type("vandalism");
  inc.set_description("trapte de etalageruit in");
  kvo::v1::Incident q_incident;
  ASSERT_TRUE(
      registry_->RecordIncident(Ctx(police_).get(), inc, &q_incident).ok());
  Card q_card;
  ASSERT_TRUE(Issue(q_incident.id(), &q_card).ok());
  UploadPhoto(q.id());

  // The officer finds the person as police do, with a purpose: the
  // pseudonym and the card history, no beheerder-only field.
  const std::string found =
      Kvo({"privacy", "find", "--given", "Jan Willem", "--prefix", "van der",
           "--surname", "Exportdam", "--born", "1990-04-01", "--purpose",
           "access request by letter"});
  EXPECT_THAT(found, HasSubstr(p.pseudonym()));
  EXPECT_THAT(found, HasSubstr("collectieve waarschuwing"));
  EXPECT_THAT(found, Not(HasSubstr("Kerkstraat")));
  EXPECT_THAT(found, Not(HasSubstr(q.pseudonym())));
  EXPECT_EQ(AuditCount("action = 'privacy.find_subject' AND purpose = "
                       "'access request by letter' AND subject = 'person:" +
                       p.pseudonym() + "'"),
            1);

  const std::string opened =
      Kvo({"dsr", "open", "--subject", p.pseudonym(), "--kind", "access",
           "--received", Day(-3), "--channel", "letter", "--json"});
  const std::string id = JsonValue(opened, "id");
  ASSERT_FALSE(id.empty()) << opened;
  EXPECT_EQ(JsonValue(opened, "due"), Day(25));
  EXPECT_EQ(JsonValue(opened, "days_left"), "25");

  const auto json_path = tmp_.path() / "inzage.json";
  const auto pdf_path = tmp_.path() / "inzage.pdf";
  Kvo({"dsr", "export", id, "--json", json_path.string(), "--pdf",
       pdf_path.string()});
  const std::string json = Slurp(json_path);
  // To look at what the person receives: KVO_KEEP_EXPORT=/some/dir.
  if (const char* keep = std::getenv("KVO_KEEP_EXPORT")) {
    std::filesystem::copy_file(
        pdf_path, std::filesystem::path(keep) / "inzage.pdf",
        std::filesystem::copy_options::overwrite_existing);
  }
  AccessReport report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok())
      << json.substr(0, 400);
  EXPECT_EQ(report.pseudonym(), p.pseudonym());
  EXPECT_EQ(report.fields().at("surname"), "Exportdam");
  EXPECT_EQ(report.fields().at("address"), "Kerkstraat 12");
  EXPECT_EQ(report.fields().at("date_of_birth"), "1990-04-01");
  EXPECT_EQ(report.fields().at("place_of_birth"), "Zwolle");
  EXPECT_EQ(report.fields().at("description"),
            "lang, rood jack, litteken boven linkeroog");
  EXPECT_EQ(report.fields_size(), 8);
  ASSERT_EQ(report.cards_size(), 1);
  EXPECT_EQ(report.cards(0).card_id(), card.id());
  ASSERT_EQ(report.incidents_size(), 1);
  EXPECT_EQ(report.incidents(0).description(),
            "nam twee flessen wijn mee zonder te betalen");
  EXPECT_EQ(report.incidents(0).police_report_number(), "PL0600-2026123456");
  EXPECT_EQ(report.incidents(0).damage_cents(), 2599);
  ASSERT_EQ(report.objections_size(), 1);
  EXPECT_EQ(report.objections(0).grounds(),
            "Ik was die dag op mijn werk in Zwolle.");
  EXPECT_EQ(report.photo_jpeg().substr(0, 2), "\xff\xd8") << "a JPEG";
  // Recipients: police of the area read the record; by role and area, no
  // login or name of the officer.
  bool police_read = false;
  for (const auto& a : report.accesses()) {
    if (a.role() == "police" && a.action() == "registry.read_person") {
      police_read = true;
      EXPECT_THAT(a.areas(), ::testing::Contains(HasSubstr("Binnenstad")));
    }
  }
  EXPECT_TRUE(police_read);
  EXPECT_THAT(json, Not(HasSubstr("agent")));
  // Nothing of the other person.
  for (const std::string& theirs :
       {q.pseudonym(), std::string("Anderman"), std::string("Pieter"),
        std::string("Molenweg"), std::string("blauwe pet"),
        std::string("etalageruit"), std::string("1985-02-03")}) {
    EXPECT_THAT(json, Not(HasSubstr(theirs))) << theirs;
  }

  // The PDF: Dutch, dates as a person writes them, the photo inside.
  CommandResult text =
      RunCommand({"/usr/bin/pdftotext", pdf_path.string(), "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* part :
       {"Inzage in uw persoonsgegevens", "Exportdam", "1 april 1990",
        "Kerkstraat 12", "Collectieve waarschuwing", "diefstal",
        "Ik was die dag op mijn werk", "politie", "Binnenstad (",
        "Wie uw gegevens heeft ingezien", "Autoriteit Persoonsgegevens"}) {
    EXPECT_THAT(text.out, HasSubstr(part));
  }
  EXPECT_THAT(text.out, Not(HasSubstr("Anderman")));
  EXPECT_THAT(text.out, Not(HasSubstr("1990-04-01")));
  // The log's codes reach the person through their Dutch labels
  // (services/common/dutch_labels.cc), never as codes. Lines joined: a
  // paragraph wraps where the page ends.
  std::string flat = text.out;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  for (const std::string& dutch :
       {std::string("persoon geregistreerd"), std::string("registratie"),
        std::string("persoonsgegevens ingezien"),
        std::string("waarschuwing of winkelverbod opgelegd"),
        absl::StrCat("kenmerk ", card.id(),
                     ": eerste overtreding: collectieve waarschuwing"),
        absl::StrCat("Ingetrokken: bezwaar ", filed.id(), " gegrond verklaard"),
        std::string("Grond: eerste overtreding: collectieve waarschuwing"),
        std::string("Beslissing op"), std::string("gegrond")}) {
    EXPECT_THAT(flat, HasSubstr(dutch)) << dutch;
  }
  for (const char* code :
       {"registry.", "gallery.", "privacy.", "registration", "upheld",
        "first offence", "collective warning", "revoked", "onbekend"}) {
    EXPECT_THAT(flat, Not(HasSubstr(code))) << code << "\n" << text.out;
  }
  CommandResult images =
      RunCommand({"/usr/bin/pdfimages", "-list", pdf_path.string()});
  EXPECT_THAT(images.out, HasSubstr("jpeg")) << images.out;

  EXPECT_EQ(AuditCount("action = 'privacy.export_access' AND outcome = 'ok' "
                       "AND subject = 'person:" +
                       p.pseudonym() + "'"),
            1);
}

TEST_F(PrivacyE2E, DeadlineListPutsOverdueFirstAndLateStaysLate) {
  const Person early = MakePerson("Vroeg");
  const Person recent = MakePerson("Laat");
  const SubjectRequest overdue =
      Open(early.pseudonym(), SUBJECT_REQUEST_KIND_ACCESS, Day(-40));
  const SubjectRequest fresh =
      Open(recent.pseudonym(), SUBJECT_REQUEST_KIND_OBJECTION, Day(-1));
  EXPECT_EQ(overdue.due_on(), Day(-12));
  EXPECT_TRUE(overdue.late());

  ListSubjectRequestsResponse list;
  ASSERT_TRUE(
      privacy_->ListSubjectRequests(Ctx(officer_).get(), {}, &list).ok());
  ASSERT_EQ(list.requests_size(), 2);
  EXPECT_EQ(list.requests(0).id(), overdue.id());
  EXPECT_EQ(list.requests(0).days_left(), -12);
  EXPECT_TRUE(list.requests(0).late());
  EXPECT_EQ(list.requests(1).id(), fresh.id());
  EXPECT_EQ(list.requests(1).days_left(), 27);
  EXPECT_FALSE(list.requests(1).late());
  const std::string table = Kvo({"dsr", "list"});
  EXPECT_LT(table.find("te laat"), table.find("open ")) << table;

  // Closed today, past its deadline: it stays marked late.
  const std::string closed = Kvo({"dsr", "close", std::to_string(overdue.id()),
                                  "--outcome", "granted", "--json"});
  EXPECT_EQ(JsonValue(closed, "status"), "closed_late");
  ListSubjectRequestsResponse open_only;
  ASSERT_TRUE(
      privacy_->ListSubjectRequests(Ctx(officer_).get(), {}, &open_only).ok());
  ASSERT_EQ(open_only.requests_size(), 1);
  EXPECT_EQ(open_only.requests(0).id(), fresh.id());
  ListSubjectRequestsRequest all;
  all.set_include_closed(true);
  ListSubjectRequestsResponse everything;
  ASSERT_TRUE(
      privacy_->ListSubjectRequests(Ctx(officer_).get(), all, &everything)
          .ok());
  ASSERT_EQ(everything.requests_size(), 2);
  EXPECT_EQ(everything.requests(1).id(), overdue.id());
  EXPECT_TRUE(everything.requests(1).late());
  EXPECT_EQ(everything.requests(1).closed_on(), Day(0));
}

TEST_F(PrivacyE2E, RectificationReSealsAndMovesTheBlindIndex) {
  const Person p = MakePerson("Oudenaam");
  const SubjectRequest r =
      Open(p.pseudonym(), SUBJECT_REQUEST_KIND_RECTIFICATION);
  // A bad value is refused naming the field, and nothing changes.
  RectifySubjectRequest bad;
  bad.set_request_id(r.id());
  (*bad.mutable_fields())["date_of_birth"] = "1990-02-30";
  bad.set_reason("typo in the letter");
  SubjectRequest out;
  grpc::Status refused =
      privacy_->RectifySubject(Ctx(officer_).get(), bad, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("date_of_birth"));

  Kvo({"dsr", "rectify", std::to_string(r.id()), "--set", "surname=Nieuwenaam",
       "--set", "address=Brink 1", "--reason",
       "the person showed their passport"});
  EXPECT_EQ(FindPseudonym("Oudenaam"), "") << "the old name finds nothing";
  EXPECT_EQ(FindPseudonym("Nieuwenaam"), p.pseudonym());
  GetPersonRequest get;
  get.set_person_id(p.id());
  Person now;
  ASSERT_TRUE(registry_->GetPerson(Ctx(police_).get(), get, &now).ok());
  EXPECT_EQ(now.surname(), "Nieuwenaam");
  EXPECT_EQ(now.address(), "Brink 1");
  EXPECT_EQ(now.residence(), "Deventer") << "other fields stay";
  // Neither the old nor the new value in plaintext anywhere: the audit
  // names the fields only.
  EXPECT_EQ(AuditCount("purpose LIKE '%Oudenaam%' OR purpose LIKE "
                       "'%Nieuwenaam%' OR purpose LIKE '%Kerkstraat%'"),
            0);
  EXPECT_EQ(AuditCount("action = 'privacy.rectify' AND purpose LIKE "
                       "'%address,surname%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM person_fields WHERE "
                  "position('Nieuwenaam'::bytea in sealed) > 0 OR "
                  "position('Oudenaam'::bytea in sealed) > 0"),
            0);
  SubjectRequest shown;
  GetSubjectRequestRequest show;
  show.set_request_id(r.id());
  ASSERT_TRUE(
      privacy_->GetSubjectRequest(Ctx(officer_).get(), show, &shown).ok());
  EXPECT_THAT(shown.rectified_fields(),
              ::testing::ElementsAre("address", "surname"));
}

TEST_F(PrivacyE2E, GrantedErasureRequestErasesThePersonAndCloses) {
  const Person p = MakePerson("Wisser");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  const SubjectRequest r = Open(p.pseudonym(), SUBJECT_REQUEST_KIND_ERASURE);
  CloseSubjectRequestRequest close;
  close.set_request_id(r.id());
  close.set_outcome("granted");
  SubjectRequest closed;
  ASSERT_TRUE(
      privacy_->CloseSubjectRequest(Ctx(officer_).get(), close, &closed).ok());
  EXPECT_FALSE(closed.open());
  EXPECT_EQ(closed.outcome(), "granted");
  EXPECT_EQ(Count("SELECT count(*) FROM persons WHERE erased_at IS NOT NULL "
                  "AND id = " +
                  std::to_string(p.id())),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM cards WHERE revoked_at IS NULL AND "
                  "person_id = " +
                  std::to_string(p.id())),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM person_fields WHERE person_id = " +
                  std::to_string(p.id())),
            0);
  EXPECT_EQ(FindPseudonym("Wisser"), "");
  ResolvePseudonymRequest resolve;
  resolve.set_pseudonym(p.pseudonym());
  resolve.set_purpose("check the erasure");
  ResolvedSubject resolved;
  ASSERT_TRUE(
      privacy_->ResolvePseudonym(Ctx(officer_).get(), resolve, &resolved).ok());
  EXPECT_TRUE(resolved.erased());
  EXPECT_EQ(resolved.surname(), "");
}

TEST_F(PrivacyE2E, BadInputIsRefusedNamingTheFieldAndOnlyTheRefusalIsLogged) {
  const Person p = MakePerson("Foutief");
  const int64_t denied = AuditCount("outcome = 'denied'");
  // An empty purpose.
  FindSubjectRequest find;
  find.set_given_names("Jan Willem");
  find.set_surname_prefix("van der");
  find.set_surname("Foutief");
  find.set_date_of_birth("1990-04-01");
  FindSubjectResponse matches;
  grpc::Status s = privacy_->FindSubject(Ctx(officer_).get(), find, &matches);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("purpose"));
  CommandResult cli =
      kvod_->Kvo({"privacy", "resolve", p.pseudonym(), "--purpose", ""});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_THAT(cli.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(cli.err, HasSubstr("purpose"));
  // An unknown subject.
  OpenSubjectRequestRequest open;
  open.set_pseudonym("0123456789abcdef0123456789abcdef");
  open.set_kind(SUBJECT_REQUEST_KIND_ACCESS);
  open.set_received_on(Day(0));
  open.set_channel("letter");
  SubjectRequest out;
  s = privacy_->OpenSubjectRequest(Ctx(officer_).get(), open, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("pseudonym"));
  // A day in the future, an unknown kind, an unknown channel.
  open.set_pseudonym(p.pseudonym());
  open.set_received_on(Day(2));
  s = privacy_->OpenSubjectRequest(Ctx(officer_).get(), open, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("received_on"));
  open.set_received_on(Day(0));
  open.set_kind(SUBJECT_REQUEST_KIND_UNSPECIFIED);
  s = privacy_->OpenSubjectRequest(Ctx(officer_).get(), open, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind"));
  open.set_kind(SUBJECT_REQUEST_KIND_ACCESS);
  open.set_channel("pigeon");
  s = privacy_->OpenSubjectRequest(Ctx(officer_).get(), open, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("channel"));
  EXPECT_EQ(Count("SELECT count(*) FROM subject_requests"), 0)
      << "nothing written";
  EXPECT_EQ(AuditCount("outcome = 'denied'"), denied + 6)
      << "each refusal is on record";

  // An export for a closed request.
  const SubjectRequest r = Open(p.pseudonym(), SUBJECT_REQUEST_KIND_ACCESS);
  Kvo({"dsr", "close", std::to_string(r.id()), "--outcome", "granted"});
  const int64_t exports = AuditCount("action = 'privacy.export_access'");
  ExportAccessRequest exp;
  exp.set_request_id(r.id());
  AccessExport got;
  s = privacy_->ExportAccess(Ctx(officer_).get(), exp, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
  EXPECT_THAT(s.error_message(), HasSubstr("closed"));
  EXPECT_EQ(AuditCount("action = 'privacy.export_access'"), exports + 1);
  EXPECT_EQ(AuditCount("action = 'privacy.export_access' AND outcome = 'ok'"),
            0);
  exp.set_request_id(999999);
  s = privacy_->ExportAccess(Ctx(officer_).get(), exp, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // Closing twice.
  CloseSubjectRequestRequest again;
  again.set_request_id(r.id());
  again.set_outcome("refused");
  s = privacy_->CloseSubjectRequest(Ctx(officer_).get(), again, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PrivacyE2E, ShopkeepersAndPoliceAreRefused) {
  const Person p = MakePerson("Geweigerd");
  for (const std::string& token : {shopkeeper_, police_, coordinator_}) {
    FindSubjectRequest find;
    find.set_given_names("Jan Willem");
    find.set_surname_prefix("van der");
    find.set_surname("Geweigerd");
    find.set_date_of_birth("1990-04-01");
    find.set_purpose("curiosity");
    FindSubjectResponse matches;
    EXPECT_EQ(
        privacy_->FindSubject(Ctx(token).get(), find, &matches).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    ExportAccessRequest exp;
    exp.set_request_id(1);
    AccessExport got;
    EXPECT_EQ(privacy_->ExportAccess(Ctx(token).get(), exp, &got).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(AuditCount("action = 'privacy.find_subject'"), 0);
}

// Issue 24: a rectification changed the record, but the door kept showing
// the old description (the door's snapshot and versions never heard of
// it) until the card ended. Now a delta sync, a full sync into an empty
// folder and a full gRPC sync all show the rectified field.
TEST_F(PrivacyE2E, ARectificationReachesTheDoor) {
  AdmitToDoor(area_a_);
  const Person p = MakePerson("Deurman");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  auto index = [](const std::filesystem::path& dir) {
    std::ifstream in(dir / "index.tsv");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto login = [&](const std::string& who) {
    ASSERT_EQ(kvod_
                  ->Kvo({"login", "--login", who, "--password-stdin"},
                        std::string(kPassword) + "\n")
                  .exit_code,
              0);
  };
  auto grpc_sync = [&](int64_t since, int64_t* version) {
    SyncGalleryRequest req;
    req.set_since_version(since);
    auto ctx = Ctx(shopkeeper_);
    auto reader = gallery_->SyncGallery(ctx.get(), req);
    GalleryUpdate u;
    std::vector<GalleryEntry> entries;
    while (reader->Read(&u)) {
      if (u.has_entry()) entries.push_back(u.entry());
      if (u.has_version()) *version = u.version().version();
    }
    EXPECT_TRUE(reader->Finish().ok());
    return entries;
  };
  const auto door = tmp_.path() / "deur";
  login("bakker");
  Kvo({"gallery", "sync", "--dir", door.string()});
  ASSERT_THAT(index(door), HasSubstr("rood jack"));
  int64_t version = 0;
  ASSERT_EQ(grpc_sync(0, &version).size(), 1u);

  login("fg.officer");
  const SubjectRequest r =
      Open(p.pseudonym(), SUBJECT_REQUEST_KIND_RECTIFICATION);
  Kvo({"dsr", "rectify", std::to_string(r.id()), "--set",
       "description=klein, groene pet", "--reason", "wrong person described"});

  login("bakker");
  // The change is sequenced just after the commit: give it a moment.
  std::string delta;
  for (int i = 0; i < 50; ++i) {
    Kvo({"gallery", "sync", "--dir", door.string()});
    delta = index(door);
    if (delta.find("groene pet") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(delta, HasSubstr("groene pet")) << "a delta sync";
  EXPECT_THAT(delta, Not(HasSubstr("rood jack")));
  const auto empty = tmp_.path() / "lege-deur";
  Kvo({"gallery", "sync", "--dir", empty.string()});
  EXPECT_THAT(index(empty), HasSubstr("groene pet")) << "a full sync";
  EXPECT_THAT(index(empty), Not(HasSubstr("rood jack")));
  int64_t after = 0;
  const auto changed = grpc_sync(version, &after);
  ASSERT_EQ(changed.size(), 1u) << "the delta names the entry again";
  EXPECT_EQ(changed[0].description(), "klein, groene pet");
  EXPECT_GT(after, version);
  const auto full = grpc_sync(0, &after);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].description(), "klein, groene pet");
  login("fg.officer");
}

// Issue 25, attack 7: a dump of the data taken before an erasure, restored
// beside the current key store, brought the person back: found by name
// (blind index), with their card history, their card at the door. The key
// store keeps who was erased; kvod erases them again when it starts on the
// restored data, audited with the count.
TEST_F(PrivacyE2E, ErasedPersonInARestoredOlderDumpIsErasedAgainAtStart) {
  const Person p = MakePerson("Hersteld");
  Card card;
  ASSERT_TRUE(Issue(Incident(p.id()), &card).ok());
  const Person kept = MakePerson("Blijft");
  const std::string id = std::to_string(p.id());

  // The dump, taken before the erasure (pg_dump as scripts/backup does).
  const auto dump = tmp_.path() / "data-before-erasure.sql";
  const std::string bin = "/usr/lib/postgresql/15/bin/";
  CommandResult dumped =
      RunCommand({bin + "pg_dump", "--no-owner", "--no-privileges", "-f",
                  dump.string(), "-d", EmbeddedConninfo(data_, "kvo")});
  ASSERT_EQ(dumped.exit_code, 0) << Describe(dumped);

  ErasePersonRequest erase;
  erase.set_person_id(p.id());
  erase.set_reason("AVG-verzoek 2026-25");
  ErasePersonResponse erased;
  grpc::Status s = registry_->ErasePerson(Ctx(officer_).get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(Count("SELECT count(*) FROM data_keys WHERE person_id = " + id,
                  "kvo_keys"),
            0);
  EXPECT_EQ(
      Count("SELECT count(*) FROM erased_data_keys WHERE person_id = " + id,
            "kvo_keys"),
      1)
      << "the key store keeps who was erased (the id, no key)";

  // The database's admin restores the older dump over the data database.
  {
    pqxx::connection conn(EmbeddedConninfo(data_, "postgres"));
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE kvo WITH (FORCE)");
    tx.exec("CREATE DATABASE kvo");
  }
  CommandResult restored =
      RunCommand({bin + "psql", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                  dump.string(), "-d", EmbeddedConninfo(data_, "kvo")});
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  ASSERT_EQ(Count("SELECT count(*) FROM persons WHERE erased_at IS NULL AND "
                  "blind_index IS NOT NULL AND id = " +
                  id),
            1)
      << "the dump holds the person as before the erasure";

  Restart(/*witness_aside=*/true);
  if (HasFatalFailure()) return;

  // Not findable by name: not by police, not by the officer (so no card
  // history either).
  FindPersonRequest find;
  find.set_given_names("Jan Willem");
  find.set_surname_prefix("van der");
  find.set_surname("Hersteld");
  find.set_date_of_birth("1990-04-01");
  FindPersonResponse found;
  s = registry_->FindPerson(Ctx(police_).get(), find, &found);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(found.matches_size(), 0);
  EXPECT_EQ(FindPseudonym("Hersteld"), "");
  EXPECT_NE(FindPseudonym("Blijft"), "") << "everyone else is still there";
  // Not at any door: no card in force.
  ListCardsRequest list;
  list.set_area_id(area_a_);
  list.set_person_id(p.id());
  ListCardsResponse cards;
  s = registry_->ListCards(Ctx(police_).get(), list, &cards);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cards.cards_size(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM person_fields WHERE person_id = " + id),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM persons WHERE erased_at IS NOT NULL "
                  "AND key_shredded_at IS NOT NULL AND blind_index IS NULL "
                  "AND id = " +
                  id),
            1);
  // Audited, with the count, by kvod at start.
  EXPECT_EQ(AuditCount("action = 'retention.run' AND purpose LIKE "
                       "'%restored_erasure=1%' AND subject LIKE '%" +
                       p.pseudonym() + "%'"),
            1);
  // Registering the same person again starts a fresh record.
  const Person again = MakePerson("Hersteld");
  EXPECT_NE(again.id(), p.id());
  EXPECT_NE(again.pseudonym(), p.pseudonym());
  GetPersonRequest get;
  get.set_person_id(kept.id());
  Person read;
  s = registry_->GetPerson(Ctx(police_).get(), get, &read);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.surname(), "Blijft");
}

// Issue 25, attack 8: a data-subject request's notes were stored in plain
// text and kept after the erasure they asked for. They are sealed with the
// person's data key and go with the erasure.
TEST_F(PrivacyE2E, RequestNotesAreSealedAndGoWithTheErasure) {
  const Person p = MakePerson("Notitie");
  const std::string note = "Jan van der Berg, Kerkstraat 12 wil gewist worden";
  OpenSubjectRequestRequest open;
  open.set_pseudonym(p.pseudonym());
  open.set_kind(SUBJECT_REQUEST_KIND_ERASURE);
  open.set_received_on(Day(0));
  open.set_channel("letter");
  open.set_notes(note);
  SubjectRequest r;
  grpc::Status s = privacy_->OpenSubjectRequest(Ctx(officer_).get(), open, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.notes(), note);
  const std::string where =
      " FROM subject_requests WHERE id = " + std::to_string(r.id());
  EXPECT_EQ(Count("SELECT count(*)" + where +
                  " AND (notes LIKE "
                  "'%Kerkstraat%' OR position('Kerkstraat'::bytea IN "
                  "COALESCE(sealed_notes, ''::bytea)) > 0)"),
            0)
      << "no plain text in the database";
  EXPECT_EQ(Count("SELECT count(*)" + where + " AND sealed_notes IS NOT NULL"),
            1);
  GetSubjectRequestRequest get;
  get.set_request_id(r.id());
  SubjectRequest read;
  ASSERT_TRUE(
      privacy_->GetSubjectRequest(Ctx(officer_).get(), get, &read).ok());
  EXPECT_EQ(read.notes(), note);
  EXPECT_THAT(Kvo({"dsr", "list"}), HasSubstr("Kerkstraat 12"));

  CloseSubjectRequestRequest close;
  close.set_request_id(r.id());
  close.set_outcome("granted");
  close.set_note("gewist, brief verstuurd aan Kerkstraat 12");
  SubjectRequest closed;
  s = privacy_->CloseSubjectRequest(Ctx(officer_).get(), close, &closed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(closed.notes(), "");
  EXPECT_EQ(closed.outcome_note(), "");
  EXPECT_EQ(Count("SELECT count(*)" + where +
                  " AND notes = '' AND outcome_note = '' AND sealed_notes IS "
                  "NULL AND sealed_outcome_note IS NULL"),
            1)
      << "the notes went with the erasure";
  EXPECT_THAT(Kvo({"dsr", "list", "--all"}), Not(HasSubstr("Kerkstraat")));
}

// Notes an older kvod wrote in plain text are sealed when kvod starts; an
// erased person's are deleted.
TEST_F(PrivacyE2E, PlainNotesFromBeforeAreSealedAtStart) {
  const Person p = MakePerson("Oud");
  const Person gone = MakePerson("Weg");
  const SubjectRequest r = Open(p.pseudonym(), SUBJECT_REQUEST_KIND_ACCESS);
  const SubjectRequest g = Open(gone.pseudonym(), SUBJECT_REQUEST_KIND_ACCESS);
  ErasePersonRequest erase;
  erase.set_person_id(gone.id());
  erase.set_reason("AVG-verzoek");
  ErasePersonResponse erased;
  ASSERT_TRUE(registry_->ErasePerson(Ctx(officer_).get(), erase, &erased).ok());
  // As an older kvod left them.
  Sql("UPDATE subject_requests SET notes = 'Piet Oud, Brink 3, per brief', "
      "outcome_note = '' WHERE id = " +
      std::to_string(r.id()));
  Sql("UPDATE subject_requests SET notes = 'Kees Weg, Singel 9' WHERE id = " +
      std::to_string(g.id()));
  Restart();
  if (HasFatalFailure()) return;
  EXPECT_EQ(Count("SELECT count(*) FROM subject_requests WHERE notes <> '' OR "
                  "outcome_note <> ''"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM subject_requests WHERE "
                  "sealed_notes IS NOT NULL AND id = " +
                  std::to_string(r.id())),
            1);
  GetSubjectRequestRequest get;
  get.set_request_id(r.id());
  SubjectRequest read;
  ASSERT_TRUE(
      privacy_->GetSubjectRequest(Ctx(officer_).get(), get, &read).ok());
  EXPECT_EQ(read.notes(), "Piet Oud, Brink 3, per brief");
  get.set_request_id(g.id());
  ASSERT_TRUE(
      privacy_->GetSubjectRequest(Ctx(officer_).get(), get, &read).ok());
  EXPECT_EQ(read.notes(), "");
  EXPECT_EQ(Count("SELECT count(*) FROM subject_requests WHERE "
                  "sealed_notes IS NOT NULL AND id = " +
                  std::to_string(g.id())),
            0);
}

}  // namespace
}  // namespace kvo::testing
