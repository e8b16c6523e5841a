#include "services/door_web/client_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kvo::door_web {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                   0, 0, 0, 0, 0xff, 0xff};

// An address in 16 bytes (IPv4 as IPv4-mapped IPv6), and whether it is an
// IPv4 address.
struct Address {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
};

std::optional<Address> ParseAddress(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  // "[2001:db8::1]" as some proxies write it.
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  const std::string s(text);
  Address a;
  in_addr v4;
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::memcpy(a.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    a.v4 = true;
    return a;
  }
  in6_addr v6;
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(a.bytes.data(), &v6, 16);
    a.v4 = std::memcmp(a.bytes.data(), kMappedPrefix.data(),
                       kMappedPrefix.size()) == 0;
    return a;
  }
  return std::nullopt;
}

std::string Text(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.v4) {
    ::inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  }
  return buf;
}

bool Matches(const std::array<uint8_t, 16>& range, int bits,
             const std::array<uint8_t, 16>& address) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask =
        bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((range[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(
    const std::vector<std::string>& ranges) {
  TrustedProxies proxies;
  for (const std::string& text : ranges) {
    const auto bad = [&text] {
      return absl::InvalidArgumentError(absl::StrCat(
          "--trusted-proxy: \"", text,
          "\" is not an address range (such as 10.0.0.0/8, 192.0.2.7 or "
          "fd00::/8)"));
    };
    const std::vector<absl::string_view> parts =
        absl::StrSplit(absl::StripAsciiWhitespace(text), '/');
    if (parts.empty() || parts.size() > 2) return bad();
    auto address = ParseAddress(parts[0]);
    if (!address || parts[0].find('[') != absl::string_view::npos) {
      return bad();
    }
    const int max_bits = address->v4 ? 32 : 128;
    int bits = max_bits;
    if (parts.size() == 2 &&
        (parts[1].empty() || !absl::SimpleAtoi(parts[1], &bits) || bits < 0 ||
         bits > max_bits ||
         parts[1].find_first_not_of("0123456789") != absl::string_view::npos)) {
      return bad();
    }
    proxies.ranges_.push_back({address->bytes, address->v4 ? 96 + bits : bits});
  }
  return proxies;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  auto a = ParseAddress(address);
  if (!a) return false;
  for (const Range& r : ranges_) {
    if (Matches(r.bytes, r.prefix_bits, a->bytes)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(
    absl::string_view peer,
    const std::vector<std::string>& forwarded_for) const {
  auto peer_address = ParseAddress(peer);
  std::string client = peer_address ? Text(*peer_address) : std::string(peer);
  if (!peer_address || !Contains(client)) return client;
  std::vector<absl::string_view> entries;
  for (const std::string& header : forwarded_for) {
    for (absl::string_view e : absl::StrSplit(header, ',')) {
      entries.push_back(e);
    }
  }
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto entry = ParseAddress(*it);
    if (!entry) break;
    client = Text(*entry);
    if (!Contains(client)) break;
  }
  return client;
}

std::string PeerName(absl::string_view address) {
  return address.find(':') != absl::string_view::npos
             ? absl::StrCat("ipv6:[", address, "]")
             : absl::StrCat("ipv4:", address);
}

}  // namespace kvo::door_web
