// The police report (aangifte) through the real kvod and kvo: the shop
// records the report number after the incident and prints the Dutch PDF
// it hands to the police; a wrong number changes nothing, a second number
// is refused, the butcher next door is refused, and the reduction report
// counts the incident as reported.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/reports.grpc.pb.h"
#include "services/common/dutch_date.h"
#include "services/common/local_time.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNumber[] = "PL0900-2026123456";

class PoliceReportE2E : public RegistryFixture {
 protected:
  int KvoLogin(const std::string& login) {
    return kvod_
        ->Kvo({"login", "--login", login, "--password-stdin"},
              std::string(kPassword) + "\n")
        .exit_code;
  }
  // An incident of `shop` an hour ago, without a police report.
  int64_t Unreported(int64_t person, int64_t shop) {
    RecordIncidentRequest req;
    req.set_shop_id(shop);
    req.set_person_id(person);
    *req.mutable_occurred_at() = SecondsFromNow(-kHour);
    req.set_offence_type("theft");
    req.set_description("stopte twee flessen wijn in een tas en liep door");
    req.set_damage_cents(1250);
    kvo::v1::Incident out;
    grpc::Status s = registry_->RecordIncident(Ctx(police_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    occurred_ = absl::FromUnixSeconds(out.occurred_at().seconds());
    return out.id();
  }
  int64_t Reported() {
    return Count("SELECT count(*) FROM incidents WHERE has_police_report");
  }
  int64_t Audited(const std::string& action, const std::string& outcome) {
    return Count(
        absl::StrCat("SELECT count(*) FROM audit_entries WHERE action = '",
                     action, "' AND outcome = '", outcome, "'"));
  }
  std::string PdfText(const std::filesystem::path& pdf) {
    std::string text =
        RunCommand({"/usr/bin/pdftotext", pdf.string(), "-"}).out;
    for (char& c : text) {
      if (c == '\n') c = ' ';
    }
    return text;
  }

  absl::Time occurred_;
};

TEST_F(PoliceReportE2E, TheShopRecordsItsReportAndPrintsItForThePolice) {
  RecordLetterhead(area_a_);
  const Person person = MakePerson("Aangever");
  const int64_t incident = Unreported(person.id(), bakery_);
  const std::string id = std::to_string(incident);
  ASSERT_EQ(KvoLogin("bakker"), 0);

  // A number in another format: named by its flag, nothing written.
  const int64_t audit_before = Count("SELECT count(*) FROM audit_entries");
  CommandResult bad =
      kvod_->Kvo({"incident", "aangifte", id, "--number", "PL0900-123"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("--number"));
  EXPECT_THAT(bad.err, HasSubstr("PL0900-2026123456"));
  EXPECT_EQ(Reported(), 0);
  EXPECT_EQ(Audited("registry.record_police_report", "ok"), 0);
  EXPECT_LE(Count("SELECT count(*) FROM audit_entries"), audit_before + 1)
      << "at most the refusal";

  // The number and the PDF in one go: the PDF carries the number.
  const auto pdf = tmp_.path() / "aangifte.pdf";
  CommandResult made = kvod_->Kvo(
      {"incident", "aangifte", id, "--number", kNumber, "--pdf", pdf.string(),
       "--stolen", "twee flessen wijn", "--stolen-value-cents", "1250",
       "--witness", "A. de Vries, caissière, 0570 111111", "--camera",
       "camera 2 bij de ingang, 14:00-14:15, bewaard tot 1 maart", "--contact",
       "B. Bakker, 0570 222222"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_THAT(made.out, HasSubstr(kNumber));
  EXPECT_EQ(Reported(), 1);
  EXPECT_EQ(Audited("registry.record_police_report", "ok"), 1);
  EXPECT_EQ(Audited("registry.police_report_pdf", "ok"), 1);

  const std::string text = PdfText(pdf);
  const absl::CivilMinute at =
      absl::ToCivilMinute(occurred_, common::Amsterdam());
  const std::string when =
      absl::StrFormat("%s, %02d:%02d", common::DutchDay(absl::CivilDay(at)),
                      at.hour(), at.minute());
  EXPECT_THAT(text, HasSubstr(when)) << text;
  EXPECT_THAT(text, HasSubstr("Aangifte"));
  EXPECT_THAT(text, HasSubstr("Bakkerij de Korenaar"));
  EXPECT_THAT(text, HasSubstr(kNumber));
  EXPECT_THAT(text, HasSubstr("Diefstal"));
  EXPECT_THAT(text, HasSubstr("twee flessen wijn"));
  EXPECT_THAT(text, HasSubstr("€ 12,50"));
  EXPECT_THAT(text, HasSubstr("A. de Vries"));
  EXPECT_THAT(text, HasSubstr("camera 2 bij de ingang"));
  EXPECT_THAT(text, HasSubstr("B. Bakker"));
  EXPECT_THAT(text, HasSubstr("Jan Willem van der Aangever"));
  EXPECT_THAT(text, HasSubstr("litteken boven linkeroog"));
  EXPECT_THAT(text, HasSubstr(common::DutchDay(
                        absl::ToCivilDay(absl::Now(), common::Amsterdam()))));
  // What the shop may not know: beheerder-only fields.
  EXPECT_THAT(text, Not(HasSubstr("Kerkstraat")));
  EXPECT_THAT(text, Not(HasSubstr("Zwolle")));
  EXPECT_THAT(text, Not(HasSubstr("1990")));
  EXPECT_THAT(text, Not(HasSubstr("april")));

  // The same number again: OK, nothing changes; another: refused, why.
  CommandResult again =
      kvod_->Kvo({"incident", "aangifte", id, "--number", kNumber});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  CommandResult other =
      kvod_->Kvo({"incident", "aangifte", id, "--number", "PL0900-2026654321"});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.err, HasSubstr("already has police report number"));
  ListIncidentsRequest list;
  list.set_area_id(area_a_);
  ListIncidentsResponse listed;
  ASSERT_TRUE(registry_->ListIncidents(Ctx(police_).get(), list, &listed).ok());
  ASSERT_EQ(listed.incidents_size(), 1);
  EXPECT_EQ(listed.incidents(0).police_report_number(), kNumber);

  // The butcher next door: neither the number nor the PDF.
  ASSERT_EQ(KvoLogin("slager"), 0);
  const auto stolen = tmp_.path() / "slager.pdf";
  CommandResult butcher =
      kvod_->Kvo({"incident", "aangifte", id, "--pdf", stolen.string()});
  EXPECT_NE(butcher.exit_code, 0);
  EXPECT_THAT(butcher.err, HasSubstr("own shop"));
  EXPECT_FALSE(std::filesystem::exists(stolen));
  EXPECT_EQ(Audited("registry.police_report_pdf", "denied"), 1);
  RecordPoliceReportRequest record;
  record.set_incident_id(incident);
  record.set_police_report_number("PL0900-2026999999");
  kvo::v1::Incident unused;
  EXPECT_EQ(
      registry_
          ->RecordPoliceReport(Ctx(other_shopkeeper_).get(), record, &unused)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Police of another area: refused by the area.
  EXPECT_EQ(registry_->RecordPoliceReport(Ctx(police_b_).get(), record, &unused)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The area's coordinator and police may prepare it too.
  GetPoliceReportPdfRequest pdf_req;
  pdf_req.set_incident_id(incident);
  PoliceReportPdf got;
  EXPECT_TRUE(
      registry_->GetPoliceReportPdf(Ctx(coordinator_).get(), pdf_req, &got)
          .ok());
  EXPECT_TRUE(
      registry_->GetPoliceReportPdf(Ctx(police_).get(), pdf_req, &got).ok());
}

// RecordIncident's own field takes the same format, naming kvo's flag.
TEST_F(PoliceReportE2E, RecordIncidentChecksTheSameFormat) {
  const Person person = MakePerson("Formaat");
  RecordIncidentRequest req;
  req.set_shop_id(bakery_);
  req.set_person_id(person.id());
  req.set_offence_type("theft");
  req.set_description("x");
  req.set_police_report_number("2026112-0042");
  kvo::v1::Incident out;
  grpc::Status s = registry_->RecordIncident(Ctx(police_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--report"));
  EXPECT_EQ(Count("SELECT count(*) FROM incidents"), 0);
}

// A report recorded after the incident counts in the reduction report.
TEST_F(PoliceReportE2E, TheReductionReportCountsAReportRecordedLater) {
  auto reports = ReportService::NewStub(kvod_->Channel());
  std::vector<int64_t> incidents;
  for (int i = 0; i < 6; ++i) {
    incidents.push_back(
        Unreported(MakePerson(absl::StrCat("Teller", i)).id(), bakery_));
  }
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), common::Amsterdam());
  const absl::CivilMonth month(today);
  ReductionReportRequest req;
  req.set_area_id(area_a_);
  req.set_first_from(absl::FormatCivilTime(absl::CivilDay(month - 2)));
  req.set_first_to(absl::FormatCivilTime(absl::CivilDay(month - 1) - 1));
  req.set_second_from(absl::FormatCivilTime(absl::CivilDay(month)));
  req.set_second_to(absl::FormatCivilTime(absl::CivilDay(month + 1) - 1));
  auto reported = [&]() {
    ReductionReportResponse got;
    grpc::Status s =
        reports->ReductionReport(Ctx(coordinator_).get(), req, &got);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& f : got.figures()) {
      if (f.metric() == "police_reports") return f.second();
    }
    return std::string("missing");
  };
  EXPECT_EQ(reported(), "0");
  for (int i = 0; i < 5; ++i) {
    RecordPoliceReportRequest record;
    record.set_incident_id(incidents[i]);
    record.set_police_report_number(absl::StrCat("PL0900-202600000", i));
    kvo::v1::Incident out;
    grpc::Status s =
        registry_->RecordPoliceReport(Ctx(shopkeeper_).get(), record, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(reported(), "5");
}

}  // namespace
}  // namespace kvo::testing
