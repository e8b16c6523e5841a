// Nuisance donations through the real kvod and kvo: a claim, a payment
// (once, whatever the retries), a signed provider event, the shop's share
// in the report (table and CSV) and what each role may see of it.
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvo/v1/donations.grpc.pb.h"
#include "services/common/local_time.h"
#include "services/donations/provider_signature.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/subprocess.h"

namespace kvo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "e2e-provider-secret";

class DonationsE2E : public RegistryFixture {
 protected:
  void SetUp() override {
    const auto secret = tmp_.path() / "provider.secret";
    std::ofstream(secret) << kSecret << "\n";
    ::chmod(secret.c_str(), 0600);
    extra_kvod_args_.push_back("--donations-secret-file=" + secret.string());
    RegistryFixture::SetUp();
    if (HasFatalFailure()) return;
    donations_ = DonationService::NewStub(kvod_->Channel());
  }

  int KvoLogin(const std::string& login) {
    return kvod_
        ->Kvo({"login", "--login", login, "--password-stdin"},
              std::string(kPassword) + "\n")
        .exit_code;
  }
  std::string Today() {
    return absl::FormatCivilTime(
        absl::ToCivilDay(absl::Now(), common::Amsterdam()));
  }

  std::unique_ptr<DonationService::Stub> donations_;
};

TEST_F(DonationsE2E, ClaimPaymentAndTheShopsShareThroughKvo) {
  const Person person = MakePerson("Donatie");
  const int64_t incident = Incident(person.id());
  ASSERT_EQ(KvoLogin("coord"), 0);

  CommandResult help = kvod_->Kvo({"claim", "pay", "--help"});
  EXPECT_THAT(help.out, HasSubstr("coordinator"));
  EXPECT_THAT(kvod_->Kvo({"claim", "report", "--help"}).out,
              HasSubstr("shopkeeper"));

  CommandResult created =
      kvod_->Kvo({"claim", "create", "--incident", std::to_string(incident)});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.out, HasSubstr("€ 181,00"));
  EXPECT_THAT(created.out, HasSubstr(person.pseudonym()));
  EXPECT_THAT(created.out, Not(HasSubstr("Donatie"))) << "no names";
  const int64_t claim = Count("SELECT id FROM donation_claims");

  // The card's written notice states the claim: amount, where to pay it,
  // date, reference and what follows when it is not paid. A notice that
  // asks for money must say where to pay it: without the area's payee and
  // IBAN it is refused, naming what to record.
  Card card;
  ASSERT_TRUE(Issue(incident, &card).ok());
  GetNoticeRequest notice_req;
  notice_req.set_card_id(card.id());
  Notice notice;
  RecordLetterhead(area_a_, /*with_account=*/false);
  grpc::Status refused =
      registry_->GetNotice(Ctx(coordinator_).get(), notice_req, &notice);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("kvo area contact"));
  EXPECT_THAT(refused.error_message(), HasSubstr("--payee"));
  EXPECT_THAT(refused.error_message(), HasSubstr("--iban"));
  RecordLetterhead(area_a_);
  ASSERT_TRUE(
      registry_->GetNotice(Ctx(coordinator_).get(), notice_req, &notice).ok());
  const auto pdf = tmp_.path() / "notice.pdf";
  std::ofstream(pdf, std::ios::binary) << notice.pdf();
  const std::string notice_text =
      RunCommand({"/usr/bin/pdftotext", pdf.string(), "-"}).out;
  std::string one_line = notice_text;
  for (char& c : one_line) {
    if (c == '\n') c = ' ';
  }
  EXPECT_THAT(notice_text, HasSubstr("Overlastdonatie"));
  EXPECT_THAT(notice_text, HasSubstr("181,00"));
  EXPECT_THAT(notice_text, HasSubstr("deurwaarder"));
  EXPECT_THAT(one_line, HasSubstr("NL91 ABNA 0417 1643 00"));
  EXPECT_THAT(one_line, HasSubstr("ten name van Stichting KVO Deventer"));
  std::string reference = std::to_string(Count(absl::StrCat(
      "SELECT payment_reference::bigint FROM donation_claims WHERE id = ",
      claim)));
  reference.insert(0, 16 - reference.size(), '0');
  std::string digits;  // the letter prints it in groups, maybe over lines
  for (char c : notice_text) {
    if (c >= '0' && c <= '9') digits += c;
  }
  EXPECT_THAT(digits, HasSubstr(reference));

  // Bad input: named, nothing written.
  CommandResult fraction =
      kvod_->Kvo({"claim", "pay", "--claim", std::to_string(claim), "--amount",
                  "12.345", "--idempotency-key", "bank-0001"});
  EXPECT_EQ(fraction.exit_code, 2);
  EXPECT_THAT(fraction.err, HasSubstr("--amount"));
  CommandResult usd = kvod_->Kvo(
      {"claim", "pay", "--claim", std::to_string(claim), "--amount", "181",
       "--currency", "USD", "--idempotency-key", "bank-0001"});
  EXPECT_EQ(usd.exit_code, 1);
  EXPECT_THAT(usd.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(usd.err, HasSubstr("--currency"));
  CommandResult negative =
      kvod_->Kvo({"claim", "pay", "--claim", std::to_string(claim),
                  "--amount=-5", "--idempotency-key", "bank-0001"});
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_THAT(negative.err, HasSubstr("--amount"));
  CommandResult unknown =
      kvod_->Kvo({"claim", "pay", "--reference", "5000056789012345", "--amount",
                  "181", "--idempotency-key", "bank-0001"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 0);

  // The payment, and its retry.
  for (int i = 0; i < 2; ++i) {
    CommandResult paid =
        kvod_->Kvo({"--json", "claim", "pay", "--claim", std::to_string(claim),
                    "--amount", "181", "--idempotency-key", "bank-0001"});
    ASSERT_EQ(paid.exit_code, 0) << paid.err;
    EXPECT_THAT(paid.out, HasSubstr("\"state\":\"paid\""));
    EXPECT_THAT(paid.out,
                HasSubstr(i == 0 ? "\"replayed\":false" : "\"replayed\":true"));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 1);

  // The report: the bakery's share is EUR 140, the fee EUR 41.
  const auto csv = tmp_.path() / "report.csv";
  CommandResult report =
      kvod_->Kvo({"claim", "report", "--area", std::to_string(area_a_),
                  "--from", Today(), "--to", Today(), "--csv", csv.string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, HasSubstr("Bakkerij de Korenaar"));
  EXPECT_THAT(report.out, HasSubstr("€ 140,00"));
  EXPECT_THAT(report.out, HasSubstr("€ 41,00"));
  std::ifstream in(csv);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("shop_share"));
  EXPECT_THAT(text, HasSubstr("\"€ 140,00\""));
  CommandResult json =
      kvod_->Kvo({"--json", "claim", "report", "--area",
                  std::to_string(area_a_), "--from", Today(), "--to", Today()});
  EXPECT_THAT(json.out, HasSubstr("\"shop_share\":14000"));

  // The bakery's shopkeeper sees their share; the butcher sees no line of
  // the bakery's; neither sees a person.
  ASSERT_EQ(KvoLogin("bakker"), 0);
  CommandResult own =
      kvod_->Kvo({"claim", "report", "--area", std::to_string(area_a_),
                  "--from", Today(), "--to", Today()});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_THAT(own.out, HasSubstr("€ 140,00"));
  EXPECT_THAT(own.out, Not(HasSubstr(person.pseudonym())));
  EXPECT_NE(kvod_->Kvo({"claim", "show", std::to_string(claim)}).exit_code, 0)
      << "a shopkeeper reads no claim";
  ASSERT_EQ(KvoLogin("slager"), 0);
  CommandResult other =
      kvod_->Kvo({"claim", "report", "--area", std::to_string(area_a_),
                  "--from", Today(), "--to", Today()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_THAT(other.out, Not(HasSubstr("Bakkerij")));
  EXPECT_THAT(other.out, Not(HasSubstr("140.00")));

  // Every read and change of the claim is in the audit log, by pseudonym.
  EXPECT_GE(
      Count(absl::StrCat("SELECT count(*) FROM audit_entries WHERE action LIKE "
                         "'donations.%' AND subject LIKE '%",
                         person.pseudonym(), "%' AND outcome = 'ok'")),
      2);
}

TEST_F(DonationsE2E, SignedProviderEventsPayOnceAndForgeriesNot) {
  const Person a = MakePerson("Groep", "1991-01-01");
  const Person b = MakePerson("Groep", "1992-02-02");
  CreateCaseRequest req;
  req.set_incident_id(Incident(a.id()));
  req.add_person_ids(a.id());
  req.add_person_ids(b.id());
  DonationCase c;
  ASSERT_TRUE(donations_->CreateCase(Ctx(police_).get(), req, &c).ok());
  ASSERT_EQ(c.claims_size(), 2);

  ProviderEventRequest e;
  e.set_event_id("evt-e2e-1");
  e.set_timestamp(absl::ToUnixSeconds(absl::Now()));
  e.set_body(absl::StrCat(R"({"payment_reference":")",
                          c.claims(0).payment_reference(),
                          R"(","amount_cents":18100,"currency":"EUR"})"));
  e.set_signature(donations::SignProviderEvent(kSecret, e.timestamp(),
                                               e.event_id(), e.body()));
  ProviderEventRequest forged = e;
  forged.set_signature(donations::SignProviderEvent("wrong", e.timestamp(),
                                                    e.event_id(), e.body()));
  PaymentResult result;
  EXPECT_EQ(donations_->RecordProviderEvent(Ctx().get(), forged, &result)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 0);
  ASSERT_TRUE(donations_->RecordProviderEvent(Ctx().get(), e, &result).ok());
  EXPECT_EQ(result.state_after(), "paid");
  ASSERT_EQ(result.lapsed_claim_ids_size(), 1);
  EXPECT_EQ(result.lapsed_claim_ids(0), c.claims(1).id());
  EXPECT_EQ(
      donations_->RecordProviderEvent(Ctx().get(), e, &result).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 1);

  // The lapsed claim takes no payment.
  RecordPaymentRequest pay;
  pay.set_claim_id(c.claims(1).id());
  pay.set_amount_cents(100);
  pay.set_currency("EUR");
  pay.set_idempotency_key("lapsed-0001");
  grpc::Status lapsed =
      donations_->RecordPayment(Ctx(coordinator_).get(), pay, &result);
  EXPECT_EQ(lapsed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(lapsed.error_message(), HasSubstr("lapsed"));
  // Police of another area cannot open a case here.
  CreateCaseRequest elsewhere;
  elsewhere.set_incident_id(Incident(b.id()));
  EXPECT_EQ(
      donations_->CreateCase(Ctx(police_b_).get(), elsewhere, &c).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kvo::testing
