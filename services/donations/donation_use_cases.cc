#include "services/donations/donation_use_cases.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit/audit_entry.h"
#include "services/audit/pg_audit_store.h"
#include "services/common/crypto.h"
#include "services/common/local_time.h"
#include "services/donations/claim_letters.h"
#include "services/donations/donation_requests.h"
#include "services/donations/payment_reference.h"
#include "services/donations/pg_donation_store.h"
#include "services/donations/provider_signature.h"

namespace kvo::donations {
namespace {

using audit::PgAuditStore;
using Store = PgDonationStore;
using Tx = pqxx::transaction_base;

constexpr char kProviderRole[] = "payment_provider";

bool IsRefusal(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kUnauthenticated:
      return true;
    default:
      return false;
  }
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// Runs `fn(tx, gate)` in one transaction. A refusal of the area (through
// `gate`) commits the transaction with the refusal's audit entry, then is
// returned.
class AreaGate {
 public:
  explicit AreaGate(const Actor& actor) : actor_(actor) {}
  absl::Status Check(Tx& tx, int64_t area_id) {
    if (!actor_.check_area) return absl::OkStatus();
    absl::Status s = actor_.check_area(tx, area_id);
    if (!s.ok()) denied_ = s;
    return s;
  }
  const absl::Status& denied() const { return denied_; }
  void Reset() { denied_ = absl::OkStatus(); }

 private:
  const Actor& actor_;
  absl::Status denied_;
};

template <typename T, typename Fn>
absl::StatusOr<T> Transact(common::DbPool& pool, absl::string_view what,
                           const Actor& actor, Fn&& fn) {
  AreaGate gate(actor);
  auto result =
      pool.InTransaction(what, [&](pqxx::work& tx) -> absl::StatusOr<T> {
        gate.Reset();
        absl::StatusOr<T> r = fn(tx, gate);
        if (!gate.denied().ok()) return T{};
        return r;
      });
  if (!gate.denied().ok()) return gate.denied();
  return result;
}

std::string Subject(const std::optional<PartyPerson>& person) {
  return person.has_value() ? absl::StrCat("person:", person->pseudonym) : "";
}

kvo::v1::Claim View(Tx& tx, const ClaimRow& row, const ClaimParties& parties,
                    absl::CivilDay today, std::string* subject) {
  const Claim& c = row.claim;
  kvo::v1::Claim out;
  out.set_id(row.id);
  out.set_case_id(row.case_id);
  out.set_area_id(row.area_id);
  out.set_shop_id(row.shop_id);
  if (row.person_id != 0) {
    auto person = parties.Person(tx, row.person_id);
    if (person.has_value()) out.set_pseudonym(person->pseudonym);
    if (subject != nullptr) *subject = Subject(person);
  }
  out.set_state(std::string(StateName(c.state)));
  out.set_amount_cents(c.amount_cents);
  out.set_admin_fee_cents(c.admin_fee_cents);
  out.set_paid_cents(c.paid_cents);
  out.set_refunded_cents(c.refunded_cents);
  out.set_balance_cents(c.Balance());
  out.set_shop_share_cents(c.ShopShare());
  out.set_payment_reference(row.payment_reference);
  out.set_created_on(Day(c.created_on));
  out.set_due_on(Day(c.due_on));
  if (auto next = Deadline(c); next.has_value()) {
    out.set_next_due_on(Day(*next));
  }
  out.set_overdue(IsOverdue(c, today));
  out.set_reminders(c.reminders);
  for (const Instalment& in : c.instalments) {
    auto* i = out.add_instalments();
    i->set_due_on(Day(in.due_on));
    i->set_amount_cents(in.amount_cents);
  }
  out.set_waive_reason(c.waive_reason);
  if (c.refund_due_on.has_value()) {
    out.set_refund_due_on(Day(*c.refund_due_on));
  }
  out.set_refund_overdue(RefundOverdue(c, today));
  out.set_currency(kCurrency);
  for (const LedgerRow& l : Store::Ledger(tx, row.id)) {
    auto* e = out.add_ledger();
    e->set_kind(std::string(EntryKindName(l.kind)));
    e->set_amount_cents(l.amount_cents);
    e->set_booked_on(Day(l.booked_on));
  }
  return out;
}

kvo::v1::PaymentResult ResultOf(const PaymentRow& p, bool replayed) {
  kvo::v1::PaymentResult out;
  out.set_payment_id(p.id);
  out.set_claim_id(p.claim_id);
  out.set_amount_cents(p.amount_cents);
  out.set_state_after(p.state_after);
  out.set_balance_after_cents(p.balance_after);
  out.set_replayed(replayed);
  for (int64_t id : p.lapsed_claim_ids) out.add_lapsed_claim_ids(id);
  return out;
}

// The first payment with this key answers again when it was for the same
// claim and amount; anything else reusing the key is refused.
absl::StatusOr<kvo::v1::PaymentResult> Replay(const PaymentRow& first,
                                              int64_t claim_id,
                                              int64_t amount_cents) {
  if (first.claim_id != claim_id || first.amount_cents != amount_cents) {
    return absl::AlreadyExistsError(absl::StrCat(
        "idempotency_key (--idempotency-key): already used for payment ",
        first.id, " of ", first.amount_cents, " cents on claim ",
        first.claim_id, "; a new payment needs a new key"));
  }
  return ResultOf(first, /*replayed=*/true);
}

}  // namespace

DonationUseCases::DonationUseCases(const kvo::v1::Policy& policy,
                                   common::DbPool& pool,
                                   const ClaimParties& parties,
                                   const notice::Letterheads& letterheads,
                                   const common::Clock& clock,
                                   ProviderConfig provider)
    : policy_(policy),
      terms_(TermsFromPolicy(policy.donations())),
      pool_(pool),
      parties_(parties),
      letterheads_(letterheads),
      clock_(clock),
      provider_(std::move(provider)) {}

absl::CivilDay DonationUseCases::Today() const {
  return absl::ToCivilDay(clock_.Now(), common::Amsterdam());
}

absl::Status DonationUseCases::Refused(const audit::AuditRecord& who,
                                       const std::string& action,
                                       absl::Status status) {
  if (status.ok() || !IsRefusal(status)) return status;
  audit::AuditRecord r = who;
  r.action = action;
  r.outcome = audit::Outcome::kDenied;
  r.purpose = std::string(status.message().substr(0, 200));
  auto logged = pool_.InTransaction("audit refusal", [&](pqxx::work& tx) {
    PgAuditStore::Append(tx, r);
    return absl::OkStatus();
  });
  if (!logged.ok()) return logged;
  return status;
}

absl::StatusOr<kvo::v1::DonationCase> DonationUseCases::CreateCase(
    const Actor& actor, const kvo::v1::CreateCaseRequest& in) {
  constexpr char kAction[] = "donations.create_case";
  auto persons = ValidateCreateCaseRequest(in);
  if (!persons.ok()) return Refused(actor.who, kAction, persons.status());
  const absl::CivilDay today = Today();
  auto made = Transact<kvo::v1::DonationCase>(
      pool_, "create donation case", actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::DonationCase> {
        auto incident = parties_.Incident(tx, in.incident_id());
        if (!incident) {
          return absl::NotFoundError(
              absl::StrCat("incident_id (--incident): incident ",
                           in.incident_id(), " not found"));
        }
        if (auto s = gate.Check(tx, incident->area_id); !s.ok()) return s;
        std::vector<int64_t> ids = *persons;
        if (ids.empty()) ids.push_back(incident->person_id);
        std::vector<PartyPerson> people;
        for (int64_t id : ids) {
          auto person = parties_.Person(tx, id);
          if (!person) {
            return absl::NotFoundError(absl::StrCat(
                "person_ids (--person): person ", id, " not found"));
          }
          if (person->erased) {
            return absl::FailedPreconditionError(absl::StrCat(
                "person_ids (--person): person ", id, " was erased"));
          }
          people.push_back(*person);
        }
        CaseRow c{0, incident->id, incident->area_id, incident->shop_id};
        auto case_id = Store::InsertCase(tx, c, actor.principal_id);
        if (!case_id) {
          return absl::AlreadyExistsError(
              absl::StrCat("incident_id (--incident): incident ", incident->id,
                           " has a donation case already"));
        }
        std::vector<std::string> subjects;
        for (const PartyPerson& p : people) {
          const Step step = NewClaim(terms_, today);
          ClaimRow row;
          row.id = Store::NextClaimId(tx);
          row.case_id = *case_id;
          row.person_id = p.id;
          row.area_id = incident->area_id;
          row.shop_id = incident->shop_id;
          const std::string random = common::RandomBytes(4);
          const uint32_t r = (uint8_t(random[0]) << 24) |
                             (uint8_t(random[1]) << 16) |
                             (uint8_t(random[2]) << 8) | uint8_t(random[3]);
          row.payment_reference =
              MakePaymentReference(row.id, static_cast<int>(r % 1000000));
          row.claim = step.claim;
          Store::InsertClaim(tx, row);
          Store::AppendLedger(tx, row.id, step.entries, today, 0);
          subjects.push_back(absl::StrCat("person:", p.pseudonym));
        }
        audit::AuditRecord r = actor.who;
        r.action = kAction;
        r.subject = audit::JoinSubjects(subjects);
        r.area_id = incident->area_id;
        r.purpose = absl::StrCat("case for incident ", incident->id);
        PgAuditStore::Append(tx, r);
        kvo::v1::DonationCase out;
        out.set_id(*case_id);
        out.set_area_id(incident->area_id);
        out.set_shop_id(incident->shop_id);
        out.set_incident_id(incident->id);
        for (const ClaimRow& row : Store::ClaimsOfCase(tx, *case_id, false)) {
          *out.add_claims() = View(tx, row, parties_, today, nullptr);
        }
        return out;
      });
  if (!made.ok()) return Refused(actor.who, kAction, made.status());
  return made;
}

absl::StatusOr<kvo::v1::DonationCase> DonationUseCases::GetCase(
    const Actor& actor, int64_t case_id) {
  constexpr char kAction[] = "donations.get_case";
  kvo::v1::GetCaseRequest req;
  req.set_case_id(case_id);
  if (auto s = ValidateGetCaseRequest(req); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  const absl::CivilDay today = Today();
  auto got = Transact<kvo::v1::DonationCase>(
      pool_, "get donation case", actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::DonationCase> {
        auto c = Store::CaseById(tx, case_id);
        if (!c) {
          return absl::NotFoundError(
              absl::StrCat("case_id: case ", case_id, " not found"));
        }
        if (auto s = gate.Check(tx, c->area_id); !s.ok()) return s;
        kvo::v1::DonationCase out;
        out.set_id(c->id);
        out.set_area_id(c->area_id);
        out.set_shop_id(c->shop_id);
        out.set_incident_id(c->incident_id);
        std::vector<std::string> subjects;
        for (const ClaimRow& row : Store::ClaimsOfCase(tx, case_id, false)) {
          std::string subject;
          *out.add_claims() = View(tx, row, parties_, today, &subject);
          if (!subject.empty()) subjects.push_back(subject);
        }
        audit::AuditRecord r = actor.who;
        r.action = kAction;
        r.subject = audit::JoinSubjects(subjects);
        r.area_id = c->area_id;
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!got.ok()) return Refused(actor.who, kAction, got.status());
  return got;
}

absl::StatusOr<kvo::v1::Claim> DonationUseCases::GetClaim(const Actor& actor,
                                                          int64_t claim_id) {
  constexpr char kAction[] = "donations.get_claim";
  kvo::v1::GetClaimRequest req;
  req.set_claim_id(claim_id);
  if (auto s = ValidateGetClaimRequest(req); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  const absl::CivilDay today = Today();
  auto got = Transact<kvo::v1::Claim>(
      pool_, "get claim", actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::Claim> {
        auto row = Store::ClaimById(tx, claim_id, false);
        if (!row) {
          return absl::NotFoundError(
              absl::StrCat("claim_id: claim ", claim_id, " not found"));
        }
        if (auto s = gate.Check(tx, row->area_id); !s.ok()) return s;
        audit::AuditRecord r = actor.who;
        kvo::v1::Claim out = View(tx, *row, parties_, today, &r.subject);
        r.action = kAction;
        r.area_id = row->area_id;
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!got.ok()) return Refused(actor.who, kAction, got.status());
  return got;
}

absl::StatusOr<kvo::v1::ListClaimsResponse> DonationUseCases::ListClaims(
    const Actor& actor, const kvo::v1::ListClaimsRequest& in) {
  constexpr char kAction[] = "donations.list_claims";
  const absl::CivilDay today = Today();
  // The area first: an outsider is refused alike whatever else they send.
  auto listed = Transact<kvo::v1::ListClaimsResponse>(
      pool_, "list claims", actor,
      [&](Tx& tx,
          AreaGate& gate) -> absl::StatusOr<kvo::v1::ListClaimsResponse> {
        if (in.area_id() > 0) {
          if (auto s = gate.Check(tx, in.area_id()); !s.ok()) return s;
        }
        if (auto s = ValidateListClaimsRequest(in); !s.ok()) return s;
        kvo::v1::ListClaimsResponse out;
        std::vector<std::string> subjects;
        for (const ClaimRow& row :
             Store::ClaimsOfArea(tx, in.area_id(), in.state())) {
          if (in.overdue_only() && !IsOverdue(row.claim, today)) continue;
          std::string subject;
          *out.add_claims() = View(tx, row, parties_, today, &subject);
          if (!subject.empty()) subjects.push_back(subject);
        }
        audit::AuditRecord r = actor.who;
        r.action = kAction;
        r.subject = audit::JoinSubjects(subjects);
        r.area_id = in.area_id();
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!listed.ok()) return Refused(actor.who, kAction, listed.status());
  return listed;
}

// The payment on a claim whose case is locked: the rule, the payment row
// (unique key and event id), the claim, the ledger, the lapse of the
// case's other claims once this one is paid. A key another transaction
// took meanwhile answers as a replay (or is refused).
namespace {

struct PaymentInput {
  int64_t amount_cents = 0;
  std::string key;
  std::string event_id;
  int64_t recorded_by = 0;
};

absl::StatusOr<kvo::v1::PaymentResult> ApplyPayment(
    Tx& tx, std::vector<ClaimRow>& case_claims, size_t index,
    const PaymentInput& in, const DonationTerms& terms, absl::CivilDay today) {
  ClaimRow& row = case_claims[index];
  auto step = Pay(row.claim, in.amount_cents, today);
  if (!step.ok()) return step.status();
  PaymentRow p;
  p.claim_id = row.id;
  p.idempotency_key = in.key;
  p.provider_event_id = in.event_id;
  p.amount_cents = in.amount_cents;
  p.currency = kCurrency;
  p.state_after = std::string(StateName(step->claim.state));
  p.balance_after = step->claim.Balance();
  p.recorded_by = in.recorded_by;
  auto payment_id = Store::InsertPayment(tx, p);
  if (!payment_id) {
    if (!in.event_id.empty()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "event_id: event ", in.event_id, " was applied already"));
    }
    auto first = Store::PaymentByKey(tx, in.key);
    if (!first) return absl::AbortedError("payment key race; try again");
    return Replay(*first, row.id, in.amount_cents);
  }
  p.id = *payment_id;
  Store::UpdateClaim(tx, row.id, step->claim, row.dismiss_reason);
  Store::AppendLedger(tx, row.id, step->entries, today, p.id);
  if (step->claim.state == ClaimState::kPaid) {
    for (size_t i = 0; i < case_claims.size(); ++i) {
      if (i == index) continue;
      ClaimRow& other = case_claims[i];
      auto lapsed = Lapse(other.claim, terms, today);
      if (!lapsed.ok()) continue;  // settled already: nothing to lapse
      Store::UpdateClaim(tx, other.id, lapsed->claim, other.dismiss_reason);
      Store::AppendLedger(tx, other.id, lapsed->entries, today, 0);
      p.lapsed_claim_ids.push_back(other.id);
    }
    if (!p.lapsed_claim_ids.empty()) {
      Store::SetPaymentLapses(tx, p.id, p.lapsed_claim_ids);
    }
  }
  return ResultOf(p, /*replayed=*/false);
}

// Locks the claim's whole case (in id order) and finds the claim in it.
std::optional<size_t> LockCase(Tx& tx, const ClaimRow& found,
                               std::vector<ClaimRow>* case_claims) {
  *case_claims = Store::ClaimsOfCase(tx, found.case_id, /*lock=*/true);
  for (size_t i = 0; i < case_claims->size(); ++i) {
    if ((*case_claims)[i].id == found.id) return i;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<kvo::v1::PaymentResult> DonationUseCases::RecordPayment(
    const Actor& actor, const kvo::v1::RecordPaymentRequest& in) {
  constexpr char kAction[] = "donations.record_payment";
  auto reference = ValidateRecordPaymentRequest(in);
  if (!reference.ok()) return Refused(actor.who, kAction, reference.status());
  const absl::CivilDay today = Today();
  auto paid = Transact<kvo::v1::PaymentResult>(
      pool_, "record payment", actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::PaymentResult> {
        auto found = reference->empty()
                         ? Store::ClaimById(tx, in.claim_id(), false)
                         : Store::ClaimByReference(tx, *reference, false);
        if (!found) {
          return reference->empty()
                     ? absl::NotFoundError(
                           absl::StrCat("claim_id (--claim): claim ",
                                        in.claim_id(), " not found"))
                     : absl::NotFoundError(absl::StrCat(
                           "payment_reference (--reference): no claim has "
                           "payment reference ",
                           FormatPaymentReference(*reference)));
        }
        if (auto s = gate.Check(tx, found->area_id); !s.ok()) return s;
        std::vector<ClaimRow> case_claims;
        auto index = LockCase(tx, *found, &case_claims);
        if (!index) return absl::AbortedError("claim moved; try again");
        // After the lock: a retry that waited sees the first one's payment.
        if (auto first = Store::PaymentByKey(tx, in.idempotency_key())) {
          return Replay(*first, found->id, in.amount_cents());
        }
        auto result = ApplyPayment(
            tx, case_claims, *index,
            {in.amount_cents(), in.idempotency_key(), "", actor.principal_id},
            terms_, today);
        if (!result.ok() || result->replayed()) return result;
        audit::AuditRecord r = actor.who;
        r.action = kAction;
        auto person = found->person_id != 0
                          ? parties_.Person(tx, found->person_id)
                          : std::nullopt;
        r.subject = Subject(person);
        r.area_id = found->area_id;
        r.purpose = absl::StrCat("claim ", found->id, ": ", in.amount_cents(),
                                 " cents");
        PgAuditStore::Append(tx, r);
        return result;
      });
  if (!paid.ok()) return Refused(actor.who, kAction, paid.status());
  return paid;
}

absl::StatusOr<kvo::v1::PaymentResult> DonationUseCases::ProviderEvent(
    audit::AuditRecord who, const kvo::v1::ProviderEventRequest& in,
    const std::function<void(const audit::AuditRecord&)>& audit_unverified) {
  constexpr char kAction[] = "donations.provider_event";
  who.role = kProviderRole;
  const auto unverified = [&](absl::Status status) {
    if (!audit_unverified || !IsRefusal(status)) {
      return Refused(who, kAction, status);
    }
    audit::AuditRecord r = who;
    r.action = kAction;
    r.outcome = audit::Outcome::kDenied;
    r.purpose = std::string(status.message().substr(0, 200));
    audit_unverified(r);
    return status;
  };
  if (auto s = ValidateProviderEventRequest(in); !s.ok()) {
    return unverified(s);
  }
  if (provider_.secret.empty()) {
    return unverified(absl::FailedPreconditionError(
        "provider events are off: kvod has no provider secret "
        "(--donations-secret-file or KVO_DONATIONS_SECRET)"));
  }
  const int tolerance = policy_.donations().provider_event_tolerance_seconds();
  if (auto s = VerifyProviderEvent(
          provider_.secret, in.timestamp(), in.event_id(), in.body(),
          in.signature(), clock_.Now(),
          absl::Seconds(tolerance > 0 ? tolerance : kDefaultToleranceSeconds));
      !s.ok()) {
    return unverified(s);
  }
  auto payment = ParseProviderPayment(in.body());
  if (!payment.ok()) return Refused(who, kAction, payment.status());
  const absl::CivilDay today = Today();
  Actor provider;
  provider.who = who;
  auto paid = Transact<kvo::v1::PaymentResult>(
      pool_, "provider event", provider,
      [&](Tx& tx, AreaGate&) -> absl::StatusOr<kvo::v1::PaymentResult> {
        if (auto first = Store::PaymentByEvent(tx, in.event_id())) {
          return absl::AlreadyExistsError(
              absl::StrCat("event_id: event ", in.event_id(),
                           " was applied already (payment ", first->id, ")"));
        }
        auto found =
            Store::ClaimByReference(tx, payment->payment_reference(), false);
        if (!found) {
          return absl::NotFoundError(absl::StrCat(
              "body.payment_reference: no claim has payment reference ",
              FormatPaymentReference(payment->payment_reference())));
        }
        std::vector<ClaimRow> case_claims;
        auto index = LockCase(tx, *found, &case_claims);
        if (!index) return absl::AbortedError("claim moved; try again");
        if (Store::PaymentByEvent(tx, in.event_id())) {
          return absl::AlreadyExistsError(absl::StrCat(
              "event_id: event ", in.event_id(), " was applied already"));
        }
        auto result = ApplyPayment(
            tx, case_claims, *index,
            {payment->amount_cents(), absl::StrCat("provider:", in.event_id()),
             in.event_id(), 0},
            terms_, today);
        if (!result.ok()) return result;
        audit::AuditRecord r = who;
        r.action = kAction;
        auto person = found->person_id != 0
                          ? parties_.Person(tx, found->person_id)
                          : std::nullopt;
        r.subject = Subject(person);
        r.area_id = found->area_id;
        r.purpose = absl::StrCat("event ", in.event_id(), ": claim ", found->id,
                                 ", ", payment->amount_cents(), " cents");
        PgAuditStore::Append(tx, r);
        return result;
      });
  if (!paid.ok()) return Refused(who, kAction, paid.status());
  return paid;
}

absl::StatusOr<kvo::v1::ClaimLetter> DonationUseCases::ChangeClaim(
    const Actor& actor, int64_t claim_id, const std::string& action,
    const std::function<absl::StatusOr<Step>(const Claim&, absl::CivilDay)>&
        rule,
    const std::string& dismiss_reason, const std::string& letter_kind) {
  const absl::CivilDay today = Today();
  auto changed = Transact<kvo::v1::ClaimLetter>(
      pool_, action, actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::ClaimLetter> {
        auto found = Store::ClaimById(tx, claim_id, false);
        if (!found) {
          return absl::NotFoundError(
              absl::StrCat("claim_id: claim ", claim_id, " not found"));
        }
        if (auto s = gate.Check(tx, found->area_id); !s.ok()) return s;
        std::vector<ClaimRow> case_claims;
        auto index = LockCase(tx, *found, &case_claims);
        if (!index) return absl::AbortedError("claim moved; try again");
        ClaimRow& row = case_claims[*index];
        auto step = rule(row.claim, today);
        if (!step.ok()) return step.status();
        const std::string reason =
            dismiss_reason.empty() ? row.dismiss_reason : dismiss_reason;
        Store::UpdateClaim(tx, row.id, step->claim, reason);
        Store::AppendLedger(tx, row.id, step->entries, today, 0);
        row.claim = step->claim;
        row.dismiss_reason = reason;
        kvo::v1::ClaimLetter out;
        audit::AuditRecord r = actor.who;
        *out.mutable_claim() = View(tx, row, parties_, today, &r.subject);
        r.action = action;
        r.area_id = row.area_id;
        r.purpose = absl::StrCat("claim ", row.id, ": now ",
                                 StateName(row.claim.state));
        PgAuditStore::Append(tx, r);
        LetterData letter;
        letter.claim_id = row.id;
        letter.payment_reference = row.payment_reference;
        letter.date = today;
        letter.reminder_number = row.claim.reminders;
        letter.reminders_before_collection = terms_.reminders_before_collection;
        if (letter_kind == "reminder" &&
            row.claim.state == ClaimState::kInCollection) {
          letter.kind = LetterKind::kCollection;
          letter.amount_cents = row.claim.Balance();
          letter.due_on = row.claim.due_on;
          out.set_letter_kind("collection");
        } else if (letter_kind == "reminder") {
          letter.kind = LetterKind::kReminder;
          letter.amount_cents = row.claim.Balance();
          letter.due_on = row.claim.due_on;
          out.set_letter_kind("reminder");
        } else if (letter_kind == "refund" &&
                   row.claim.state == ClaimState::kRefundDue) {
          letter.kind = LetterKind::kRefund;
          letter.amount_cents = row.claim.NetPaid();
          letter.due_on = *row.claim.refund_due_on;
          letter.reason = reason;
          out.set_letter_kind("refund");
        }
        if (!out.letter_kind().empty()) {
          letter.sender = letterheads_.ForArea(tx, row.area_id);
          if (auto s = notice::CheckPaymentDetails(letter.sender); !s.ok()) {
            return s;
          }
          auto pdf = RenderLetterPdf(letter);
          if (!pdf.ok()) return pdf.status();
          out.set_pdf(*pdf);
        }
        return out;
      });
  if (!changed.ok()) return Refused(actor.who, action, changed.status());
  return changed;
}

absl::StatusOr<kvo::v1::Claim> DonationUseCases::PlanInstalments(
    const Actor& actor, const kvo::v1::PlanInstalmentsRequest& in) {
  constexpr char kAction[] = "donations.plan_instalments";
  auto plan = ValidatePlanInstalmentsRequest(in);
  if (!plan.ok()) return Refused(actor.who, kAction, plan.status());
  auto done = ChangeClaim(
      actor, in.claim_id(), kAction,
      [&](const Claim& c, absl::CivilDay today) {
        return donations::PlanInstalments(c, *plan, terms_, today);
      },
      "", "");
  if (!done.ok()) return done.status();
  return done->claim();
}

absl::StatusOr<kvo::v1::Claim> DonationUseCases::Waive(
    const Actor& actor, const kvo::v1::WaiveClaimRequest& in) {
  constexpr char kAction[] = "donations.waive";
  if (auto s = ValidateWaiveClaimRequest(in); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  auto done = ChangeClaim(
      actor, in.claim_id(), kAction,
      [&](const Claim& c, absl::CivilDay today) {
        return donations::Waive(c, in.reason(), today);
      },
      "", "");
  if (!done.ok()) return done.status();
  return done->claim();
}

absl::StatusOr<kvo::v1::ClaimLetter> DonationUseCases::Dismiss(
    const Actor& actor, const kvo::v1::DismissClaimRequest& in) {
  constexpr char kAction[] = "donations.dismiss";
  if (auto s = ValidateDismissClaimRequest(in); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  return ChangeClaim(
      actor, in.claim_id(), kAction,
      [&](const Claim& c, absl::CivilDay today) {
        return donations::Dismiss(c, terms_, today);
      },
      in.reason(), "refund");
}

absl::StatusOr<kvo::v1::Claim> DonationUseCases::RecordRefund(
    const Actor& actor, const kvo::v1::RecordRefundRequest& in) {
  constexpr char kAction[] = "donations.refund";
  if (auto s = ValidateRecordRefundRequest(in); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  auto done = ChangeClaim(
      actor, in.claim_id(), kAction,
      [&](const Claim& c, absl::CivilDay today) {
        return donations::Refund(c, today);
      },
      "", "");
  if (!done.ok()) return done.status();
  return done->claim();
}

absl::StatusOr<kvo::v1::ClaimLetter> DonationUseCases::Remind(
    const Actor& actor, const kvo::v1::RemindClaimRequest& in) {
  constexpr char kAction[] = "donations.remind";
  if (auto s = ValidateRemindClaimRequest(in); !s.ok()) {
    return Refused(actor.who, kAction, s);
  }
  return ChangeClaim(
      actor, in.claim_id(), kAction,
      [&](const Claim& c, absl::CivilDay today) {
        return donations::Remind(c, terms_, today);
      },
      "", "reminder");
}

absl::StatusOr<kvo::v1::DonationReport> DonationUseCases::Report(
    const Actor& actor, const kvo::v1::DonationReportRequest& in) {
  constexpr char kAction[] = "donations.report";
  auto report = Transact<kvo::v1::DonationReport>(
      pool_, "donation report", actor,
      [&](Tx& tx, AreaGate& gate) -> absl::StatusOr<kvo::v1::DonationReport> {
        if (in.area_id() > 0) {
          if (auto s = gate.Check(tx, in.area_id()); !s.ok()) return s;
        }
        auto period = ValidateDonationReportRequest(in);
        if (!period.ok()) return period.status();
        // A shopkeeper sees the lines of their own shops only.
        std::optional<std::set<int64_t>> own;
        if (actor.role == kvo::v1::ROLE_SHOPKEEPER) {
          const auto shops = parties_.ShopsOf(tx, actor.principal_id);
          own.emplace(shops.begin(), shops.end());
        }
        kvo::v1::DonationReport out;
        out.set_area_id(in.area_id());
        out.set_from(in.from());
        out.set_to(in.to());
        kvo::v1::DonationReportLine* total = out.mutable_total();
        total->set_shop_name("total");
        for (const ReportRow& row :
             Store::Report(tx, in.area_id(), period->from, period->to)) {
          if (own.has_value() && !own->contains(row.shop_id)) continue;
          auto* line = out.add_lines();
          line->set_shop_id(row.shop_id);
          if (auto shop = parties_.Shop(tx, row.shop_id)) {
            line->set_shop_name(shop->name);
          }
          line->set_claims(row.claims);
          line->set_claimed_cents(row.claimed);
          line->set_paid_cents(row.paid);
          line->set_outstanding_cents(row.outstanding);
          line->set_waived_cents(row.waived);
          line->set_lapsed_cents(row.lapsed);
          line->set_refunded_cents(row.refunded);
          line->set_refund_due_cents(row.refund_due);
          line->set_fee_cents(row.fee);
          line->set_shop_share_cents(row.shop_share);
          total->set_claims(total->claims() + row.claims);
          total->set_claimed_cents(total->claimed_cents() + row.claimed);
          total->set_paid_cents(total->paid_cents() + row.paid);
          total->set_outstanding_cents(total->outstanding_cents() +
                                       row.outstanding);
          total->set_waived_cents(total->waived_cents() + row.waived);
          total->set_lapsed_cents(total->lapsed_cents() + row.lapsed);
          total->set_refunded_cents(total->refunded_cents() + row.refunded);
          total->set_refund_due_cents(total->refund_due_cents() +
                                      row.refund_due);
          total->set_fee_cents(total->fee_cents() + row.fee);
          total->set_shop_share_cents(total->shop_share_cents() +
                                      row.shop_share);
        }
        audit::AuditRecord r = actor.who;
        r.action = kAction;
        r.area_id = in.area_id();
        r.purpose = absl::StrCat(in.from(), "..", in.to());
        PgAuditStore::Append(tx, r);
        return out;
      });
  if (!report.ok()) return Refused(actor.who, kAction, report.status());
  return report;
}

}  // namespace kvo::donations
