#include "services/door_web/client_address.h"

#include <gtest/gtest.h>

namespace kvo::door_web {
namespace {

TrustedProxies Trust(const std::vector<std::string>& ranges) {
  auto proxies = TrustedProxies::Parse(ranges);
  EXPECT_TRUE(proxies.ok()) << proxies.status();
  return proxies.ok() ? *proxies : TrustedProxies();
}

TEST(TrustedProxies, ParsesRangesAndRefusesWhatIsNone) {
  const auto t = Trust({"10.0.0.0/8", "192.0.2.7", "fd00::/8"});
  EXPECT_TRUE(t.Contains("10.255.0.1"));
  EXPECT_TRUE(t.Contains("::ffff:10.1.2.3"));
  EXPECT_TRUE(t.Contains("192.0.2.7"));
  EXPECT_FALSE(t.Contains("192.0.2.8"));
  EXPECT_TRUE(t.Contains("fd12::1"));
  EXPECT_FALSE(t.Contains("fe80::1"));
  EXPECT_FALSE(t.Contains("not an address"));
  EXPECT_TRUE(Trust({"0.0.0.0/0"}).Contains("203.0.113.1"));
  EXPECT_FALSE(Trust({"0.0.0.0/0"}).Contains("2001:db8::1"));

  for (const char* bad :
       {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
        "10.0.0.0/8/8", "haproxy", "", "10.0.0.0/+8", "[::1]"}) {
    auto parsed = TrustedProxies::Parse({bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("--trusted-proxy"),
              std::string::npos);
  }
}

TEST(TrustedProxies, TheForwardedAddressOnlyFromATrustedPeer) {
  const TrustedProxies none;
  EXPECT_EQ(none.ClientAddress("192.0.2.1", {"198.51.100.7"}), "192.0.2.1");

  const auto t = Trust({"10.0.0.0/8"});
  // An untrusted peer's header is its own word.
  EXPECT_EQ(t.ClientAddress("192.0.2.1", {"198.51.100.7"}), "192.0.2.1");
  // The trusted proxy's entry is the right-most.
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"198.51.100.7"}), "198.51.100.7");
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"203.0.113.9, 198.51.100.7"}),
            "198.51.100.7");
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"203.0.113.9", "198.51.100.7"}),
            "198.51.100.7");
  // Proxies in a row: past every trusted one.
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"198.51.100.7, 10.0.0.6"}),
            "198.51.100.7");
  // No header, or one that is not an address: the proxy itself.
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {}), "10.0.0.5");
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"unknown"}), "10.0.0.5");
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"198.51.100.7, junk"}), "10.0.0.5");
  EXPECT_EQ(t.ClientAddress("10.0.0.5", {"[2001:db8::1]"}), "2001:db8::1");
  EXPECT_EQ(t.ClientAddress("::ffff:10.0.0.5", {"198.51.100.7"}),
            "198.51.100.7");
}

TEST(TrustedProxies, PeerNamesAsGrpcWritesThem) {
  EXPECT_EQ(PeerName("192.0.2.1"), "ipv4:192.0.2.1");
  EXPECT_EQ(PeerName("2001:db8::1"), "ipv6:[2001:db8::1]");
}

}  // namespace
}  // namespace kvo::door_web
