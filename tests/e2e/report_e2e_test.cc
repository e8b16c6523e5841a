// The reduction report through the real kvod over TLS: a seeded area's
// registry counts in the report, small counts hidden, the PDF readable, the
// area's people allowed and others not, bad periods refused.

#include <algorithm>
#include <cstdlib>
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

  // This month (Amsterdam) against the twelve before it: whole months.
  ReductionReportRequest Request(int64_t area) {
    absl::TimeZone tz;
    absl::LoadTimeZone("Europe/Amsterdam", &tz);
    const absl::CivilMonth month(absl::ToCivilDay(absl::Now(), tz));
    ReductionReportRequest req;
    req.set_area_id(area);
    req.set_first_from(absl::FormatCivilTime(absl::CivilDay(month - 12)));
    req.set_first_to(absl::FormatCivilTime(absl::CivilDay(month) - 1));
    req.set_second_from(absl::FormatCivilTime(absl::CivilDay(month)));
    req.set_second_to(absl::FormatCivilTime(absl::CivilDay(month + 1) - 1));
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
  // Every claim is EUR 181, so "Gevorderd EUR 362,00" would say there were
  // two: sums of fewer than 5 claims are hidden like the count.
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
  EXPECT_EQ(f["donations.claimed"].second(), "verborgen");
  EXPECT_EQ(f["donations.paid"].second(), "verborgen");
  EXPECT_EQ(f["donations.shop_share"].second(), "verborgen");
  EXPECT_THAT(resp.csv(), HasSubstr("donations.shop_share"));
  EXPECT_THAT(resp.csv(), ::testing::Not(HasSubstr("362")));
  EXPECT_THAT(resp.csv(), ::testing::Not(HasSubstr("181")));
  EXPECT_THAT(resp.text(), ::testing::Not(HasSubstr("181,00")));

  // Three more claims: five claimed (shown), still one paid (hidden).
  for (int i = 2; i < 5; ++i) {
    const Person p = MakePerson(absl::StrCat("Donateur", i));
    CreateCaseRequest req;
    req.set_incident_id(Incident(p.id(), "theft"));
    DonationCase c;
    ASSERT_TRUE(donations->CreateCase(Ctx(police_).get(), req, &c).ok());
  }
  ASSERT_TRUE(
      reports_
          ->ReductionReport(Ctx(coordinator_).get(), Request(area_a_), &resp)
          .ok());
  f = Figures(resp);
  EXPECT_EQ(f["donations.claimed"].second(), "€ 905,00");
  EXPECT_EQ(f["donations.paid"].second(), "verborgen");
  EXPECT_EQ(f["donations.shop_share"].second(), "verborgen");
  // The report across areas hides the same sums (and its total with them).
  ReductionAcrossRequest across;
  across.add_area_ids(area_a_);
  ReductionReportRequest periods = Request(area_a_);
  across.set_first_from(periods.first_from());
  across.set_first_to(periods.first_to());
  across.set_second_from(periods.second_from());
  across.set_second_to(periods.second_to());
  ReductionAcrossResponse over;
  s = reports_->ReductionAcross(Ctx(coordinator_).get(), across, &over);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(over.csv(), ::testing::Not(HasSubstr("181")));
  EXPECT_THAT(over.csv(), ::testing::Not(HasSubstr("140")));
}

// The attack: a year's report minus the same year less its last few days
// gave back counts each report hid as "< 5". Periods are whole calendar
// months, in every report call (one area, across areas, CSV alike).
TEST_F(ReportE2E, PeriodsThatAreNotWholeMonthsAreRefused) {
  Incident(MakePerson("Eenling").id(), "theft");
  ReductionReportRequest year = Request(area_a_);
  ReductionReportResponse resp;
  ASSERT_TRUE(
      reports_->ReductionReport(Ctx(coordinator_).get(), year, &resp).ok());
  absl::CivilDay to;
  ASSERT_TRUE(absl::ParseCivilTime(year.second_to(), &to));
  ReductionReportRequest less = year;
  less.set_second_to(absl::FormatCivilTime(to - 3));
  less.set_with_pdf(true);
  grpc::Status s =
      reports_->ReductionReport(Ctx(coordinator_).get(), less, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--to: "));
  EXPECT_THAT(s.error_message(), HasSubstr("whole calendar months"));
  ReductionReportRequest late_start = year;
  absl::CivilDay from;
  ASSERT_TRUE(absl::ParseCivilTime(year.first_from(), &from));
  late_start.set_first_from(absl::FormatCivilTime(from + 1));
  s = reports_->ReductionReport(Ctx(coordinator_).get(), late_start, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--from: "));

  ReductionAcrossRequest across;
  across.add_area_ids(area_a_);
  across.set_first_from(year.first_from());
  across.set_first_to(year.first_to());
  across.set_second_from(year.second_from());
  across.set_second_to(less.second_to());
  ReductionAcrossResponse over;
  s = reports_->ReductionAcross(Ctx(coordinator_).get(), across, &over);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("--to: "));

  // Through kvo: a month and a year are whole months; a CSV of a cut
  // period is refused and nothing is written.
  CommandResult login =
      kvod_->Kvo({"login", "--login", "coord", "--password-stdin"},
                 std::string(kPassword) + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  const std::string area = absl::StrCat(area_a_);
  const std::string month = year.second_from().substr(0, 7);
  CommandResult ok = kvod_->Kvo(
      {"report", "reduction", "--area", area, "--from", "2024", "--to", month});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  TempDir dir;
  const auto csv = dir.path() / "cut.csv";
  CommandResult cut = kvod_->Kvo(
      {"report", "across", "--areas", area, "--from", "2024", "--to",
       year.second_from() + ".." + less.second_to(), "--csv", csv.string()});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_THAT(cut.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(cut.err, HasSubstr("--to"));
  EXPECT_FALSE(std::filesystem::exists(csv));
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

// The KVO cycle's part of the report, from data entered through kvo:
// police figures per category, the 0-meting and the 1-meting, and the
// plan's objectives judged met or not.
TEST_F(ReportE2E, PoliceFiguresSurveyAndObjectivesEnteredThroughKvo) {
  const std::string area = absl::StrCat(area_a_);
  auto kvo = [&](const std::string& who, std::vector<std::string> args) {
    CommandResult login =
        kvod_->Kvo({"login", "--login", who, "--password-stdin"},
                   std::string(kPassword) + "\n");
    EXPECT_EQ(login.exit_code, 0) << login.err;
    return kvod_->Kvo(args);
  };
  auto ok = [&](const std::string& who, std::vector<std::string> args) {
    CommandResult r = kvo(who, args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    return r.out;
  };
  TempDir dir;
  const auto csv = dir.path() / "politie.csv";
  std::ofstream(csv) << "period,category,count\n"
                        "2024-03,shoplifting,20\n2024-07,shoplifting,10\n"
                        "2024-05,vandalism,6\n"
                        "2025-03,shoplifting,12\n2025-08,shoplifting,9\n"
                        "2025-05,vandalism,8\n";
  ok("agent",
     {"figures", "import", csv.string(), "--area", area, "--source", "police"});
  // The fire brigade's figures (entered by the coordinator): 2 false alarms
  // in 2024 are too few to show.
  const auto fire_csv = dir.path() / "brandweer.csv";
  std::ofstream(fire_csv) << "period,category,count\n"
                             "2024-04,fire,7\n2024-06,false_alarm,2\n"
                             "2025-04,fire,5\n2025-09,false_alarm,6\n";
  ok("coord", {"figures", "import", fire_csv.string(), "--area", area,
               "--source", "fire_brigade"});

  // Six participating shops answer both measurements.
  std::vector<int64_t> shops = {bakery_, butcher_};
  for (const char* name :
       {"Bloemist Roos", "Drogist Pluim", "Optiek Scherp", "Kapsalon Knip"}) {
    shops.push_back(MakeShop(area_a_, name, 0));
  }
  for (int64_t shop : shops) {
    ok("coord", {"area", "participant", "--area", area, "--shop",
                 absl::StrCat(shop), "--agreement-signed", "2024-01-01"});
  }
  auto measure = [&](const std::string& label, const std::string& year) {
    const std::string out =
        ok("coord", {"survey", "measure", "--area", area, "--label", label,
                     "--from", year + "-01-01", "--to", year + "-12-31"});
    return std::to_string(std::stoll(out.substr(out.find(':') + 1)));
  };
  const std::string zero = measure("0-meting", "2024");
  const std::string one = measure("1-meting", "2025");
  // 0-meting: 3 of 6 feel safe; 1-meting: 5 of 6 (+33,3 pp).
  for (size_t i = 0; i < shops.size(); ++i) {
    for (const auto& [m, safe] :
         {std::pair{zero, i < 3}, std::pair{one, i < 5}}) {
      ok("coord", {"survey", "answer", "--area", area, "--measurement", m,
                   "--shop", absl::StrCat(shops[i]), "--answer",
                   std::string("v22=") + (safe ? "veilig" : "onveilig"),
                   "--answer", "v01=nee"});
    }
  }

  // Objectives: an unknown metric is refused; one met, one not, and one
  // the report cannot judge.
  const std::vector<std::string> objective = {
      "plan",     "objective", "--area",    area,
      "--target", "zie doel",  "--measure", "camera_surveillance"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = objective;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  CommandResult unknown =
      kvo("coord", with({"--description", "X", "--metric",
                         "police.zakkenrollers", "--target-change", "-10"}));
  EXPECT_THAT(unknown.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(unknown.err, HasSubstr("--metric"));
  ok("coord", with({"--description", "Winkeldiefstal -20 %", "--metric",
                    "police.shoplifting", "--target-change", "-20"}));
  ok("coord", with({"--description", "Veiligheidsgevoel +40 punten", "--metric",
                    "survey.feel_safe", "--target-change", "40"}));
  ok("coord", with({"--description", "Meer samenwerking"}));
  EXPECT_THAT(ok("coord", {"plan", "show", "--area", area}),
              HasSubstr("niet meetbaar"));

  const std::string report = ok("coord", {"report", "reduction", "--area", area,
                                          "--from", "2024", "--to", "2025"});
  EXPECT_THAT(report, HasSubstr("Politiecijfers"));
  EXPECT_THAT(report, HasSubstr("winkeldiefstal"));
  EXPECT_THAT(report, HasSubstr("-30,0 %"));  // shoplifting 30 -> 21
  // Its own section, not mixed into the police's total (20+10+6 -> 12+9+8).
  EXPECT_THAT(report, HasSubstr("Brandweercijfers"));
  EXPECT_THAT(report, HasSubstr("Politiecijfers totaal"));
  EXPECT_THAT(report,
              ::testing::ContainsRegex("Politiecijfers totaal +36 +29"));
  EXPECT_THAT(report, ::testing::ContainsRegex("brand +7 +5 +-28,6 %"));
  EXPECT_THAT(report, ::testing::ContainsRegex("loos alarm +< 5 +6"));
  EXPECT_THAT(report,
              ::testing::ContainsRegex("Brandweercijfers totaal +verborgen"));
  EXPECT_THAT(report, HasSubstr("Voelt zich veilig"));
  EXPECT_THAT(report, HasSubstr("+33,3 pp"));
  EXPECT_THAT(report, HasSubstr("[gehaald]     Winkeldiefstal -20 %"));
  EXPECT_THAT(report, HasSubstr("[niet gehaald] Veiligheidsgevoel +40 punten"));
  EXPECT_THAT(report, ::testing::Not(HasSubstr("Meer samenwerking")));
  EXPECT_THAT(report, ::testing::Not(HasSubstr("Geen enquête")));

  // The PDF: the police's and the fire brigade's months charted beside the
  // registry's, the categories in Dutch. To look at it:
  // KVO_ARTIFACTS=/some/dir (pdftoppm -png).
  auto pdf_text = [&](const std::string& name, std::vector<std::string> args) {
    const auto pdf = dir.path() / name;
    args.insert(args.end(), {"--pdf", pdf.string()});
    ok("coord", args);
    if (const char* out = std::getenv("KVO_ARTIFACTS")) {
      std::filesystem::create_directories(out);
      std::filesystem::copy_file(
          pdf, std::filesystem::path(out) / name,
          std::filesystem::copy_options::overwrite_existing);
    }
    std::string text =
        RunCommand({"/usr/bin/pdftotext", pdf.string(), "-"}).out;
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
  };
  const std::string one_area =
      pdf_text("reductie.pdf", {"report", "reduction", "--area", area, "--from",
                                "2024", "--to", "2025"});
  for (const char* dutch :
       {"Incidenten per maand", "Register periode 1", "Politie", "Brandweer",
        "winkeldiefstal", "vernieling", "loos alarm"}) {
    EXPECT_THAT(one_area, HasSubstr(dutch)) << dutch;
  }
  // Across areas: the police categories through the same labels (they were
  // "shoplifting", "vandalism" beside "diefstal").
  const std::string across_text = ok(
      "coord",
      {"report", "across", "--areas", area, "--from", "2024", "--to", "2025"});
  const std::string across_pdf = pdf_text(
      "over-gebieden.pdf",
      {"report", "across", "--areas", area, "--from", "2024", "--to", "2025"});
  for (const std::string* text : {&across_text, &across_pdf}) {
    for (const char* dutch :
         {"winkeldiefstal", "vernieling", "brand", "loos alarm"}) {
      EXPECT_THAT(*text, HasSubstr(dutch)) << dutch;
    }
    for (const char* code :
         {"shoplifting", "vandalism", "false_alarm", "burglary", "onbekend"}) {
      EXPECT_THAT(*text, ::testing::Not(HasSubstr(code))) << code;
    }
  }
  for (const char* code : {"shoplifting", "vandalism", "false_alarm"}) {
    EXPECT_THAT(one_area, ::testing::Not(HasSubstr(code))) << code;
  }
}

}  // namespace
}  // namespace kvo::testing
