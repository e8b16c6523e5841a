#include "services/privacy/subject_request_rules.h"

#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kvo::privacy {
namespace {

constexpr std::pair<RequestKind, const char*> kKinds[] = {
    {RequestKind::kAccess, "access"},
    {RequestKind::kRectification, "rectification"},
    {RequestKind::kErasure, "erasure"},
    {RequestKind::kObjection, "objection"}};

absl::CivilDay Reference(const RequestState& r, absl::CivilDay today) {
  return r.closed_on.value_or(today);
}

absl::Status RequireOpenOf(const RequestState& r, RequestKind kind,
                           absl::string_view step) {
  if (!r.open()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request_id: request ", r.id, " was closed on ",
                     absl::FormatCivilTime(*r.closed_on), "; ", step,
                     " needs an open request"));
  }
  if (r.kind != kind) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request_id: request ", r.id, " is a ", KindName(r.kind), " request; ",
        step, " needs a ", KindName(kind), " request"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string KindName(RequestKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "";
}

std::optional<RequestKind> ParseKind(absl::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (name == n) return k;
  }
  return std::nullopt;
}

bool IsChannel(absl::string_view c) {
  return c == "letter" || c == "email" || c == "in_person" || c == "phone" ||
         c == "web";
}

bool IsOutcome(absl::string_view o) {
  return o == "granted" || o == "partially_granted" || o == "refused";
}

absl::CivilDay DueOn(absl::CivilDay received_on, int days) {
  return received_on + days;
}

int DaysLeft(const RequestState& r, absl::CivilDay today) {
  return static_cast<int>(r.due_on - Reference(r, today));
}

bool IsLate(const RequestState& r, absl::CivilDay today) {
  return Reference(r, today) > r.due_on;
}

absl::Status CheckReceived(absl::CivilDay received_on, absl::CivilDay today) {
  if (received_on > today) {
    return absl::InvalidArgumentError(
        absl::StrCat("received_on: ", absl::FormatCivilTime(received_on),
                     " is in the future; the day the request arrived, at "
                     "the latest today (",
                     absl::FormatCivilTime(today), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckExport(const RequestState& r) {
  return RequireOpenOf(r, RequestKind::kAccess, "an access export");
}

absl::Status CheckRectify(const RequestState& r) {
  return RequireOpenOf(r, RequestKind::kRectification, "a rectification");
}

absl::Status CheckClose(const RequestState& r, absl::string_view outcome,
                        absl::CivilDay closed_on, absl::CivilDay today) {
  if (!r.open()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request_id: request ", r.id, " was closed already on ",
                     absl::FormatCivilTime(*r.closed_on)));
  }
  if (!IsOutcome(outcome)) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: one of ", kOutcomes));
  }
  if (closed_on < r.received_on || closed_on > today) {
    return absl::InvalidArgumentError(
        absl::StrCat("closed_on: between the day the request arrived (",
                     absl::FormatCivilTime(r.received_on), ") and today (",
                     absl::FormatCivilTime(today), ")"));
  }
  return absl::OkStatus();
}

bool ClosingErases(const RequestState& r, absl::string_view outcome) {
  return r.kind == RequestKind::kErasure && outcome == "granted";
}

bool ListsBefore(const RequestState& a, const RequestState& b,
                 absl::CivilDay today) {
  if (a.open() != b.open()) return a.open();
  if (a.open()) {
    const bool a_late = IsLate(a, today), b_late = IsLate(b, today);
    return std::make_tuple(!a_late, a.due_on, a.id) <
           std::make_tuple(!b_late, b.due_on, b.id);
  }
  return std::make_tuple(*b.closed_on, b.id) <
         std::make_tuple(*a.closed_on, a.id);
}

}  // namespace kvo::privacy
