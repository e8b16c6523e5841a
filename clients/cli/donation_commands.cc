#include "clients/cli/donation_commands.h"

#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/output.h"
#include "kvo/v1/donations.grpc.pb.h"

namespace kvo::cli {
namespace {

using kvo::v1::DonationService;
using Stub = DonationService::Stub;

constexpr char kCoordinator[] = " (role: coordinator of the claim's area)";
constexpr char kReaders[] =
    " (roles: coordinator of the area, privacy_officer read-only)";
constexpr char kCreators[] = " (roles: police or coordinator of the area)";

struct Args {
  int64_t id = 0;
  int64_t incident = 0;
  std::vector<int64_t> persons;
  int64_t area = 0;
  std::string state;
  bool overdue = false;
  int64_t claim = 0;
  std::string reference;
  std::string amount;
  std::string currency = "EUR";
  std::string key;
  std::vector<std::string> instalments;
  std::string reason;
  bool paid_out = false;
  std::string letter_path;
  std::string from, to;
  std::string csv_path;
  bool ledger = false;
};

template <typename Request, typename Response>
int Call(const GlobalOptions& opts,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                      Response*),
         const Request& request, Response* response) {
  return CallUnary<DonationService>(opts, method, request, response);
}

Record ClaimRecord(const kvo::v1::Claim& c) {
  return {{"claim", Value::Int(c.id())},
          {"case", Value::Int(c.case_id())},
          {"area", Value::Int(c.area_id())},
          {"shop", Value::Int(c.shop_id())},
          {"pseudonym", c.pseudonym().empty() ? Value::Null() : c.pseudonym()},
          {"state", Value::Label(c.state())},
          {"amount", Value::Money(c.amount_cents())},
          {"paid", Value::Money(c.paid_cents())},
          {"balance", Value::Money(c.balance_cents())},
          {"shop_share", Value::Money(c.shop_share_cents())},
          {"reference", c.payment_reference()},
          {"due", Value::Day(c.next_due_on())},
          {"overdue", Value::Bool(c.overdue())},
          {"reminders", Value::Int(c.reminders())}};
}

int WriteLetter(const std::string& path, const kvo::v1::ClaimLetter& letter) {
  if (path.empty() || letter.pdf().empty()) return kExitOk;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << letter.pdf();
  out.close();
  if (!out)
    return ReportError(absl::StrCat("--letter ", path, ": cannot write"), 1);
  return kExitOk;
}

int PrintCase(const GlobalOptions& opts, const kvo::v1::DonationCase& c) {
  std::vector<Record> rows;
  for (const auto& claim : c.claims()) rows.push_back(ClaimRecord(claim));
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunCreate(const GlobalOptions& opts, const Args& a) {
  kvo::v1::CreateCaseRequest req;
  req.set_incident_id(a.incident);
  for (int64_t p : a.persons) req.add_person_ids(p);
  kvo::v1::DonationCase resp;
  if (int rc = Call(opts, &Stub::CreateCase, req, &resp); rc != kExitOk) {
    return rc;
  }
  return PrintCase(opts, resp);
}

int RunCaseShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetCaseRequest req;
  req.set_case_id(a.id);
  kvo::v1::DonationCase resp;
  if (int rc = Call(opts, &Stub::GetCase, req, &resp); rc != kExitOk) {
    return rc;
  }
  return PrintCase(opts, resp);
}

int RunShow(const GlobalOptions& opts, const Args& a) {
  kvo::v1::GetClaimRequest req;
  req.set_claim_id(a.id);
  kvo::v1::Claim resp;
  if (int rc = Call(opts, &Stub::GetClaim, req, &resp); rc != kExitOk) {
    return rc;
  }
  if (a.ledger) {
    std::vector<Record> rows;
    for (const auto& e : resp.ledger()) {
      rows.push_back({{"booked", Value::Day(e.booked_on())},
                      {"kind", Value::Label(e.kind())},
                      {"amount", Value::Money(e.amount_cents())}});
    }
    PrintTable(TableOf(rows), opts.Style());
    return kExitOk;
  }
  Record r = ClaimRecord(resp);
  for (int i = 0; i < resp.instalments_size(); ++i) {
    r.push_back({absl::StrCat("instalment_", i + 1),
                 absl::StrCat(resp.instalments(i).due_on(), " ",
                              EuroText(resp.instalments(i).amount_cents()))});
  }
  if (!resp.waive_reason().empty())
    r.push_back({"waived", resp.waive_reason()});
  if (!resp.refund_due_on().empty()) {
    r.push_back({"refund_due", Value::Day(resp.refund_due_on())});
    r.push_back({"refund_overdue", Value::Bool(resp.refund_overdue())});
  }
  PrintRecord(r, opts.Style());
  return kExitOk;
}

int RunList(const GlobalOptions& opts, const Args& a) {
  kvo::v1::ListClaimsRequest req;
  req.set_area_id(a.area);
  req.set_state(a.state);
  req.set_overdue_only(a.overdue);
  kvo::v1::ListClaimsResponse resp;
  if (int rc = Call(opts, &Stub::ListClaims, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& c : resp.claims()) rows.push_back(ClaimRecord(c));
  PrintTable(TableOf(rows), opts.Style());
  return kExitOk;
}

int RunPay(const GlobalOptions& opts, const Args& a) {
  auto cents = ParseEuros(a.amount);
  if (!cents) {
    return ReportError(absl::StrCat(
        "--amount ", a.amount,
        ": an amount in euros with at most two decimals (181 or 60.50)"));
  }
  kvo::v1::RecordPaymentRequest req;
  req.set_claim_id(a.claim);
  req.set_payment_reference(a.reference);
  req.set_amount_cents(*cents);
  req.set_currency(a.currency);
  req.set_idempotency_key(a.key);
  kvo::v1::PaymentResult resp;
  if (int rc = Call(opts, &Stub::RecordPayment, req, &resp); rc != kExitOk) {
    return rc;
  }
  std::string lapsed;
  for (int64_t id : resp.lapsed_claim_ids()) {
    lapsed += absl::StrCat(lapsed.empty() ? "" : ",", id);
  }
  PrintRecord({{"payment", Value::Int(resp.payment_id())},
               {"claim", Value::Int(resp.claim_id())},
               {"amount", Value::Money(resp.amount_cents())},
               {"state", Value::Label(resp.state_after())},
               {"balance", Value::Money(resp.balance_after_cents())},
               {"replayed", Value::Bool(resp.replayed())},
               {"lapsed_claims", lapsed.empty() ? Value::Null() : lapsed}},
              opts.Style());
  return kExitOk;
}

int RunPlan(const GlobalOptions& opts, const Args& a) {
  kvo::v1::PlanInstalmentsRequest req;
  req.set_claim_id(a.id);
  for (const std::string& spec : a.instalments) {
    const size_t colon = spec.find(':');
    auto cents = colon == std::string::npos
                     ? std::nullopt
                     : ParseEuros(spec.substr(colon + 1));
    if (!cents) {
      return ReportError(absl::StrCat("--instalment ", spec,
                                      ": DATE:AMOUNT, e.g. 2026-12-15:60.50"));
    }
    auto* in = req.add_instalments();
    in->set_due_on(spec.substr(0, colon));
    in->set_amount_cents(*cents);
  }
  kvo::v1::Claim resp;
  if (int rc = Call(opts, &Stub::PlanInstalments, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ClaimRecord(resp), opts.Style());
  return kExitOk;
}

int RunWaive(const GlobalOptions& opts, const Args& a) {
  kvo::v1::WaiveClaimRequest req;
  req.set_claim_id(a.id);
  req.set_reason(a.reason);
  kvo::v1::Claim resp;
  if (int rc = Call(opts, &Stub::WaiveClaim, req, &resp); rc != kExitOk) {
    return rc;
  }
  PrintRecord(ClaimRecord(resp), opts.Style());
  return kExitOk;
}

int RunRefund(const GlobalOptions& opts, const Args& a) {
  if (a.paid_out == !a.reason.empty()) {
    return ReportError(
        "--reason or --paid-out: --reason REASON records the dismissal or "
        "acquittal (refund due), --paid-out that the refund was paid");
  }
  if (a.paid_out) {
    kvo::v1::RecordRefundRequest req;
    req.set_claim_id(a.id);
    kvo::v1::Claim resp;
    if (int rc = Call(opts, &Stub::RecordRefund, req, &resp); rc != kExitOk) {
      return rc;
    }
    PrintRecord(ClaimRecord(resp), opts.Style());
    return kExitOk;
  }
  kvo::v1::DismissClaimRequest req;
  req.set_claim_id(a.id);
  req.set_reason(a.reason);
  kvo::v1::ClaimLetter resp;
  if (int rc = Call(opts, &Stub::DismissClaim, req, &resp); rc != kExitOk) {
    return rc;
  }
  if (int rc = WriteLetter(a.letter_path, resp); rc != kExitOk) return rc;
  Record r = ClaimRecord(resp.claim());
  r.push_back({"letter", Value::Label(resp.letter_kind())});
  PrintRecord(r, opts.Style());
  return kExitOk;
}

int RunRemind(const GlobalOptions& opts, const Args& a) {
  kvo::v1::RemindClaimRequest req;
  req.set_claim_id(a.id);
  kvo::v1::ClaimLetter resp;
  if (int rc = Call(opts, &Stub::RemindClaim, req, &resp); rc != kExitOk) {
    return rc;
  }
  if (int rc = WriteLetter(a.letter_path, resp); rc != kExitOk) return rc;
  Record r = ClaimRecord(resp.claim());
  r.push_back({"letter", Value::Label(resp.letter_kind())});
  PrintRecord(r, opts.Style());
  return kExitOk;
}

Record LineRecord(const kvo::v1::DonationReportLine& l) {
  return {{"shop", Value::Id(l.shop_id())},
          {"name", l.shop_name()},
          {"claims", Value::Int(l.claims())},
          {"claimed", Value::Money(l.claimed_cents())},
          {"paid", Value::Money(l.paid_cents())},
          {"outstanding", Value::Money(l.outstanding_cents())},
          {"waived", Value::Money(l.waived_cents())},
          {"lapsed", Value::Money(l.lapsed_cents())},
          {"refunded", Value::Money(l.refunded_cents())},
          {"refund_due", Value::Money(l.refund_due_cents())},
          {"fee", Value::Money(l.fee_cents())},
          {"shop_share", Value::Money(l.shop_share_cents())}};
}

int RunReport(const GlobalOptions& opts, const Args& a) {
  kvo::v1::DonationReportRequest req;
  req.set_area_id(a.area);
  req.set_from(a.from);
  req.set_to(a.to);
  kvo::v1::DonationReport resp;
  if (int rc = Call(opts, &Stub::GetDonationReport, req, &resp);
      rc != kExitOk) {
    return rc;
  }
  std::vector<Record> rows;
  for (const auto& l : resp.lines()) rows.push_back(LineRecord(l));
  rows.push_back(LineRecord(resp.total()));
  const Table table = TableOf(rows);
  if (!a.csv_path.empty()) {
    std::string error;
    if (!WriteCsv(table, a.csv_path, &error)) {
      return ReportError(absl::StrCat("--csv ", a.csv_path, ": ", error), 1);
    }
  }
  PrintTable(table, opts.Style());
  return kExitOk;
}

}  // namespace

std::optional<int64_t> ParseEuros(const std::string& given) {
  std::string text(absl::StripAsciiWhitespace(given));
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text = text.substr(1);
  }
  for (char& c : text) {
    if (c == ',') c = '.';
  }
  const size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string part = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || part.size() > 2 ||
      (dot != std::string::npos && part.empty())) {
    return std::nullopt;
  }
  for (char c : whole + part) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  int64_t euros = 0, cents = 0;
  if (!absl::SimpleAtoi(whole, &euros)) return std::nullopt;
  if (!part.empty() && !absl::SimpleAtoi(part, &cents)) return std::nullopt;
  if (part.size() == 1) cents *= 10;
  const int64_t total = euros * 100 + cents;
  return negative ? -total : total;
}

void AddDonationCommands(CLI::App* app, const GlobalOptions* opts,
                         std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  const auto id = [&](CLI::App* sub, const char* what) {
    sub->add_option(what, a->id, "its number")
        ->required()
        ->check(PositiveInteger());
  };

  auto* claim = app->add_subcommand(
      "claim", "nuisance donations (overlastdonatie): claims and payments");
  claim->require_subcommand(1);

  auto* create = claim->add_subcommand(
      "create", absl::StrCat("a claim for the incident's person (several "
                             "persons: kvo case create)",
                             kCreators));
  create->add_option("--incident", a->incident, "the incident")
      ->required()
      ->check(PositiveInteger());
  OnSelected(create, action, opts, a, RunCreate);

  auto* show = claim->add_subcommand(
      "show", absl::StrCat("one claim; --ledger for its entries", kReaders));
  id(show, "CLAIM");
  show->add_flag("--ledger", a->ledger, "the ledger's entries instead");
  OnSelected(show, action, opts, a, RunShow);

  auto* list = claim->add_subcommand(
      "list", absl::StrCat("the claims of an area", kReaders));
  list->add_option("--area", a->area, "the area")
      ->required()
      ->check(PositiveInteger());
  list->add_option("--state", a->state,
                   "open, partially_paid, paid, waived, lapsed, refund_due, "
                   "refunded or in_collection");
  list->add_flag("--overdue", a->overdue, "only claims past their due date");
  OnSelected(list, action, opts, a, RunList);

  auto* pay = claim->add_subcommand(
      "pay", absl::StrCat("record a payment; the same --idempotency-key "
                          "again records nothing",
                          kCoordinator));
  auto* by_claim = pay->add_option("--claim", a->claim, "the claim")
                       ->check(PositiveInteger());
  auto* by_ref = pay->add_option("--reference", a->reference,
                                 "the payment reference (16 digits)");
  by_claim->excludes(by_ref);
  pay->add_option("--amount", a->amount, "euros, e.g. 181 or 60.50")
      ->required();
  pay->add_option("--currency", a->currency, "only EUR")->capture_default_str();
  pay->add_option("--idempotency-key", a->key,
                  "unique per payment (the bank transaction's id), so a "
                  "retry is never paid twice")
      ->required();
  OnSelected(pay, action, opts, a, RunPay);

  auto* plan = claim->add_subcommand(
      "plan", absl::StrCat("an instalment plan (at most policy "
                           "donations.max_instalments)",
                           kCoordinator));
  id(plan, "CLAIM");
  plan->add_option("--instalment", a->instalments,
                   "DATE:AMOUNT, e.g. 2026-12-15:60.50 (repeat)")
      ->required();
  OnSelected(plan, action, opts, a, RunPlan);

  auto* waive = claim->add_subcommand(
      "waive", absl::StrCat("forgive what is outstanding", kCoordinator));
  id(waive, "CLAIM");
  waive->add_option("--reason", a->reason, "why")->required();
  OnSelected(waive, action, opts, a, RunWaive);

  auto* refund = claim->add_subcommand(
      "refund",
      absl::StrCat("--reason: dismissal or acquittal (money in is due back "
                   "within policy donations.refund_term_days; --letter "
                   "writes the refund letter); --paid-out: the refund was "
                   "paid",
                   kCoordinator));
  id(refund, "CLAIM");
  refund->add_option("--reason", a->reason, "the dismissal or acquittal");
  refund->add_flag("--paid-out", a->paid_out, "the refund was paid out");
  refund->add_option("--letter", a->letter_path, "write the refund letter PDF");
  OnSelected(refund, action, opts, a, RunRefund);

  auto* remind = claim->add_subcommand(
      "remind", absl::StrCat("an overdue claim: a reminder letter, or after "
                             "the last one collection (the area needs its "
                             "payee and IBAN: kvo area contact)",
                             kCoordinator));
  id(remind, "CLAIM");
  remind->add_option("--letter", a->letter_path, "write the letter PDF");
  OnSelected(remind, action, opts, a, RunRemind);

  auto* report = claim->add_subcommand(
      "report",
      "per shop, the claims made in a period and where their money stood on "
      "its last day: claimed = paid (kept) + outstanding + waived + lapsed + "
      "refunded + refund due, to the cent; then the fee and the shop's "
      "share of what is paid (roles: coordinator of the area, "
      "privacy_officer; a shopkeeper sees their own shops' lines only)");
  report->add_option("--area", a->area, "the area")
      ->required()
      ->check(PositiveInteger());
  report->add_option("--from", a->from, "first day, YYYY-MM-DD")->required();
  report->add_option("--to", a->to, "last day, YYYY-MM-DD")->required();
  report->add_option("--csv", a->csv_path, "also write the table as CSV");
  OnSelected(report, action, opts, a, RunReport);

  auto* kase = app->add_subcommand(
      "case", "a nuisance-donation case: one incident, one claim per person");
  kase->require_subcommand(1);
  auto* kase_create = kase->add_subcommand(
      "create", absl::StrCat("a case for a group: one claim per --person; "
                             "once one pays in full the others lapse",
                             kCreators));
  kase_create->add_option("--incident", a->incident, "the incident")
      ->required()
      ->check(PositiveInteger());
  kase_create->add_option("--person", a->persons, "a person (repeat)")
      ->check(PositiveInteger());
  OnSelected(kase_create, action, opts, a, RunCreate);
  auto* kase_show = kase->add_subcommand(
      "show", absl::StrCat("a case and its claims", kReaders));
  id(kase_show, "CASE");
  OnSelected(kase_show, action, opts, a, RunCaseShow);
}

}  // namespace kvo::cli
