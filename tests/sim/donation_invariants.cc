#include "tests/sim/donation_invariants.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/sim/calls.h"

namespace kvo::sim {
namespace {

using namespace kvo::v1;

constexpr char kLedger[] = "donations_ledger_balances";
constexpr char kTwice[] = "no_payment_counted_twice";
constexpr char kReport[] = "donation_report_adds_up";

// What a claim's ledger says, by kind.
std::map<std::string, int64_t> Sums(const kvo::v1::Claim& got, int* payments) {
  std::map<std::string, int64_t> sum;
  *payments = 0;
  for (const LedgerEntry& e : got.ledger()) {
    sum[e.kind()] += e.amount_cents();
    if (e.kind() == "paid") ++*payments;
  }
  return sum;
}

// The fee's part of what came in: rounded down (the shop gets the odd
// cent), as DonationService's comments say.
int64_t FeeOf(const DonationClaim& c) {
  if (c.NetPaid() <= 0) return 0;
  return c.NetPaid() * c.fee / c.amount;
}

void CheckClaim(const DonationClaim& c, const kvo::v1::Claim& got,
                std::vector<std::string>& ledger,
                std::vector<std::string>& twice) {
  int payments = 0;
  std::map<std::string, int64_t> sum = Sums(got, &payments);
  const int64_t balance = sum["claimed"] + sum["paid"] + sum["refunded"] +
                          sum["waived"] + sum["dismissed"] + sum["lapsed"];
  std::vector<std::string> d;
  auto expect = [&](const std::string& what, int64_t is, int64_t model) {
    if (is != model)
      d.push_back(absl::StrCat(what, " ", is, " (model ", model, ")"));
  };
  if (got.state() != c.state) {
    d.push_back(absl::StrCat("state ", got.state(), " (model ", c.state, ")"));
  }
  expect("amount", got.amount_cents(), c.amount);
  expect("paid", got.paid_cents(), c.paid);
  expect("refunded", got.refunded_cents(), c.refunded);
  expect("balance", got.balance_cents(), c.Balance());
  expect("ledger balance", balance, c.Balance());
  expect("ledger claimed", sum["claimed"], c.amount);
  expect("ledger refunded", sum["refunded"], c.refunded);
  for (const char* kind : {"waived", "dismissed", "lapsed"}) {
    expect(absl::StrCat("ledger ", kind), -sum[kind],
           c.cancelled_as == kind ? c.cancelled : 0);
  }
  expect("ledger fee", sum["fee"], FeeOf(c));
  expect("ledger shop share", sum["shop_share"], c.NetPaid() - FeeOf(c));
  expect("shop share", got.shop_share_cents(), c.NetPaid() - FeeOf(c));
  if (!d.empty()) {
    ledger.push_back(
        absl::StrCat("claim ", c.id, ": ", absl::StrJoin(d, ", ")));
  }
  if (payments != c.payments || -sum["paid"] != c.paid) {
    twice.push_back(absl::StrCat(
        "claim ", c.id, " has ", payments, " payments of ", -sum["paid"],
        " cents in its ledger; the model made ", c.payments, " of ", c.paid));
  }
}

void Report(std::vector<Broken>& out, const char* invariant,
            std::vector<std::string> details) {
  if (details.empty()) return;
  const size_t more = details.size() > 5 ? details.size() - 5 : 0;
  details.resize(std::min<size_t>(details.size(), 5));
  if (more > 0) details.push_back(absl::StrCat("and ", more, " more"));
  out.push_back({invariant, absl::StrJoin(details, "; ")});
}

// One report line as the model counts it.
DonationReportLine Expected(const std::vector<const DonationClaim*>& claims) {
  DonationReportLine line;
  for (const DonationClaim* c : claims) {
    const int64_t due_back = std::max<int64_t>(-c->Balance(), 0);
    const int64_t back = c->refunded + due_back;
    line.set_claims(line.claims() + 1);
    line.set_claimed_cents(line.claimed_cents() + c->amount);
    line.set_paid_cents(line.paid_cents() + c->paid - back);
    line.set_outstanding_cents(line.outstanding_cents() +
                               std::max<int64_t>(c->Balance(), 0));
    line.set_refund_due_cents(line.refund_due_cents() + due_back);
    line.set_refunded_cents(line.refunded_cents() + c->refunded);
    const int64_t unpaid = c->cancelled - back;
    if (c->cancelled_as == "lapsed") {
      line.set_lapsed_cents(line.lapsed_cents() + unpaid);
    } else if (!c->cancelled_as.empty()) {
      line.set_waived_cents(line.waived_cents() + unpaid);
    }
    line.set_fee_cents(line.fee_cents() + FeeOf(*c));
    line.set_shop_share_cents(line.shop_share_cents() + c->NetPaid() -
                              FeeOf(*c));
  }
  return line;
}

std::string CompareLine(const std::string& which, const DonationReportLine& got,
                        const DonationReportLine& model) {
  std::vector<std::string> d;
  const int64_t parts = got.paid_cents() + got.outstanding_cents() +
                        got.waived_cents() + got.lapsed_cents() +
                        got.refunded_cents() + got.refund_due_cents();
  if (parts != got.claimed_cents()) {
    d.push_back(absl::StrCat("the categories add up to ", parts,
                             " cents, claimed ", got.claimed_cents()));
  }
  const auto* reflection = got.GetReflection();
  const auto* descriptor = got.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64 ||
        field->name() == "shop_id") {
      continue;
    }
    const int64_t is = reflection->GetInt64(got, field);
    const int64_t want = reflection->GetInt64(model, field);
    if (is != want) {
      d.push_back(absl::StrCat(field->name(), " ", is, " (model ", want, ")"));
    }
  }
  if (d.empty()) return "";
  return absl::StrCat(which, ": ", absl::StrJoin(d, ", "));
}

void CheckReport(World& world, const Model& model, size_t a,
                 std::vector<std::string>& report) {
  const Area& area = model.areas[a];
  DonationReportRequest req;
  req.set_area_id(area.id);
  req.set_from(absl::FormatCivilTime(model.first_day));
  req.set_to(absl::FormatCivilTime(model.today));
  DonationReport got;
  grpc::Status s = world.donations().GetDonationReport(
      world.Ctx(area.coordinator.token).get(), req, &got);
  if (!s.ok()) {
    report.push_back(
        absl::StrCat("GetDonationReport of area ", area.id, ": ", Describe(s)));
    return;
  }
  std::map<int64_t, std::vector<const DonationClaim*>> by_shop;
  std::vector<const DonationClaim*> all;
  for (const auto& [h, claims] : model.donation_cases) {
    for (const DonationClaim& c : claims) {
      if (c.area != static_cast<int>(a)) continue;
      by_shop[c.shop_id].push_back(&c);
      all.push_back(&c);
    }
  }
  std::set<int64_t> seen;
  for (const DonationReportLine& line : got.lines()) {
    seen.insert(line.shop_id());
    const std::string which =
        absl::StrCat("area ", area.id, ", shop ", line.shop_id());
    if (std::string d =
            CompareLine(which, line, Expected(by_shop[line.shop_id()]));
        !d.empty()) {
      report.push_back(d);
    }
  }
  for (const auto& [shop, claims] : by_shop) {
    if (!seen.count(shop)) {
      report.push_back(absl::StrCat("area ", area.id, ": no line for shop ",
                                    shop, " with ", claims.size(), " claims"));
    }
  }
  if (std::string d = CompareLine(absl::StrCat("area ", area.id, ", total"),
                                  got.total(), Expected(all));
      !d.empty()) {
    report.push_back(d);
  }
}

}  // namespace

std::vector<std::string> DonationInvariantNames() {
  return {kLedger, kTwice, kReport};
}

void CheckDonations(World& world, const Model& model,
                    std::vector<Broken>& out) {
  std::vector<std::string> ledger, twice, report;
  for (size_t a = 0; a < model.areas.size(); ++a) {
    const Area& area = model.areas[a];
    std::map<int64_t, const DonationClaim*> expected;
    for (const auto& [h, claims] : model.donation_cases) {
      for (const DonationClaim& c : claims) {
        if (c.area == static_cast<int>(a)) expected[c.id] = &c;
      }
    }
    if (expected.empty()) continue;
    ListClaimsRequest req;
    req.set_area_id(area.id);
    ListClaimsResponse got;
    grpc::Status s = world.donations().ListClaims(
        world.Ctx(area.coordinator.token).get(), req, &got);
    if (!s.ok()) {
      ledger.push_back(
          absl::StrCat("ListClaims of area ", area.id, ": ", Describe(s)));
      continue;
    }
    for (const kvo::v1::Claim& claim : got.claims()) {
      auto it = expected.find(claim.id());
      if (it == expected.end()) {
        ledger.push_back(absl::StrCat("claim ", claim.id(), " of area ",
                                      area.id, " the model never made"));
        continue;
      }
      CheckClaim(*it->second, claim, ledger, twice);
      expected.erase(it);
    }
    for (const auto& [id, c] : expected) {
      ledger.push_back(absl::StrCat("claim ", id, " of area ", area.id,
                                    " missing from ListClaims"));
    }
    CheckReport(world, model, a, report);
  }
  Report(out, kLedger, std::move(ledger));
  Report(out, kTwice, std::move(twice));
  Report(out, kReport, std::move(report));
}

}  // namespace kvo::sim
