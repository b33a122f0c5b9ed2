#include "ratelimit/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/config.hpp"
#include "core/text.hpp"

namespace vf::ratelimit {
namespace {

std::string Format(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN];
  if (ip.v4) {
    inet_ntop(AF_INET, ip.bytes.data() + 12, buf, sizeof buf);
    return buf;
  }
  // Clients are grouped by their /64.
  std::array<uint8_t, 16> prefix{};
  std::copy_n(ip.bytes.begin(), 8, prefix.begin());
  inet_ntop(AF_INET6, prefix.data(), buf, sizeof buf);
  return std::string(buf) + "/64";
}

}  // namespace

std::optional<IpAddress> ParseIp(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string z(text);
  IpAddress ip;
  in_addr v4{};
  if (inet_pton(AF_INET, z.c_str(), &v4) == 1) {
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, &v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, z.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  static constexpr std::array<uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = std::equal(kMapped.begin(), kMapped.end(), ip.bytes.begin());
  return ip;
}

bool Cidr::Contains(const IpAddress& ip) const {
  int bits = prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

Cidr ParseCidr(std::string_view text) {
  auto fail = [&] {
    return ConfigError("TRUSTED_PROXIES: '" + std::string(text) + "' is not an address or CIDR");
  };
  std::string_view address = text, length;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    length = text.substr(slash + 1);
  }
  auto ip = ParseIp(address);
  if (!ip) throw fail();
  Cidr cidr{*ip, 128};
  if (!length.empty()) {
    int bits = -1;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bits);
    int max = ip->v4 ? 32 : 128;
    if (ec != std::errc{} || end != length.data() + length.size() || bits < 0 || bits > max) {
      throw fail();
    }
    cidr.prefix_bits = ip->v4 ? bits + 96 : bits;
  } else if (text.find('/') != std::string_view::npos) {
    throw fail();
  }
  return cidr;
}

ClientAddressResolver::ClientAddressResolver(const std::vector<std::string>& trusted_proxies) {
  for (const auto& text : trusted_proxies) trusted_.push_back(ParseCidr(text));
}

bool ClientAddressResolver::Trusted(const IpAddress& ip) const {
  for (const auto& c : trusted_) {
    if (c.Contains(ip)) return true;
  }
  return false;
}

std::string ClientAddressResolver::Key(const http::Request& request) const {
  auto peer = ParseIp(request.remote_address);
  if (!peer) return request.remote_address;  // not an IP (tests, unix sockets): as it is
  IpAddress client = *peer;
  if (trusted_.empty() || !Trusted(client)) return Format(client);
  // Hops are appended left to right; walk back from the nearest while they are our proxies.
  std::vector<std::string_view> hops;
  for (const auto& h : request.headers) {
    if (!http::EqualsIgnoreCase(h.name, "X-Forwarded-For")) continue;
    std::string_view v = h.value;
    while (!v.empty()) {
      auto comma = v.find(',');
      hops.push_back(Trim(v.substr(0, comma)));
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto hop = ParseIp(*it);
    if (!hop) break;  // garbage before our proxies: the last trusted hop is what we know
    client = *hop;
    if (!Trusted(client)) break;
  }
  return Format(client);
}

}  // namespace vf::ratelimit
