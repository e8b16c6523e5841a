// The reduction report through the real kvod over TLS: a seeded area's
// registry counts in the report, small counts hidden, the PDF readable, the
// area's people allowed and others not, bad periods refused.

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/donations.grpc.pb.h"
#include "kvo/v1/reports.grpc.pb.h"
#include "tests/support/pg_environment.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using namespace kvo::v1;

class ReportE2E : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    reports_ = ReportService::NewStub(kvod_->Channel());
  }

  // The last 30 days against the 365 before them (Amsterdam days).
  ReductionReportRequest Request(int64_t area) {
    absl::TimeZone tz;
    absl::LoadTimeZone("Europe/Amsterdam", &tz);
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), tz);
    ReductionReportRequest req;
    req.set_area_id(area);
    req.set_first_from(absl::FormatCivilTime(today - 395));
    req.set_first_to(absl::FormatCivilTime(today - 31));
    req.set_second_from(absl::FormatCivilTime(today - 30));
    req.set_second_to(absl::FormatCivilTime(today));
    return req;
  }

  std::map<std::string, ReductionFigure> Figures(
      const ReductionReportResponse& r) {
    std::map<std::string, ReductionFigure> out;
    for (const auto& f : r.figures()) out[f.metric()] = f;
    return out;
  }

  std::unique_ptr<ReportService::Stub> reports_;
};

TEST_F(ReportE2E, TheAreasCountsWithSmallOnesHidden) {
  // Six thefts (two with a collective warning) and two acts of violence,
  // each 25,99 of damage.
  for (int i = 0; i < 6; ++i) {
    const int64_t incident =
        Incident(MakePerson(absl::StrCat("Dief", i)).id(), "theft");
    if (i < 2) {
      Card card;
      ASSERT_TRUE(Issue(incident, &card).ok());
    }
  }
  for (int i = 0; i < 2; ++i) {
    Incident(MakePerson(absl::StrCat("Vechter", i)).id(), "violence");
  }
  ReductionReportRequest req = Request(area_a_);
  req.set_with_pdf(true);
  ReductionReportResponse resp;
  grpc::Status s =
      reports_->ReductionReport(Ctx(coordinator_).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto f = Figures(resp);
  EXPECT_EQ(f["incidents.theft"].label(), "diefstal");
  EXPECT_EQ(f["incidents.theft"].first(), "0");
  EXPECT_EQ(f["incidents.theft"].second(), "6");
  EXPECT_EQ(f["incidents.violence"].second(), "< 5");
  // 8, but 8 - 6 would give the hidden 2 away.
  EXPECT_EQ(f["incidents.total"].second(), "verborgen");
  EXPECT_EQ(f["damage"].second(), "€ 207,92");  // 8 x 25,99
  EXPECT_EQ(f["cards.collective_warning"].second(), "< 5");
  EXPECT_THAT(resp.text(), HasSubstr("Rapport criminaliteitsreductie"));
  // No names anywhere: the report is counts only.
  EXPECT_THAT(resp.text(), ::testing::Not(HasSubstr("Dief")));

  TempDir dir;
  const auto pdf = dir.path() / "reductie.pdf";
  std::ofstream(pdf, std::ios::binary) << resp.pdf();
  const std::string text =
      RunCommand({"/usr/bin/pdftotext", pdf.string(), "-"}).out;
  EXPECT_THAT(text, HasSubstr("Rapport criminaliteitsreductie"));
  EXPECT_THAT(text, HasSubstr("€ 207,92"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Dief")));
}

TEST_F(ReportE2E, DonationsClaimedPaidAndTheShopsShare) {
  auto donations = DonationService::NewStub(kvod_->Channel());
  ReductionReportResponse before;
  ASSERT_TRUE(
      reports_
          ->ReductionReport(Ctx(coordinator_).get(), Request(area_a_), &before)
          .ok());
  // With the module wired, no "module absent" note but zeros.
  EXPECT_EQ(Figures(before)["donations.claimed"].second(), "€ 0,00");
  for (const auto& note : before.notes()) {
    EXPECT_THAT(note, ::testing::Not(HasSubstr("overlastdonaties")));
  }

  // Two claims of EUR 181 (policy), one paid in full: EUR 140 to the shop.
  int64_t claim_id = 0;
  for (int i = 0; i < 2; ++i) {
    const Person p = MakePerson(absl::StrCat("Donateur", i));
    CreateCaseRequest req;
    req.set_incident_id(Incident(p.id(), "theft"));
    DonationCase c;
    grpc::Status s = donations->CreateCase(Ctx(police_).get(), req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (i == 0) claim_id = c.claims(0).id();
  }
  RecordPaymentRequest pay;
  pay.set_claim_id(claim_id);
  pay.set_amount_cents(18100);
  pay.set_currency("EUR");
  pay.set_idempotency_key("report-e2e-payment-1");
  PaymentResult paid;
  grpc::Status s =
      donations->RecordPayment(Ctx(coordinator_).get(), pay, &paid);
  ASSERT_TRUE(s.ok()) << s.error_message();

  ReductionReportResponse resp;
  ASSERT_TRUE(
      reports_
          ->ReductionReport(Ctx(coordinator_).get(), Request(area_a_), &resp)
          .ok());
  auto f = Figures(resp);
  EXPECT_EQ(f["donations.claimed"].first(), "€ 0,00");
  EXPECT_EQ(f["donations.claimed"].second(), "€ 362,00");
  EXPECT_EQ(f["donations.paid"].second(), "€ 181,00");
  EXPECT_EQ(f["donations.shop_share"].second(), "€ 140,00");
  EXPECT_THAT(resp.csv(), HasSubstr("donations.shop_share"));
}

TEST_F(ReportE2E, OnlyTheAreasPeopleAndTheOfficersMayRead) {
  ReductionReportResponse resp;
  for (const std::string& token : {coordinator_, shopkeeper_, admin_}) {
    EXPECT_TRUE(
        reports_->ReductionReport(Ctx(token).get(), Request(area_a_), &resp)
            .ok());
  }
  EXPECT_EQ(
      reports_->ReductionReport(Ctx(police_).get(), Request(area_a_), &resp)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      reports_
          ->ReductionReport(Ctx(coordinator_).get(), Request(area_b_), &resp)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportE2E, BadPeriodsAreRefusedNamingTheFlag) {
  ReductionReportResponse resp;
  ReductionReportRequest inverted = Request(area_a_);
  inverted.set_first_from(inverted.first_to());
  inverted.set_first_to("2020-01-01");
  grpc::Status s =
      reports_->ReductionReport(Ctx(coordinator_).get(), inverted, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--from: the period ends"));

  ReductionReportRequest empty = Request(area_a_);
  empty.clear_second_from();
  s = reports_->ReductionReport(Ctx(coordinator_).get(), empty, &resp);
  EXPECT_THAT(s.error_message(), HasSubstr("--to: required"));

  ReductionReportRequest too_long = Request(area_a_);
  too_long.set_first_from("2020-01-01");
  s = reports_->ReductionReport(Ctx(coordinator_).get(), too_long, &resp);
  EXPECT_THAT(s.error_message(), HasSubstr("reports.max_period_days"));
}

}  // namespace
}  // namespace kvo::testing
