#include "services/donations/provider_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "services/common/crypto.h"
#include "services/common/envelope.h"
#include "services/donations/donation_requests.h"
#include "tests/support/pg_environment.h"

namespace kvo::donations {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "whsec_test_0123456789";
constexpr char kBody[] =
    R"({"payment_reference":"5000056789012345","amount_cents":18100,"currency":"EUR"})";

TEST(ProviderSignatureTest, MatchesAnIndependentHmac) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(common::HexEncode(
                common::HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(SignProviderEvent("Jefe", 1, "e", "b"),
            common::HexEncode(common::HmacSha256("Jefe", "1.e.b")));
}

TEST(ProviderSignatureTest, VerifiesAndRefusesWhatWasChanged) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  const int64_t ts = 1'800'000'000;
  const std::string sig = SignProviderEvent(kSecret, ts, "evt_1", kBody);
  const absl::Duration tol = absl::Seconds(300);
  EXPECT_TRUE(
      VerifyProviderEvent(kSecret, ts, "evt_1", kBody, sig, now, tol).ok());
  std::string body = kBody;
  body[body.find("18100")] = '9';
  auto changed = VerifyProviderEvent(kSecret, ts, "evt_1", body, sig, now, tol);
  EXPECT_EQ(changed.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(changed.message(), HasSubstr("signature"));
  EXPECT_FALSE(
      VerifyProviderEvent(kSecret, ts + 1, "evt_1", kBody, sig, now, tol).ok());
  EXPECT_FALSE(
      VerifyProviderEvent(kSecret, ts, "evt_2", kBody, sig, now, tol).ok());
  EXPECT_FALSE(
      VerifyProviderEvent("other", ts, "evt_1", kBody, sig, now, tol).ok());
  const std::string old = SignProviderEvent(kSecret, ts - 301, "evt_1", kBody);
  auto stale =
      VerifyProviderEvent(kSecret, ts - 301, "evt_1", kBody, old, now, tol);
  EXPECT_EQ(stale.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(stale.message(), HasSubstr("timestamp"));
  const std::string edge = SignProviderEvent(kSecret, ts + 300, "evt_1", kBody);
  EXPECT_TRUE(
      VerifyProviderEvent(kSecret, ts + 300, "evt_1", kBody, edge, now, tol)
          .ok());
}

TEST(ProviderSignatureTest, BodyMustBeWholeEuroCents) {
  EXPECT_TRUE(ParseProviderPayment(kBody).ok());
  for (
      const char* bad :
      {R"({"payment_reference":"5000056789012345","amount_cents":181.5,"currency":"EUR"})",
       R"({"payment_reference":"5000056789012345","amount_cents":-1,"currency":"EUR"})",
       R"({"payment_reference":"5000056789012345","amount_cents":100,"currency":"USD"})",
       R"({"payment_reference":"5000056789012346","amount_cents":100,"currency":"EUR"})",
       "not json"}) {
    auto p = ParseProviderPayment(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DonationRequestsTest, PaymentRequestsNameTheFlag) {
  kvo::v1::RecordPaymentRequest r;
  r.set_claim_id(1);
  r.set_amount_cents(100);
  r.set_currency("EUR");
  r.set_idempotency_key("key-12345");
  EXPECT_TRUE(ValidateRecordPaymentRequest(r).ok());
  auto usd = r;
  usd.set_currency("USD");
  EXPECT_THAT(ValidateRecordPaymentRequest(usd).status().message(),
              HasSubstr("--currency"));
  auto zero = r;
  zero.set_amount_cents(0);
  EXPECT_THAT(ValidateRecordPaymentRequest(zero).status().message(),
              HasSubstr("--amount"));
  auto negative = r;
  negative.set_amount_cents(-5);
  EXPECT_EQ(ValidateRecordPaymentRequest(negative).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto key = r;
  key.set_idempotency_key("short");
  EXPECT_THAT(ValidateRecordPaymentRequest(key).status().message(),
              HasSubstr("--idempotency-key"));
  auto ref = r;
  ref.set_claim_id(0);
  ref.set_payment_reference("5000056789012346");
  EXPECT_THAT(ValidateRecordPaymentRequest(ref).status().message(),
              HasSubstr("check digit"));
}

TEST(ProviderSignatureTest, SecretFileMustBePrivate) {
  kvo::testing::TempDir dir;
  const auto file = dir.path() / "secret";
  std::ofstream(file) << "s3cret\n";
  ::chmod(file.c_str(), 0644);
  auto open = common::ReadSecretFile(file, "--donations-secret-file");
  EXPECT_EQ(open.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.status().message(), HasSubstr("chmod 600"));
  ::chmod(file.c_str(), 0600);
  auto ok = common::ReadSecretFile(file, "--donations-secret-file");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, "s3cret");
  EXPECT_FALSE(common::ReadSecretFile(dir.path() / "missing", "x").ok());
}

}  // namespace
}  // namespace kvo::donations
