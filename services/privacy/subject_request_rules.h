#ifndef KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_RULES_H_
#define KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kvo::privacy {

// The rules of a data-subject request, without I/O: the deadline, days
// left, lateness, and which step a request in a given state allows. Days
// are calendar days in Europe/Amsterdam (the caller converts).

enum class RequestKind { kAccess, kRectification, kErasure, kObjection };

// "access", "rectification", "erasure", "objection".
std::string KindName(RequestKind kind);
std::optional<RequestKind> ParseKind(absl::string_view name);

// letter, email, in_person, phone, web.
bool IsChannel(absl::string_view channel);
inline constexpr char kChannels[] = "letter, email, in_person, phone, web";
// granted, partially_granted, refused.
bool IsOutcome(absl::string_view outcome);
inline constexpr char kOutcomes[] = "granted, partially_granted, refused";

struct RequestState {
  int64_t id = 0;
  RequestKind kind = RequestKind::kAccess;
  absl::CivilDay received_on;
  absl::CivilDay due_on;
  std::optional<absl::CivilDay> closed_on;
  bool open() const { return !closed_on.has_value(); }
};

// received_on + `days` (privacy.subject_request_days).
absl::CivilDay DueOn(absl::CivilDay received_on, int days);
// Days from today (or the closing day, once closed) to the deadline;
// negative when past it.
int DaysLeft(const RequestState& r, absl::CivilDay today);
// Past the deadline while open, or closed after it: once late, always late.
bool IsLate(const RequestState& r, absl::CivilDay today);

// INVALID_ARGUMENT naming received_on for a day after `today`.
absl::Status CheckReceived(absl::CivilDay received_on, absl::CivilDay today);
// Export needs an open access request; rectification an open
// rectification request: FAILED_PRECONDITION naming request_id otherwise.
absl::Status CheckExport(const RequestState& r);
absl::Status CheckRectify(const RequestState& r);
// Closing: the request open (FAILED_PRECONDITION), a known outcome and a
// closing day between its receipt and today (INVALID_ARGUMENT naming the
// field).
absl::Status CheckClose(const RequestState& r, absl::string_view outcome,
                        absl::CivilDay closed_on, absl::CivilDay today);
// Whether closing carries out the registry's erasure.
bool ClosingErases(const RequestState& r, absl::string_view outcome);

// The order of the list: open before closed; among open ones, late first,
// then by deadline; closed ones newest first; ties by id.
bool ListsBefore(const RequestState& a, const RequestState& b,
                 absl::CivilDay today);

}  // namespace kvo::privacy

#endif  // KVO_SERVICES_PRIVACY_SUBJECT_REQUEST_RULES_H_
