#ifndef KVO_SERVICES_DONATIONS_PROVIDER_SIGNATURE_H_
#define KVO_SERVICES_DONATIONS_PROVIDER_SIGNATURE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kvo::donations {

// A payment provider's event is signed with HMAC-SHA256 (OpenSSL, through
// common::HmacSha256) under a secret shared with kvod, over
// "<timestamp>.<event_id>.<body>" exactly as received: the timestamp and
// the id are bound to the body, so neither can be swapped. Pure;
// thread-safe.

inline constexpr int kDefaultToleranceSeconds = 300;

// The hex signature (64 characters) of an event.
std::string SignProviderEvent(absl::string_view secret, int64_t timestamp,
                              absl::string_view event_id,
                              absl::string_view body);

// OK when `signature_hex` is the event's signature (compared in constant
// time) and `timestamp` lies within `tolerance` of `now`; UNAUTHENTICATED
// naming which check failed otherwise.
absl::Status VerifyProviderEvent(absl::string_view secret, int64_t timestamp,
                                 absl::string_view event_id,
                                 absl::string_view body,
                                 absl::string_view signature_hex,
                                 absl::Time now, absl::Duration tolerance);

}  // namespace kvo::donations

#endif  // KVO_SERVICES_DONATIONS_PROVIDER_SIGNATURE_H_
