#include "services/donations/donation_requests.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/text.h"
#include "services/donations/payment_reference.h"

namespace kvo::donations {
namespace {

constexpr size_t kMinKey = 8;
constexpr size_t kMaxKey = 128;
constexpr size_t kMaxReason = 500;
constexpr size_t kMaxEventId = 128;
constexpr size_t kMaxBody = 4096;
constexpr int kMaxReportDays = 3660;

absl::Status Id(int64_t id, const char* field) {
  if (id <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": required (a number of at least 1)"));
  }
  return absl::OkStatus();
}

absl::Status Currency(const std::string& currency, const char* field) {
  if (currency != kCurrency) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": only EUR is taken", currency.empty() ? "" : ", not '",
        currency.empty() ? "" : currency.substr(0, 8),
        currency.empty() ? "" : "'"));
  }
  return absl::OkStatus();
}

absl::Status Amount(int64_t cents) {
  if (cents <= 0) {
    return absl::InvalidArgumentError(
        "amount_cents (--amount): must be more than 0");
  }
  return absl::OkStatus();
}

bool Printable(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isgraph(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text,
                                        const std::string& field) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected a date YYYY-MM-DD"));
  }
  return day;
}

absl::StatusOr<std::vector<int64_t>> ValidateCreateCaseRequest(
    const kvo::v1::CreateCaseRequest& r) {
  if (auto s = Id(r.incident_id(), "incident_id (--incident)"); !s.ok()) {
    return s;
  }
  if (r.person_ids_size() > kMaxPersonsPerCase) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person_ids (--person): at most ", kMaxPersonsPerCase, " persons"));
  }
  std::vector<int64_t> out;
  std::set<int64_t> seen;
  for (int64_t id : r.person_ids()) {
    if (auto s = Id(id, "person_ids (--person)"); !s.ok()) return s;
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "person_ids (--person): person ", id, " is listed twice"));
    }
    out.push_back(id);
  }
  return out;
}

absl::Status ValidateGetCaseRequest(const kvo::v1::GetCaseRequest& r) {
  return Id(r.case_id(), "case_id (kvo case show CASE)");
}

absl::Status ValidateGetClaimRequest(const kvo::v1::GetClaimRequest& r) {
  return Id(r.claim_id(), "claim_id (kvo claim show CLAIM)");
}

absl::Status ValidateListClaimsRequest(const kvo::v1::ListClaimsRequest& r) {
  if (auto s = Id(r.area_id(), "area_id (--area)"); !s.ok()) return s;
  if (!r.state().empty() && !ParseState(r.state()).has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "state (--state): unknown state; one of open, partially_paid, paid, "
        "waived, lapsed, refund_due, refunded, in_collection"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ValidateRecordPaymentRequest(
    const kvo::v1::RecordPaymentRequest& r) {
  std::string reference;
  if (r.claim_id() != 0 && !r.payment_reference().empty()) {
    return absl::InvalidArgumentError(
        "claim_id, payment_reference (--claim, --reference): name the claim "
        "one way, not both");
  }
  if (r.payment_reference().empty()) {
    if (auto s = Id(r.claim_id(), "claim_id (--claim or --reference)");
        !s.ok()) {
      return s;
    }
  } else {
    if (auto s = CheckPaymentReference(r.payment_reference(),
                                       "payment_reference (--reference)");
        !s.ok()) {
      return s;
    }
    reference = NormalizePaymentReference(r.payment_reference());
  }
  if (auto s = Amount(r.amount_cents()); !s.ok()) return s;
  if (auto s = Currency(r.currency(), "currency (--currency)"); !s.ok()) {
    return s;
  }
  const std::string& key = r.idempotency_key();
  if (key.size() < kMinKey || key.size() > kMaxKey || !Printable(key)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "idempotency_key (--idempotency-key): ", kMinKey, " to ", kMaxKey,
        " printable characters without spaces, unique per payment"));
  }
  return reference;
}

absl::StatusOr<std::vector<Instalment>> ValidatePlanInstalmentsRequest(
    const kvo::v1::PlanInstalmentsRequest& r) {
  if (auto s = Id(r.claim_id(), "claim_id (kvo claim plan CLAIM)"); !s.ok()) {
    return s;
  }
  std::vector<Instalment> out;
  for (int i = 0; i < r.instalments_size(); ++i) {
    const auto& in = r.instalments(i);
    auto day = ParseDay(in.due_on(), absl::StrCat("instalments (--instalment) ",
                                                  i + 1, ": due date"));
    if (!day.ok()) return day.status();
    if (in.amount_cents() <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("instalments (--instalment) ", i + 1,
                       ": the amount must be more than 0"));
    }
    out.push_back({*day, in.amount_cents()});
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        "instalments (--instalment DATE:AMOUNT): at least one");
  }
  return out;
}

absl::Status ValidateWaiveClaimRequest(const kvo::v1::WaiveClaimRequest& r) {
  if (auto s = Id(r.claim_id(), "claim_id (kvo claim waive CLAIM)"); !s.ok()) {
    return s;
  }
  if (r.reason().empty()) {
    return absl::InvalidArgumentError(
        "reason (--reason): required; say why the claim is waived");
  }
  return common::CheckText("reason (--reason)", r.reason(), 1, kMaxReason);
}

absl::Status ValidateDismissClaimRequest(
    const kvo::v1::DismissClaimRequest& r) {
  if (auto s = Id(r.claim_id(), "claim_id (kvo claim refund CLAIM)"); !s.ok()) {
    return s;
  }
  if (r.reason().empty()) {
    return absl::InvalidArgumentError(
        "reason (--reason): required; the dismissal or acquittal");
  }
  return common::CheckText("reason (--reason)", r.reason(), 1, kMaxReason);
}

absl::Status ValidateRecordRefundRequest(
    const kvo::v1::RecordRefundRequest& r) {
  return Id(r.claim_id(), "claim_id (kvo claim refund CLAIM --paid-out)");
}

absl::Status ValidateRemindClaimRequest(const kvo::v1::RemindClaimRequest& r) {
  return Id(r.claim_id(), "claim_id (kvo claim remind CLAIM)");
}

absl::StatusOr<ReportPeriod> ValidateDonationReportRequest(
    const kvo::v1::DonationReportRequest& r) {
  if (auto s = Id(r.area_id(), "area_id (--area)"); !s.ok()) return s;
  auto from = ParseDay(r.from(), "from (--from)");
  if (!from.ok()) return from.status();
  auto to = ParseDay(r.to(), "to (--to)");
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return absl::InvalidArgumentError("to (--to): before from (--from)");
  }
  if (*to - *from > kMaxReportDays) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from, to (--from, --to): at most ", kMaxReportDays, " days"));
  }
  return ReportPeriod{*from, *to};
}

absl::Status ValidateProviderEventRequest(
    const kvo::v1::ProviderEventRequest& r) {
  if (r.event_id().empty() || r.event_id().size() > kMaxEventId ||
      !Printable(r.event_id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event_id: required, 1 to ", kMaxEventId, " printable characters"));
  }
  if (r.timestamp() <= 0) {
    return absl::InvalidArgumentError("timestamp: required (Unix seconds)");
  }
  if (r.body().empty() || r.body().size() > kMaxBody) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: required, at most ", kMaxBody, " bytes"));
  }
  if (r.signature().size() != 64) {
    return absl::InvalidArgumentError(
        "signature: required, 64 hex characters (HMAC-SHA256)");
  }
  return absl::OkStatus();
}

absl::StatusOr<kvo::v1::ProviderPayment> ParseProviderPayment(
    const std::string& body) {
  kvo::v1::ProviderPayment payment;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(body, &payment, options)
           .ok()) {
    return absl::InvalidArgumentError(
        "body: not a payment (JSON with payment_reference, amount_cents as "
        "whole cents, currency)");
  }
  if (auto s = CheckPaymentReference(payment.payment_reference(),
                                     "body.payment_reference");
      !s.ok()) {
    return s;
  }
  payment.set_payment_reference(
      NormalizePaymentReference(payment.payment_reference()));
  if (payment.amount_cents() <= 0) {
    return absl::InvalidArgumentError("body.amount_cents: must be more than 0");
  }
  if (auto s = Currency(payment.currency(), "body.currency"); !s.ok()) {
    return s;
  }
  return payment;
}

}  // namespace kvo::donations
