#ifndef KVO_SERVICES_DOOR_WEB_CLIENT_ADDRESS_H_
#define KVO_SERVICES_DOOR_WEB_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvo::door_web {

// Whose address a door page request comes from, when a proxy (HAProxy in
// HTTP mode) stands between the browser and kvod: the proxies kvod trusts
// (--trusted-proxy) and the client address they forward. Pure;
// thread-safe once built.
class TrustedProxies final {
 public:
  // No proxy trusted: every request's address is its TCP peer.
  TrustedProxies() = default;

  // "10.0.0.0/8", "192.0.2.7" (one address), "fd00::/8", ... INVALID_ARGUMENT
  // naming --trusted-proxy for anything else (a prefix beyond the address's
  // length, a name instead of an address).
  static absl::StatusOr<TrustedProxies> Parse(
      const std::vector<std::string>& ranges);

  bool empty() const { return ranges_.empty(); }
  // Whether `address` (textual IPv4 or IPv6; an IPv4-mapped IPv6 address
  // counts as its IPv4 one) is inside a trusted range.
  bool Contains(absl::string_view address) const;

  // The client's address: `peer` (the TCP peer's address) unless `peer` is
  // trusted, then the right-most entry of `forwarded_for` (the
  // X-Forwarded-For values in the order they came, each a comma-separated
  // list) that is not itself trusted. An entry that is not an address ends
  // the walk at the entry before it: a header a trusted proxy did not
  // write is never believed further than that proxy's own entry.
  std::string ClientAddress(
      absl::string_view peer,
      const std::vector<std::string>& forwarded_for) const;

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 0;              // of the 128
  };
  std::vector<Range> ranges_;
};

// The address as the guard and rate limits know a gRPC peer
// ("ipv4:192.0.2.7", "ipv6:[2001:db8::1]"), so one address has one login
// limit whichever way it comes in.
std::string PeerName(absl::string_view address);

}  // namespace kvo::door_web

#endif  // KVO_SERVICES_DOOR_WEB_CLIENT_ADDRESS_H_
