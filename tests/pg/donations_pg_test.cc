// Nuisance donations against a real PostgreSQL: idempotent payments under
// concurrent retries, signed provider events applied exactly once, the
// group lapse, the refund path, bad input writing nothing, the ledger
// balancing every claim, and the claim links' retention.
#include <atomic>
#include <fstream>
#include <future>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/db_pool.h"
#include "services/common/local_time.h"
#include "services/cycle/cycle_letterheads.h"
#include "services/donations/donation_retention.h"
#include "services/donations/donation_use_cases.h"
#include "services/donations/provider_signature.h"
#include "services/registry/registry_claim_parties.h"
#include "tests/support/pg_environment.h"
#include "tests/support/subprocess.h"

namespace kvo::donations {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "provider-secret-for-tests";

kvo::v1::Policy TestPolicy() {
  kvo::v1::Policy p;
  auto* d = p.mutable_donations();
  d->set_amount_cents(18100);
  d->set_admin_fee_cents(4100);
  d->set_payment_term_days(14);
  d->set_refund_term_days(14);
  d->set_max_instalments(6);
  d->set_delete_after_payment_days(92);
  d->set_max_retention_unpaid_days(2557);
  d->set_reminders_before_collection(2);
  d->set_provider_event_tolerance_seconds(300);
  return p;
}

class DonationsPgTest : public kvo::testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    pool_ = std::make_unique<common::DbPool>(conninfo(), 10);
    use_cases_ = std::make_unique<DonationUseCases>(policy_, *pool_, parties_,
                                                    letterheads_, clock_,
                                                    ProviderConfig{kSecret});
    area_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES ('A', "
           "'shopping_area', 'Deventer') RETURNING id");
    other_area_ =
        Id("INSERT INTO areas (name, kind, municipality) VALUES ('B', "
           "'shopping_area', 'Deventer') RETURNING id");
    shop_ = Id(absl::StrCat("INSERT INTO shops (area_id, name) VALUES (", area_,
                            ", 'Bakkerij') RETURNING id"));
    RecordLetterhead(area_);
    coordinator_.who.role = "coordinator";
    coordinator_.role = kvo::v1::ROLE_COORDINATOR;
    coordinator_.check_area = [this](pqxx::transaction_base&, int64_t area) {
      return area == area_ ? absl::OkStatus()
                           : absl::PermissionDeniedError("not your area");
    };
  }

  int64_t Id(const std::string& sql) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    const int64_t id = tx.exec1(sql)[0].as<int64_t>();
    tx.commit();
    return id;
  }
  int64_t Count(const std::string& sql) { return Id(sql); }
  // What `kvo area contact` records: the letters' sender and account.
  void RecordLetterhead(int64_t area) {
    Id(absl::StrCat(
        "INSERT INTO area_contacts (area_id, coordinator, objection_address, "
        "objection_email, phone, payee, iban) VALUES (",
        area,
        ", 'Coördinator A', 'Postbus 1, 7400 AA Deventer', 'kvo@example.nl', "
        "'0570 123456', 'Stichting KVO A', 'NL91ABNA0417164300') "
        "ON CONFLICT (area_id) DO UPDATE SET payee = EXCLUDED.payee, iban = "
        "EXCLUDED.iban RETURNING area_id"));
  }
  // What the person reads in a letter, its lines joined by spaces (a
  // wrapped IBAN still reads as one).
  std::string PdfText(const std::string& pdf) {
    kvo::testing::TempDir dir;
    const auto file = dir.path() / "letter.pdf";
    std::ofstream(file, std::ios::binary) << pdf;
    std::string text =
        kvo::testing::RunCommand({"/usr/bin/pdftotext", file.string(), "-"})
            .out;
    for (char& c : text) {
      if (c == '\n') c = ' ';
    }
    return text;
  }

  int64_t Person() {
    return Id(absl::StrCat(
        "INSERT INTO persons (pseudonym, blind_index, registered_area_id) "
        "VALUES ('ps",
        next_++, "', 'b', ", area_, ") RETURNING id"));
  }
  int64_t Incident(int64_t person) {
    const int64_t i = Id(absl::StrCat(
        "INSERT INTO incidents (area_id, shop_id, occurred_at, offence_type, "
        "damage_cents, has_police_report) VALUES (",
        area_, ", ", shop_, ", now(), 'theft', 0, false) RETURNING id"));
    Id(
        absl::StrCat("INSERT INTO incident_persons (incident_id, person_id, "
                     "sealed_description, sealed_report_number) VALUES (",
                     i, ", ", person, ", 'd', 'r') RETURNING incident_id"));
    return i;
  }
  // A case of `n` persons; its claims.
  kvo::v1::DonationCase Case(int n) {
    const int64_t first = Person();
    kvo::v1::CreateCaseRequest req;
    req.set_incident_id(Incident(first));
    req.add_person_ids(first);
    for (int i = 1; i < n; ++i) req.add_person_ids(Person());
    auto made = use_cases_->CreateCase(coordinator_, req);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? *made : kvo::v1::DonationCase{};
  }
  kvo::v1::RecordPaymentRequest Payment(int64_t claim, int64_t cents,
                                        const std::string& key) {
    kvo::v1::RecordPaymentRequest r;
    r.set_claim_id(claim);
    r.set_amount_cents(cents);
    r.set_currency("EUR");
    r.set_idempotency_key(key);
    return r;
  }
  kvo::v1::ProviderEventRequest Event(const std::string& id,
                                      const std::string& reference,
                                      int64_t cents, int64_t ts = 0) {
    kvo::v1::ProviderEventRequest e;
    e.set_event_id(id);
    e.set_timestamp(ts != 0 ? ts : absl::ToUnixSeconds(clock_.Now()));
    e.set_body(absl::StrCat(R"({"payment_reference":")", reference,
                            R"(","amount_cents":)", cents,
                            R"(,"currency":"EUR"})"));
    e.set_signature(
        SignProviderEvent(kSecret, e.timestamp(), e.event_id(), e.body()));
    return e;
  }
  // Every claim's balance kinds add up to its balance, and fee plus shop
  // share to the money kept: the ledger as stored.
  void ExpectLedgerBalances() {
    EXPECT_EQ(Count("SELECT count(*) FROM donation_claims c WHERE "
                    "c.amount_cents - c.paid_cents - c.cancelled_cents + "
                    "c.refunded_cents <> (SELECT COALESCE(sum(amount_cents), "
                    "0) FROM donation_ledger l WHERE l.claim_id = c.id AND "
                    "l.kind NOT IN ('fee', 'shop_share'))"),
              0);
    EXPECT_EQ(Count("SELECT count(*) FROM donation_claims c WHERE "
                    "c.paid_cents - c.refunded_cents <> (SELECT "
                    "COALESCE(sum(amount_cents), 0) FROM donation_ledger l "
                    "WHERE l.claim_id = c.id AND l.kind IN ('fee', "
                    "'shop_share'))"),
              0);
  }
  int64_t Written() {
    return Count(
        "SELECT (SELECT count(*) FROM donation_payments) + (SELECT count(*) "
        "FROM donation_ledger) + (SELECT count(*) FROM donation_claims) + "
        "(SELECT count(*) FROM donation_instalments) + (SELECT count(*) FROM "
        "donation_claims WHERE state <> 'open')");
  }

  kvo::v1::Policy policy_ = TestPolicy();
  registry::RegistryClaimParties parties_;
  cycle::CycleLetterheads letterheads_;
  common::OffsetClock clock_;
  std::unique_ptr<common::DbPool> pool_;
  std::unique_ptr<DonationUseCases> use_cases_;
  Actor coordinator_;
  int64_t area_ = 0, other_area_ = 0, shop_ = 0;
  int next_ = 0;
};

TEST_F(DonationsPgTest, CaseMakesOneClaimPerPersonWithAValidReference) {
  const auto c = Case(3);
  ASSERT_EQ(c.claims_size(), 3);
  std::set<std::string> refs;
  for (const auto& claim : c.claims()) {
    EXPECT_EQ(claim.state(), "open");
    EXPECT_EQ(claim.amount_cents(), 18100);
    EXPECT_EQ(claim.balance_cents(), 18100);
    EXPECT_EQ(claim.payment_reference().size(), 16u);
    EXPECT_FALSE(claim.pseudonym().empty());
    refs.insert(claim.payment_reference());
  }
  EXPECT_EQ(refs.size(), 3u);
  // One case per incident.
  kvo::v1::CreateCaseRequest again;
  again.set_incident_id(Count("SELECT incident_id FROM donation_cases"));
  EXPECT_EQ(use_cases_->CreateCase(coordinator_, again).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'donations.create_case' AND outcome = 'ok'"),
            1);
}

TEST_F(DonationsPgTest, ConcurrentRetriesOfOnePaymentRecordItOnce) {
  const auto c = Case(1);
  const int64_t claim = c.claims(0).id();
  constexpr int kThreads = 8;
  std::vector<std::future<absl::StatusOr<kvo::v1::PaymentResult>>> results;
  std::atomic<bool> go{false};
  for (int i = 0; i < kThreads; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      while (!go.load()) std::this_thread::yield();
      return use_cases_->RecordPayment(coordinator_,
                                       Payment(claim, 5000, "retry-key-1"));
    }));
  }
  go = true;
  std::set<int64_t> ids;
  int replayed = 0;
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status();
    ids.insert(r->payment_id());
    replayed += r->replayed();
    EXPECT_EQ(r->balance_after_cents(), 13100);
    EXPECT_EQ(r->state_after(), "partially_paid");
  }
  EXPECT_EQ(ids.size(), 1u) << "every retry answers the first payment";
  EXPECT_EQ(replayed, kThreads - 1);
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 1);
  EXPECT_EQ(Count("SELECT paid_cents FROM donation_claims"), 5000);
  ExpectLedgerBalances();

  // The same key with another amount or claim is refused; nothing written.
  const int64_t before = Written();
  auto other = use_cases_->RecordPayment(coordinator_,
                                         Payment(claim, 6000, "retry-key-1"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other.status().message(), HasSubstr("--idempotency-key"));
  const auto c2 = Case(1);
  auto elsewhere = use_cases_->RecordPayment(
      coordinator_, Payment(c2.claims(0).id(), 5000, "retry-key-1"));
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Written(), before + 2) << "only the second case's claim row + "
                                      "its claimed entry";
}

TEST_F(DonationsPgTest, ConcurrentPaymentsWithDistinctKeysNeverOverpay) {
  const auto c = Case(1);
  const int64_t claim = c.claims(0).id();
  std::vector<std::future<absl::StatusOr<kvo::v1::PaymentResult>>> results;
  for (int i = 0; i < 6; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      return use_cases_->RecordPayment(
          coordinator_, Payment(claim, 5000, absl::StrCat("key-distinct-", i)));
    }));
  }
  int ok = 0, refused = 0;
  for (auto& f : results) {
    auto r = f.get();
    if (r.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
      ++refused;
    }
  }
  EXPECT_EQ(ok, 3) << "3 x 50 fit in 181, a 4th would overpay";
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(Count("SELECT paid_cents FROM donation_claims"), 15000);
  ExpectLedgerBalances();
}

TEST_F(DonationsPgTest, GroupCasePaidByOneLapsesTheOthers) {
  const auto c = Case(3);
  const int64_t a = c.claims(0).id(), b = c.claims(1).id(),
                third = c.claims(2).id();
  ASSERT_TRUE(
      use_cases_->RecordPayment(coordinator_, Payment(b, 2000, "group-b-1"))
          .ok());
  auto paid =
      use_cases_->RecordPayment(coordinator_, Payment(a, 18100, "group-a-1"));
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->state_after(), "paid");
  EXPECT_THAT(paid->lapsed_claim_ids(), ::testing::ElementsAre(b, third));
  auto gb = use_cases_->GetClaim(coordinator_, b);
  auto gc = use_cases_->GetClaim(coordinator_, third);
  EXPECT_EQ(gb->state(), "refund_due") << "b paid something: it goes back";
  EXPECT_EQ(gb->balance_cents(), -2000);
  EXPECT_EQ(gc->state(), "lapsed");
  EXPECT_EQ(gc->balance_cents(), 0);
  // Paying a lapsed claim is refused and writes nothing.
  const int64_t before = Written();
  auto late =
      use_cases_->RecordPayment(coordinator_, Payment(third, 100, "group-c-1"));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(), HasSubstr("lapsed"));
  EXPECT_EQ(Written(), before);
  ExpectLedgerBalances();
}

TEST_F(DonationsPgTest, DismissalRefundsAndTheReportShowsIt) {
  const auto c = Case(1);
  const int64_t claim = c.claims(0).id();
  ASSERT_TRUE(
      use_cases_
          ->RecordPayment(coordinator_, Payment(claim, 18100, "refund-path-1"))
          .ok());
  kvo::v1::DismissClaimRequest dismiss;
  dismiss.set_claim_id(claim);
  dismiss.set_reason("sepot");
  // A refund letter names where the money comes from: without a payee
  // and IBAN the dismissal is refused, naming what to record, and nothing
  // changes.
  Id(
      absl::StrCat("UPDATE area_contacts SET payee = '', iban = '' WHERE "
                   "area_id = ",
                   area_, " RETURNING area_id"));
  const int64_t before = Written();
  auto refused = use_cases_->Dismiss(coordinator_, dismiss);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("--payee"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--iban"));
  EXPECT_THAT(refused.status().message(), HasSubstr("kvo area contact"));
  EXPECT_EQ(Written(), before);
  RecordLetterhead(area_);
  auto letter = use_cases_->Dismiss(coordinator_, dismiss);
  ASSERT_TRUE(letter.ok()) << letter.status();
  EXPECT_EQ(letter->claim().state(), "refund_due");
  EXPECT_EQ(letter->letter_kind(), "refund");
  EXPECT_EQ(letter->pdf().substr(0, 5), "%PDF-");
  const std::string text = PdfText(letter->pdf());
  for (const char* part :
       {"NL91 ABNA 0417 1643 00", "Stichting KVO A", "Coördinator A",
        "Postbus 1, 7400 AA Deventer", "kvo@example.nl", "0570 123456",
        "Deventer, ", "€ 181,00"}) {
    EXPECT_THAT(text, HasSubstr(part));
  }
  kvo::v1::RecordRefundRequest refund;
  refund.set_claim_id(claim);
  auto done = use_cases_->RecordRefund(coordinator_, refund);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), "refunded");
  EXPECT_EQ(done->balance_cents(), 0);
  EXPECT_EQ(done->shop_share_cents(), 0);
  EXPECT_EQ(use_cases_->RecordRefund(coordinator_, refund).status().code(),
            absl::StatusCode::kFailedPrecondition);

  kvo::v1::DonationReportRequest req;
  req.set_area_id(area_);
  const std::string today = absl::FormatCivilTime(
      absl::ToCivilDay(clock_.Now(), common::Amsterdam()));
  req.set_from(today);
  req.set_to(today);
  auto report = use_cases_->Report(coordinator_, req);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->lines_size(), 1);
  // Paid, then paid back: refunded, and neither kept nor cancelled.
  EXPECT_EQ(report->lines(0).claimed_cents(), 18100);
  EXPECT_EQ(report->lines(0).paid_cents(), 0);
  EXPECT_EQ(report->lines(0).refunded_cents(), 18100);
  EXPECT_EQ(report->lines(0).shop_share_cents(), 0);
  EXPECT_EQ(report->lines(0).waived_cents(), 0);
  ExpectLedgerBalances();
}

// Each claimed cent is in exactly one of the report's categories: a claim
// paid, one part paid and waived, one paid, dismissed and refunded, a group
// where one pays and the other (part paid) lapses with a refund due, and
// one still open.
TEST_F(DonationsPgTest, ReminderLetterNamesPayeeIbanSenderAndContact) {
  const int64_t claim = Case(1).claims(0).id();
  clock_.Advance(absl::Hours(24 * 15));  // past the 14 days to pay
  kvo::v1::RemindClaimRequest remind;
  remind.set_claim_id(claim);
  // Without an account the reminder cannot say where to pay: refused,
  // naming what to record, and the claim stays as it was.
  Id(absl::StrCat("UPDATE area_contacts SET iban = '' WHERE area_id = ", area_,
                  " RETURNING area_id"));
  const int64_t before = Written();
  auto refused = use_cases_->Remind(coordinator_, remind);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("kvo area contact --area " + std::to_string(area_)));
  EXPECT_THAT(refused.status().message(), HasSubstr("--iban"));
  EXPECT_EQ(Written(), before);
  EXPECT_EQ(Count(absl::StrCat(
                "SELECT reminders FROM donation_claims WHERE id = ", claim)),
            0);
  RecordLetterhead(area_);
  auto letter = use_cases_->Remind(coordinator_, remind);
  ASSERT_TRUE(letter.ok()) << letter.status();
  EXPECT_EQ(letter->letter_kind(), "reminder");
  const std::string text = PdfText(letter->pdf());
  for (const char* part :
       {"Herinnering overlastdonatie", "€ 181,00", "NL91 ABNA 0417 1643 00",
        "ten name van Stichting KVO A", "Coördinator A",
        "Postbus 1, 7400 AA Deventer", "kvo@example.nl", "0570 123456"}) {
    EXPECT_THAT(text, HasSubstr(part));
  }
  std::string reference;
  for (char c : text) {
    if (c >= '0' && c <= '9') reference += c;
  }
  EXPECT_THAT(reference,
              HasSubstr(std::to_string(Count(absl::StrCat(
                  "SELECT payment_reference::bigint FROM donation_claims "
                  "WHERE id = ",
                  claim)))));
}

TEST_F(DonationsPgTest, TheReportsCategoriesPartitionWhatWasClaimed) {
  const int64_t paid = Case(1).claims(0).id();
  ASSERT_TRUE(
      use_cases_->RecordPayment(coordinator_, Payment(paid, 18100, "part-paid"))
          .ok());
  const int64_t waived = Case(1).claims(0).id();
  ASSERT_TRUE(
      use_cases_
          ->RecordPayment(coordinator_, Payment(waived, 5000, "part-waived"))
          .ok());
  kvo::v1::WaiveClaimRequest waive;
  waive.set_claim_id(waived);
  waive.set_reason("schuldhulpverlening");
  ASSERT_TRUE(use_cases_->Waive(coordinator_, waive).ok());
  const int64_t refunded = Case(1).claims(0).id();
  ASSERT_TRUE(
      use_cases_
          ->RecordPayment(coordinator_, Payment(refunded, 18100, "part-ref"))
          .ok());
  kvo::v1::DismissClaimRequest dismiss;
  dismiss.set_claim_id(refunded);
  dismiss.set_reason("sepot");
  ASSERT_TRUE(use_cases_->Dismiss(coordinator_, dismiss).ok());
  kvo::v1::RecordRefundRequest refund;
  refund.set_claim_id(refunded);
  ASSERT_TRUE(use_cases_->RecordRefund(coordinator_, refund).ok());
  const auto group = Case(2);
  ASSERT_TRUE(use_cases_
                  ->RecordPayment(coordinator_, Payment(group.claims(0).id(),
                                                        3000, "part-group-0"))
                  .ok());
  ASSERT_TRUE(use_cases_
                  ->RecordPayment(coordinator_, Payment(group.claims(1).id(),
                                                        18100, "part-group-1"))
                  .ok());
  auto lapsed = use_cases_->GetClaim(coordinator_, group.claims(0).id());
  ASSERT_TRUE(lapsed.ok()) << lapsed.status();
  EXPECT_EQ(lapsed->state(), "refund_due");
  const int64_t open = Case(1).claims(0).id();
  ASSERT_TRUE(
      use_cases_->RecordPayment(coordinator_, Payment(open, 1000, "part-open"))
          .ok());

  kvo::v1::DonationReportRequest req;
  req.set_area_id(area_);
  const std::string today = absl::FormatCivilTime(
      absl::ToCivilDay(clock_.Now(), common::Amsterdam()));
  req.set_from(today);
  req.set_to(today);
  auto report = use_cases_->Report(coordinator_, req);
  ASSERT_TRUE(report.ok()) << report.status();
  const auto parts = [](const kvo::v1::DonationReportLine& l) {
    return l.paid_cents() + l.outstanding_cents() + l.waived_cents() +
           l.lapsed_cents() + l.refunded_cents() + l.refund_due_cents();
  };
  ASSERT_EQ(report->lines_size(), 1);
  for (const auto* l : {&report->lines(0), &report->total()}) {
    EXPECT_EQ(l->claims(), 6);
    EXPECT_EQ(l->claimed_cents(), 6 * 18100);
    EXPECT_EQ(parts(*l), l->claimed_cents()) << l->DebugString();
    EXPECT_EQ(l->paid_cents(), 18100 + 5000 + 18100 + 1000);
    EXPECT_EQ(l->waived_cents(), 13100);
    EXPECT_EQ(l->refunded_cents(), 18100);
    EXPECT_EQ(l->lapsed_cents(), 18100 - 3000);
    EXPECT_EQ(l->refund_due_cents(), 3000);
    EXPECT_EQ(l->outstanding_cents(), 17100);
    // Fee and share divide the money held: kept, or still to pay back.
    EXPECT_EQ(l->fee_cents() + l->shop_share_cents(),
              l->paid_cents() + l->refund_due_cents());
  }
  // Paid back later: the 3000 move from refund due to refunded.
  refund.set_claim_id(group.claims(0).id());
  ASSERT_TRUE(use_cases_->RecordRefund(coordinator_, refund).ok());
  report = use_cases_->Report(coordinator_, req);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(parts(report->total()), 6 * 18100);
  EXPECT_EQ(report->total().refunded_cents(), 18100 + 3000);
  EXPECT_EQ(report->total().refund_due_cents(), 0);
  ExpectLedgerBalances();
}

TEST_F(DonationsPgTest, ProviderEventsAreAppliedOnceAndOnlyWhenSigned) {
  const auto c = Case(1);
  const std::string ref = c.claims(0).payment_reference();
  audit::AuditRecord who;
  who.peer = "ipv4:127.0.0.1";

  // Wrong signature, stale timestamp, unknown reference: nothing written.
  const int64_t before = Written();
  auto forged = Event("evt-forged", ref, 18100);
  forged.set_signature(std::string(64, 'a'));
  EXPECT_EQ(use_cases_->ProviderEvent(who, forged).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto tampered = Event("evt-tampered", ref, 100);
  tampered.set_body(
      absl::StrCat(R"({"payment_reference":")", ref,
                   R"(","amount_cents":18100,"currency":"EUR"})"));
  EXPECT_EQ(use_cases_->ProviderEvent(who, tampered).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto stale =
      Event("evt-stale", ref, 100, absl::ToUnixSeconds(clock_.Now()) - 3600);
  auto stale_result = use_cases_->ProviderEvent(who, stale);
  EXPECT_EQ(stale_result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(stale_result.status().message(), HasSubstr("timestamp"));
  auto unknown = Event("evt-unknown", "5000056789012345", 100);
  EXPECT_EQ(use_cases_->ProviderEvent(who, unknown).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Written(), before);

  // Eight identical deliveries at once: applied exactly once.
  const auto event = Event("evt-1", ref, 6000);
  std::vector<std::future<absl::StatusOr<kvo::v1::PaymentResult>>> results;
  std::atomic<bool> go{false};
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      while (!go.load()) std::this_thread::yield();
      return use_cases_->ProviderEvent(who, event);
    }));
  }
  go = true;
  int applied = 0;
  for (auto& f : results) {
    auto r = f.get();
    if (r.ok()) {
      ++applied;
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists)
          << r.status();
    }
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM donation_payments"), 1);
  EXPECT_EQ(Count("SELECT paid_cents FROM donation_claims"), 6000);
  // A replay later is refused too.
  EXPECT_EQ(use_cases_->ProviderEvent(who, event).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_GE(Count("SELECT count(*) FROM audit_entries WHERE action = "
                  "'donations.provider_event' AND outcome = 'denied'"),
            5);
  ExpectLedgerBalances();
}

TEST_F(DonationsPgTest, BadInputIsRefusedNamingTheProblemAndWritesNothing) {
  const auto c = Case(1);
  const int64_t claim = c.claims(0).id();
  const int64_t before = Written();
  struct Bad {
    kvo::v1::RecordPaymentRequest req;
    absl::StatusCode code;
    const char* says;
  };
  auto usd = Payment(claim, 100, "bad-usd-1");
  usd.set_currency("USD");
  auto by_ref = Payment(0, 100, "bad-ref-1");
  by_ref.set_payment_reference("5000056789012345");
  const std::vector<Bad> bad = {
      {Payment(claim, 0, "bad-zero-1"), absl::StatusCode::kInvalidArgument,
       "--amount"},
      {Payment(claim, -100, "bad-neg-1"), absl::StatusCode::kInvalidArgument,
       "--amount"},
      {usd, absl::StatusCode::kInvalidArgument, "--currency"},
      {Payment(claim, 18101, "bad-over-1"),
       absl::StatusCode::kFailedPrecondition, "overpayment"},
      {Payment(999999, 100, "bad-claim-1"), absl::StatusCode::kNotFound,
       "--claim"},
      {by_ref, absl::StatusCode::kNotFound, "--reference"},
  };
  for (const Bad& b : bad) {
    auto r = use_cases_->RecordPayment(coordinator_, b.req);
    EXPECT_EQ(r.status().code(), b.code) << b.says << ": " << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(b.says));
  }
  kvo::v1::PlanInstalmentsRequest plan;
  plan.set_claim_id(claim);
  for (int i = 0; i < 7; ++i) {
    auto* in = plan.add_instalments();
    in->set_due_on(absl::FormatCivilTime(
        absl::ToCivilDay(clock_.Now(), common::Amsterdam()) + 10 + i));
    in->set_amount_cents(i < 6 ? 2600 : 2500);
  }
  auto many = use_cases_->PlanInstalments(coordinator_, plan);
  EXPECT_EQ(many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(many.status().message(), HasSubstr("at most 6"));
  kvo::v1::PlanInstalmentsRequest past;
  past.set_claim_id(claim);
  auto* in = past.add_instalments();
  in->set_due_on("2020-01-01");
  in->set_amount_cents(18100);
  auto old = use_cases_->PlanInstalments(coordinator_, past);
  EXPECT_EQ(old.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(old.status().message(), HasSubstr("in the past"));
  EXPECT_EQ(Written(), before);

  // Another area's claim: refused, and the refusal is on record.
  Actor outsider = coordinator_;
  outsider.check_area = [](pqxx::transaction_base&, int64_t) {
    return absl::PermissionDeniedError("not your area");
  };
  EXPECT_EQ(use_cases_->GetClaim(outsider, claim).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Written(), before);
}

TEST_F(DonationsPgTest, ClaimLinksGoAfterPaymentAndAtTheLatestAfterSevenYears) {
  const auto paid = Case(1);
  const auto unpaid = Case(1);
  ASSERT_TRUE(use_cases_
                  ->RecordPayment(coordinator_, Payment(paid.claims(0).id(),
                                                        18100, "retention-1"))
                  .ok());
  ClaimLinkRetention rule(92, 2557, parties_);
  auto run = [&](absl::Duration ahead, bool apply) {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    const absl::Time at = clock_.Now() + ahead;
    auto item = apply ? rule.Apply(tx, at) : rule.Due(tx, at);
    tx.commit();
    return item;
  };
  ClaimPersonHolds holds;
  const int64_t paid_person =
      Count(absl::StrCat("SELECT person_id FROM donation_claims WHERE id = ",
                         paid.claims(0).id()));
  auto held = [&] {
    pqxx::connection conn(conninfo());
    pqxx::work tx(conn);
    return holds.Holds(tx, paid_person);
  };
  EXPECT_TRUE(held()) << "the registry keeps the person while linked";
  EXPECT_EQ(run(absl::Hours(24 * 91), true).count, 0u);
  auto after = run(absl::Hours(24 * 93), true);
  EXPECT_EQ(after.count, 1u);
  ASSERT_EQ(after.subjects.size(), 1u);
  EXPECT_EQ(after.subjects[0],
            absl::StrCat("person:", paid.claims(0).pseudonym()));
  EXPECT_FALSE(held()) << "and lets go once the link went";
  auto gone = use_cases_->GetClaim(coordinator_, paid.claims(0).id());
  EXPECT_TRUE(gone->pseudonym().empty());
  EXPECT_EQ(gone->paid_cents(), 18100) << "the money facts stay";
  EXPECT_EQ(run(absl::Hours(24 * 2556), false).count, 0u);
  EXPECT_EQ(run(absl::Hours(24 * 2558), true).count, 1u) << "unpaid: 7 years";
  EXPECT_EQ(Count("SELECT count(*) FROM donation_claims WHERE person_id IS "
                  "NOT NULL"),
            0);
}

}  // namespace
}  // namespace kvo::donations
