#include "services/donations/provider_signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace kvo::donations {

std::string SignProviderEvent(absl::string_view secret, int64_t timestamp,
                              absl::string_view event_id,
                              absl::string_view body) {
  return common::HexEncode(common::HmacSha256(
      secret, absl::StrCat(timestamp, ".", event_id, ".", body)));
}

absl::Status VerifyProviderEvent(absl::string_view secret, int64_t timestamp,
                                 absl::string_view event_id,
                                 absl::string_view body,
                                 absl::string_view signature_hex,
                                 absl::Time now, absl::Duration tolerance) {
  const std::string expected =
      SignProviderEvent(secret, timestamp, event_id, body);
  const std::string given = absl::AsciiStrToLower(signature_hex);
  if (given.size() != expected.size() ||
      !common::SecretsEqual(given, expected)) {
    return absl::UnauthenticatedError(
        "signature: does not match the body, timestamp and event id under "
        "the configured secret");
  }
  const absl::Duration skew = absl::FromUnixSeconds(timestamp) - now;
  if (absl::AbsDuration(skew) > tolerance) {
    return absl::UnauthenticatedError(absl::StrCat(
        "timestamp: ", timestamp, " is more than ",
        absl::ToInt64Seconds(tolerance),
        " s away from the server's clock (a replay, or a clock that is off)"));
  }
  return absl::OkStatus();
}

}  // namespace kvo::donations
