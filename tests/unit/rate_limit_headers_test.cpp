// What the client is told: policy and RateLimit headers (IETF draft-11 syntax), the legacy
// X-RateLimit-* trio for the nearest window, Retry-After and the 429 problem body; and how the
// policy table and client addresses are read from configuration.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "ratelimit/client_address.hpp"
#include "ratelimit/policy.hpp"
#include "ratelimit/response_headers.hpp"

namespace vf::ratelimit {
namespace {

constexpr int64_t kSecond = 1'000'000;

std::string HeaderOf(const std::vector<http::Header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return "(absent)";
}

TEST(RateLimitPolicy, DefaultsFollowTheSpecTable) {
  Policy policy{RateLimitConfig{}};
  auto free_ai = policy.For(Tier::kFree, http::RouteClass::kAi);
  ASSERT_EQ(free_ai.size(), 2u);
  EXPECT_EQ(free_ai[0].limit, 60);
  EXPECT_EQ(free_ai[0].length_us, 3600 * kSecond);
  EXPECT_EQ(free_ai[1].limit, 10);
  EXPECT_EQ(free_ai[1].length_us, 60 * kSecond);
  auto premium_general = policy.For(Tier::kPremium, http::RouteClass::kGeneral);
  ASSERT_EQ(premium_general.size(), 1u);
  EXPECT_EQ(premium_general[0].limit, 300);
  EXPECT_TRUE(policy.For(Tier::kAdmin, http::RouteClass::kAi).empty());
  EXPECT_TRUE(policy.For(Tier::kFree, http::RouteClass::kPublic).empty());
  EXPECT_EQ(policy.PolicyHeader(Tier::kFree, http::RouteClass::kAi),
            R"("general";q=60;w=3600, "ai";q=10;w=60)");
  EXPECT_EQ(policy.PolicyHeader(Tier::kPremium, http::RouteClass::kGeneral),
            R"("general";q=300;w=3600)");
  EXPECT_EQ(policy.anonymous_header(), R"("anonymous";q=120;w=60)");
}

TEST(RateLimitPolicy, ReadsTheTableFromConfiguration) {
  std::map<std::string, std::string> env{{"RATE_LIMIT_FREE_AI", "3"},
                                         {"RATE_LIMIT_AI_WINDOW_S", "5"},
                                         {"RATE_LIMIT_PREMIUM_GENERAL", "1000"}};
  Config c = LoadConfig([&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  });
  Policy policy(c.rate_limit);
  EXPECT_EQ(policy.For(Tier::kFree, http::RouteClass::kAi)[1].limit, 3);
  EXPECT_EQ(policy.For(Tier::kFree, http::RouteClass::kAi)[1].length_us, 5 * kSecond);
  EXPECT_EQ(policy.For(Tier::kPremium, http::RouteClass::kGeneral)[0].limit, 1000);
}

TEST(RateLimitConfig, RejectsBadValuesNamingTheSetting) {
  auto error_for = [](std::string name, std::string value) -> std::string {
    try {
      LoadConfig([&](const std::string& n) -> std::optional<std::string> {
        return n == name ? std::optional(value) : std::nullopt;
      });
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error_for("RATE_LIMIT_FREE_AI", "0").rfind("RATE_LIMIT_FREE_AI:", 0), 0u);
  EXPECT_EQ(error_for("RATE_LIMIT_AI_WINDOW_S", "soon").rfind("RATE_LIMIT_AI_WINDOW_S:", 0), 0u);
  EXPECT_EQ(error_for("RATE_LIMIT_REDIS_TIMEOUT_MS", "0").rfind("RATE_LIMIT_REDIS_TIMEOUT_MS:", 0),
            0u);
}

Decision TwoWindowDecision() {
  Decision d;
  d.now_us = 100 * kSecond;
  d.count = 2;
  d.admitted = true;
  // general: 10 of 60 used, oldest 1000 s ago (resets in 2600 s); ai: 7 of 10, oldest 18 s ago.
  d.windows[0] = {60, 3600 * kSecond, 10, d.now_us - 1000 * kSecond, false};
  d.windows[1] = {10, 60 * kSecond, 7, d.now_us - 18 * kSecond, false};
  return d;
}

const std::array<WindowSpec, 2> kWindows{WindowSpec{"general", 60, 3600 * kSecond},
                                         WindowSpec{"ai", 10, 60 * kSecond}};

TEST(RateLimitHeaders, NameTheWindowNearestItsLimit) {
  std::vector<http::Header> headers;
  AppendRateLimitHeaders(TwoWindowDecision(), kWindows, "P", headers);
  EXPECT_EQ(HeaderOf(headers, "RateLimit-Policy"), "P");
  EXPECT_EQ(HeaderOf(headers, "RateLimit"), R"("ai";r=3;t=42)");
  EXPECT_EQ(HeaderOf(headers, "X-RateLimit-Limit"), "10");
  EXPECT_EQ(HeaderOf(headers, "X-RateLimit-Remaining"), "3");
  EXPECT_EQ(HeaderOf(headers, "X-RateLimit-Reset"), "42");
  EXPECT_EQ(HeaderOf(headers, "Retry-After"), "(absent)");
}

TEST(RateLimitHeaders, ResetRoundsUpToWholeSeconds) {
  Decision d = TwoWindowDecision();
  d.windows[1].oldest_us += 1;  // resets in 42 s + 1 µs
  std::vector<http::Header> headers;
  AppendRateLimitHeaders(d, kWindows, "P", headers);
  EXPECT_EQ(HeaderOf(headers, "X-RateLimit-Reset"), "43");
}

TEST(RateLimitHeaders, RefusalAddsRetryAfterAndAProblemBody) {
  Decision d = TwoWindowDecision();
  d.admitted = false;
  d.windows[1].used = 10;
  d.windows[1].refused = true;
  d.windows[1].oldest_us = d.now_us - 60 * kSecond + 2'500'000;  // frees in 2.5 s
  std::vector<http::Header> headers;
  AppendRateLimitHeaders(d, kWindows, "P", headers);
  EXPECT_EQ(HeaderOf(headers, "Retry-After"), "3");
  EXPECT_EQ(HeaderOf(headers, "RateLimit"), R"("ai";r=0;t=3)");
  http::Response r = TooManyRequests(d, kWindows, "/api/chat");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["type"], "https://voicefit.dev/problems/quota-exceeded");
  EXPECT_EQ(body["status"], 429);
  EXPECT_EQ(body["instance"], "/api/chat");
  EXPECT_EQ(body["violated-policies"], nlohmann::json::array({"ai"}));
}

TEST(ClientAddress, ParsesAndGroupsAddresses) {
  ClientAddressResolver plain({});
  http::Request r;
  r.remote_address = "203.0.113.9";
  EXPECT_EQ(plain.Key(r), "203.0.113.9");
  r.remote_address = "2001:db8:1:2:aaaa:bbbb:cccc:dddd";
  EXPECT_EQ(plain.Key(r), "2001:db8:1:2::/64");
  r.remote_address = "2001:db8:1:2::1";  // same /64, same key
  EXPECT_EQ(plain.Key(r), "2001:db8:1:2::/64");
  r.remote_address = "::ffff:198.51.100.7";  // v4-mapped is the IPv4 client
  EXPECT_EQ(plain.Key(r), "198.51.100.7");
}

TEST(ClientAddress, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  ClientAddressResolver resolver({"10.0.0.0/8", "fd00::/8"});
  http::Request r;
  r.headers.push_back({"X-Forwarded-For", "192.0.2.1, 198.51.100.2, 10.1.1.1"});
  r.remote_address = "203.0.113.5";  // not a proxy of ours: its header means nothing
  EXPECT_EQ(resolver.Key(r), "203.0.113.5");
  r.remote_address = "10.0.0.2";  // our proxy: skip our hops, take the first foreign one
  EXPECT_EQ(resolver.Key(r), "198.51.100.2");
  r.headers = {{"X-Forwarded-For", "garbage, 10.2.2.2"}};
  EXPECT_EQ(resolver.Key(r), "10.2.2.2");  // the last trusted hop before the garbage
  r.headers = {{"x-forwarded-for", "2001:db8::7"}, {"X-Forwarded-For", "10.3.3.3"}};
  EXPECT_EQ(resolver.Key(r), "2001:db8::/64");
}

TEST(ClientAddress, CidrsAreValidated) {
  EXPECT_TRUE(ParseCidr("10.0.0.0/8").Contains(*ParseIp("10.255.0.1")));
  EXPECT_FALSE(ParseCidr("10.0.0.0/8").Contains(*ParseIp("11.0.0.1")));
  EXPECT_TRUE(ParseCidr("2001:db8::/32").Contains(*ParseIp("2001:db8:ffff::1")));
  EXPECT_TRUE(ParseCidr("127.0.0.1").Contains(*ParseIp("127.0.0.1")));
  EXPECT_FALSE(ParseCidr("127.0.0.1").Contains(*ParseIp("127.0.0.2")));
  EXPECT_THROW(ParseCidr("10.0.0.0/33"), ConfigError);
  EXPECT_THROW(ParseCidr("10.0.0.0/"), ConfigError);
  EXPECT_THROW(ParseCidr("proxy.local"), ConfigError);
  EXPECT_THROW(ClientAddressResolver({"10.0.0.0/8", "nope"}), ConfigError);
}

}  // namespace
}  // namespace vf::ratelimit
