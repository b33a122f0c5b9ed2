#pragma once
// Who is calling, for limits that apply before anyone is authenticated: the peer address, or the
// X-Forwarded-For hop just before the first untrusted proxy when the peer is a trusted proxy.
// IPv6 clients are grouped by /64, the block one subscriber usually holds.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace vf::ratelimit {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 as v4-mapped IPv6
  bool v4 = false;
};

std::optional<IpAddress> ParseIp(std::string_view text);

struct Cidr {
  IpAddress base;
  int prefix_bits = 0;  // out of 128 (IPv4 prefixes are stored +96)
  bool Contains(const IpAddress& ip) const;
};

// "10.0.0.0/8", "::1", "2001:db8::/32"; throws ConfigError naming TRUSTED_PROXIES.
Cidr ParseCidr(std::string_view text);

class ClientAddressResolver {
 public:
  explicit ClientAddressResolver(const std::vector<std::string>& trusted_proxies);
  // The limiter key of the caller: "203.0.113.9" or "2001:db8:1:2::/64".
  std::string Key(const http::Request& request) const;

 private:
  bool Trusted(const IpAddress& ip) const;
  std::vector<Cidr> trusted_;
};

}  // namespace vf::ratelimit
