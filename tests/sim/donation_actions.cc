#include "tests/sim/donation_actions.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/donations/provider_signature.h"
#include "tests/sim/calls.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

// The claim `act` names (a = case, b = index), or nullptr.
DonationClaim* ClaimOf(Model& model, Handle donation_case, int64_t index) {
  auto it = model.donation_cases.find(donation_case);
  if (it == model.donation_cases.end() || index < 0 ||
      index >= static_cast<int64_t>(it->second.size())) {
    return nullptr;
  }
  return &it->second[index];
}

std::string Named(const DonationClaim& c) {
  return absl::StrCat("claim ", c.id, " (", c.state, ", balance ", c.Balance(),
                      " cents)");
}

// How much a person pays: all, half or a third of what is outstanding;
// the whole amount when nothing is (the money comes in all the same).
int64_t AmountFor(const DonationClaim& c, int64_t how) {
  const int64_t balance = c.Balance();
  if (!c.TakesPayments() || balance <= 0) return c.amount;
  if (how <= 0) return balance;
  return std::max<int64_t>(1, balance / (how + 1));
}

// Why a payment of `amount` is refused ("" when it is taken).
std::string PaymentRefusedBecause(const DonationClaim& c, int64_t amount) {
  if (!c.TakesPayments()) return absl::StrCat("the claim is ", c.state);
  if (amount > c.Balance()) {
    return absl::StrCat(amount, " cents is more than the ", c.Balance(),
                        " outstanding");
  }
  return "";
}

void Settle(DonationClaim& c, const std::string& state, int day) {
  c.state = state;
  c.settled_day = day;
}

// The whole amount cancelled (a lapse or a dismissal): money in is due
// back, else the claim is settled as `without_money`.
void CancelWhole(DonationClaim& c, const std::string& as,
                 const std::string& without_money, int day) {
  c.cancelled = c.amount;
  c.cancelled_as = as;
  if (c.NetPaid() > 0) {
    c.state = "refund_due";
  } else {
    Settle(c, without_money, day);
  }
}

// A payment taken: paid in full lapses the case's other open claims.
std::vector<int64_t> Pay(std::vector<DonationClaim>& claims, size_t i,
                         int64_t amount, int day) {
  DonationClaim& c = claims[i];
  c.paid += amount;
  ++c.payments;
  std::vector<int64_t> lapsed;
  if (c.Balance() != 0) {
    c.state = "partially_paid";
    return lapsed;
  }
  Settle(c, "paid", day);
  for (size_t j = 0; j < claims.size(); ++j) {
    if (j == i || !claims[j].TakesPayments()) continue;
    CancelWhole(claims[j], "lapsed", "lapsed", day);
    lapsed.push_back(claims[j].id);
  }
  return lapsed;
}

// kvod's answer to a payment against what the model did with it.
void CheckPaymentResult(Model& model, const std::string& what,
                        const DonationClaim& c, const PaymentResult& out,
                        std::vector<int64_t> lapsed) {
  std::vector<int64_t> got(out.lapsed_claim_ids().begin(),
                           out.lapsed_claim_ids().end());
  std::sort(got.begin(), got.end());
  std::sort(lapsed.begin(), lapsed.end());
  if (out.state_after() != c.state ||
      out.balance_after_cents() != c.Balance() || got != lapsed ||
      out.replayed()) {
    model.unexpected.push_back(absl::StrCat(
        what, " answered state ", out.state_after(), ", balance ",
        out.balance_after_cents(), ", lapsed [", absl::StrJoin(got, ","),
        "], replayed ", out.replayed(), "; the model has ", Named(c),
        ", lapsed [", absl::StrJoin(lapsed, ","), "]"));
  }
}

void OpenCase(const Action& act, Handle handle, World& world, Model& model) {
  auto it = model.incidents.find(act.a);
  if (it == model.incidents.end() || it->second.claimed) return;
  Incident& inc = it->second;
  std::vector<Handle> persons = {inc.person};
  if (act.b != inc.person && model.persons.count(act.b)) {
    persons.push_back(act.b);
  }
  for (Handle p : persons) {
    if (model.persons.at(p).erased) return;
  }
  const Area& area = model.areas[inc.area];
  CreateCaseRequest req;
  req.set_incident_id(inc.id);
  if (persons.size() > 1) {
    for (Handle p : persons) req.add_person_ids(model.persons.at(p).id);
  }
  DonationCase out;
  grpc::Status s = world.donations().CreateCase(
      world.Ctx(area.coordinator.token).get(), req, &out);
  const absl::Time now = world.Now();
  if (!s.ok()) {
    for (Handle p : persons) {
      if (GoneIsFine(model, p, now, s)) return;
    }
    Unexpected(model, absl::StrCat("CreateCase for incident ", inc.id), s,
               "a coordinator claims for a carded incident of their area, "
               "its persons kept");
    return;
  }
  inc.claimed = true;
  std::vector<DonationClaim>& claims = model.donation_cases[handle];
  for (const Claim& got : out.claims()) {
    DonationClaim c;
    c.id = got.id();
    c.case_id = out.id();
    c.person = model.PersonByPseudonym(got.pseudonym());
    c.area = inc.area;
    c.shop_id = got.shop_id();
    c.reference = got.payment_reference();
    c.created_on = got.created_on();
    c.amount = kClaimCents;
    c.fee = kClaimFeeCents;
    if (got.amount_cents() != kClaimCents ||
        got.admin_fee_cents() != kClaimFeeCents || got.state() != "open" ||
        c.person < 0) {
      model.unexpected.push_back(absl::StrCat(
          "CreateCase for incident ", inc.id, " made claim ", got.id(), " of ",
          got.amount_cents(), " cents (fee ", got.admin_fee_cents(), "), ",
          got.state(), ", for '", got.pseudonym(),
          "'; expected an open claim of ", kClaimCents, " (fee ",
          kClaimFeeCents, ") for one of its persons"));
    }
    claims.push_back(c);
  }
  if (claims.size() != persons.size()) {
    model.unexpected.push_back(absl::StrCat(
        "CreateCase for incident ", inc.id, " made ", claims.size(),
        " claims for ", persons.size(), " persons"));
  }
}

// Delivers event `e`, signed now (`resign`) or with its first signature.
void Deliver(ProviderEvent& e, bool resign, World& world, Model& model) {
  std::vector<DonationClaim>& claims = model.donation_cases.at(e.donation_case);
  DonationClaim& c = claims[e.claim];
  const int64_t now = absl::ToUnixSeconds(world.Now());
  const int64_t timestamp = resign ? now : e.timestamp;
  ProviderEventRequest req;
  req.set_event_id(e.event_id);
  req.set_timestamp(timestamp);
  req.set_body(e.body);
  req.set_signature(donations::SignProviderEvent(
      World::kProviderSecret, timestamp, e.event_id, e.body));
  PaymentResult out;
  grpc::Status s =
      world.donations().RecordProviderEvent(world.Ctx("").get(), req, &out);
  const std::string what =
      absl::StrCat("provider event ", e.event_id, " (", e.amount, " cents for ",
                   Named(c), ", made on day ", e.day, ")");
  grpc::StatusCode expected = grpc::StatusCode::OK;
  std::string why;
  if (std::abs(now - timestamp) > kProviderToleranceSeconds) {
    expected = grpc::StatusCode::UNAUTHENTICATED;
    why = absl::StrCat("signed ", now - timestamp, " s ago");
  } else if (e.applied) {
    expected = grpc::StatusCode::ALREADY_EXISTS;
    why = "applied before";
  } else if (std::string refused = PaymentRefusedBecause(c, e.amount);
             !refused.empty()) {
    expected = grpc::StatusCode::FAILED_PRECONDITION;
    why = refused;
  } else {
    why = "a good event for a claim that takes it";
  }
  if (s.error_code() != expected) {
    UnexpectedCode(model, what, s, CodeName(expected), why);
    return;
  }
  if (!s.ok()) {
    e.refused = expected == grpc::StatusCode::FAILED_PRECONDITION;
    return;
  }
  e.applied = true;
  const auto lapsed =
      Pay(claims, static_cast<size_t>(e.claim), e.amount, model.day);
  CheckPaymentResult(model, what, c, out, lapsed);
}

void ProviderPayment(const Action& act, Handle handle, World& world,
                     Model& model) {
  DonationClaim* c = ClaimOf(model, act.a, act.b);
  if (c == nullptr) return;
  ProviderEvent e;
  e.event_id = absl::StrCat("sim-evt-", handle);
  e.donation_case = act.a;
  e.claim = static_cast<int>(act.b);
  e.amount = AmountFor(*c, act.c);
  e.timestamp = absl::ToUnixSeconds(world.Now());
  e.day = model.day;
  e.body =
      absl::StrCat(R"({"payment_reference":")", c->reference,
                   R"(","amount_cents":)", e.amount, R"(,"currency":"EUR"})");
  ProviderEvent& kept = model.provider_events[handle] = e;
  if (act.d == 0 || act.d == 1) Deliver(kept, false, world, model);
  if (act.d == 1) Deliver(kept, false, world, model);
}

void DeliverEvent(const Action& act, World& world, Model& model) {
  auto it = model.provider_events.find(act.a);
  if (it == model.provider_events.end()) return;
  Deliver(it->second, act.b == 0, world, model);
}

void CoordinatorPayment(const Action& act, Handle handle, World& world,
                        Model& model) {
  DonationClaim* c = ClaimOf(model, act.a, act.b);
  if (c == nullptr) return;
  std::vector<DonationClaim>& claims = model.donation_cases.at(act.a);
  RecordPaymentRequest req;
  req.set_claim_id(c->id);
  req.set_amount_cents(AmountFor(*c, act.c));
  req.set_currency("EUR");
  req.set_idempotency_key(absl::StrCat("sim-payment-", handle));
  const std::string token = model.areas[c->area].coordinator.token;
  const std::string what = absl::StrCat("RecordPayment of ", req.amount_cents(),
                                        " cents on ", Named(*c));
  const std::string refused = PaymentRefusedBecause(*c, req.amount_cents());
  PaymentResult first;
  grpc::Status s =
      world.donations().RecordPayment(world.Ctx(token).get(), req, &first);
  if (!refused.empty()) {
    if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
      UnexpectedCode(model, what, s, "FAILED_PRECONDITION", refused);
    }
    return;
  }
  if (!s.ok()) {
    Unexpected(model, what, s, "the claim takes the payment");
    return;
  }
  const auto lapsed =
      Pay(claims, static_cast<size_t>(act.b), req.amount_cents(), model.day);
  CheckPaymentResult(model, what, *c, first, lapsed);
  if (act.d == 0) return;
  // The coordinator's client retried: the same answer, nothing recorded.
  PaymentResult again;
  s = world.donations().RecordPayment(world.Ctx(token).get(), req, &again);
  if (!s.ok() || !again.replayed() ||
      again.payment_id() != first.payment_id()) {
    model.unexpected.push_back(absl::StrCat(
        what, " retried with its key answered ", s.ok() ? "OK" : Describe(s),
        ", replayed ", again.replayed(), ", payment ", again.payment_id(),
        "; expected the first payment ", first.payment_id(), " replayed"));
  }
}

// Waiver, dismissal or refund: a coordinator's change of one claim.
void ChangeClaim(const Action& act, World& world, Model& model) {
  DonationClaim* c = ClaimOf(model, act.a, act.b);
  if (c == nullptr) return;
  const std::string token = model.areas[c->area].coordinator.token;
  grpc::Status s;
  Claim after;
  std::string what;
  bool allowed = false;
  if (act.kind == Kind::kWaiveClaim) {
    WaiveClaimRequest req;
    req.set_claim_id(c->id);
    req.set_reason("gesimuleerde kwijtschelding");
    what = "WaiveClaim";
    allowed = c->TakesPayments();
    s = world.donations().WaiveClaim(world.Ctx(token).get(), req, &after);
  } else if (act.kind == Kind::kDismissClaim) {
    DismissClaimRequest req;
    req.set_claim_id(c->id);
    req.set_reason("sepot");
    ClaimLetter letter;
    what = "DismissClaim";
    allowed = c->TakesPayments() || c->state == "paid";
    s = world.donations().DismissClaim(world.Ctx(token).get(), req, &letter);
    after = letter.claim();
  } else {
    RecordRefundRequest req;
    req.set_claim_id(c->id);
    what = "RecordRefund";
    allowed = c->state == "refund_due";
    s = world.donations().RecordRefund(world.Ctx(token).get(), req, &after);
  }
  what = absl::StrCat(what, " of ", Named(*c));
  if (!allowed) {
    if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
      UnexpectedCode(model, what, s, "FAILED_PRECONDITION",
                     absl::StrCat("the claim is ", c->state));
    }
    return;
  }
  if (!s.ok()) {
    Unexpected(model, what, s,
               absl::StrCat("the claim is ", c->state, " in the area"));
    return;
  }
  if (act.kind == Kind::kWaiveClaim) {
    c->cancelled += c->Balance();
    c->cancelled_as = "waived";
    Settle(*c, "waived", model.day);
  } else if (act.kind == Kind::kDismissClaim) {
    CancelWhole(*c, "dismissed", "waived", model.day);
  } else {
    c->refunded += c->NetPaid();
    Settle(*c, "refunded", model.day);
  }
  if (after.state() != c->state || after.balance_cents() != c->Balance()) {
    model.unexpected.push_back(
        absl::StrCat(what, " answered state ", after.state(), ", balance ",
                     after.balance_cents(), "; the model has ", Named(*c)));
  }
}

}  // namespace

void PlanDonations(const Model& model, std::mt19937_64& rng, int area,
                   const std::vector<Handle>& alive,
                   const std::function<Handle(Action)>& push) {
  // Cases for the carded incidents of the last days; now and then a
  // group case with a second person.
  for (const auto& [h, inc] : model.incidents) {
    if (inc.area != area || !inc.carded || inc.claimed ||
        model.day - inc.day > 3 || model.persons.at(inc.person).erased ||
        !Chance(rng, 0.3)) {
      continue;
    }
    const Handle other =
        !alive.empty() && Chance(rng, 0.25) ? Pick(rng, alive) : -1;
    push(MakeAction(Kind::kOpenDonationCase, h, other));
  }
  for (const auto& [h, claims] : model.donation_cases) {
    for (size_t i = 0; i < claims.size(); ++i) {
      const DonationClaim& c = claims[i];
      if (c.area != area) continue;
      const int64_t index = static_cast<int64_t>(i);
      if (c.TakesPayments()) {
        const double r = std::uniform_real_distribution<double>(0, 1)(rng);
        if (r < 0.12) {
          const double d = std::uniform_real_distribution<double>(0, 1)(rng);
          push(MakeAction(Kind::kProviderPayment, h, index, Uniform(rng, 0, 2),
                          d < 0.6    ? 0
                          : d < 0.75 ? 1
                                     : 2));
        } else if (r < 0.15) {
          push(MakeAction(Kind::kCoordinatorPayment, h, index,
                          Uniform(rng, 0, 2), Chance(rng, 0.3) ? 1 : 0));
        } else if (r < 0.165) {
          push(MakeAction(Kind::kWaiveClaim, h, index));
        } else if (r < 0.18) {
          push(MakeAction(Kind::kDismissClaim, h, index));
        }
      } else if (c.state == "paid" && Chance(rng, 0.01)) {
        push(MakeAction(Kind::kDismissClaim, h, index));
      } else if (c.state == "refund_due" && Chance(rng, 0.25)) {
        push(MakeAction(Kind::kRecordRefund, h, index));
      } else if (Chance(rng, 0.005)) {
        // A step the claim's state does not allow: refused, nothing changes.
        push(MakeAction(
            Chance(rng, 0.5) ? Kind::kWaiveClaim : Kind::kRecordRefund, h,
            index));
      }
    }
  }
}

void PlanProviderDeliveries(const Model& model, std::mt19937_64& rng,
                            const std::function<Handle(Action)>& push) {
  std::vector<Action> due;
  for (const auto& [h, e] : model.provider_events) {
    if (e.day >= model.day || e.refused) continue;
    // Late: signed anew, or still with the first signature (refused).
    if ((!e.applied && Chance(rng, 0.4)) || (e.applied && Chance(rng, 0.02))) {
      due.push_back(
          MakeAction(Kind::kDeliverEvent, h, Chance(rng, 0.2) ? 1 : 0));
    }
  }
  std::shuffle(due.begin(), due.end(), rng);
  for (const Action& a : due) push(a);
}

void ExecuteDonation(const Action& act, World& world, Model& model) {
  switch (act.kind) {
    case Kind::kOpenDonationCase:
      OpenCase(act, act.id, world, model);
      break;
    case Kind::kProviderPayment:
      ProviderPayment(act, act.id, world, model);
      break;
    case Kind::kDeliverEvent:
      DeliverEvent(act, world, model);
      break;
    case Kind::kCoordinatorPayment:
      CoordinatorPayment(act, act.id, world, model);
      break;
    case Kind::kWaiveClaim:
    case Kind::kDismissClaim:
    case Kind::kRecordRefund:
      ChangeClaim(act, world, model);
      break;
    default:
      break;
  }
}

}  // namespace kvo::sim
