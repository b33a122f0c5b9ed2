#include "ratelimit/policy.hpp"

#include <algorithm>

namespace vf::ratelimit {
namespace {

int64_t Micros(std::chrono::seconds s) { return static_cast<int64_t>(s.count()) * 1'000'000; }

}  // namespace

Policy::Policy(const RateLimitConfig& c) {
  free_ = {WindowSpec{"general", c.free_general, Micros(c.general_window)},
           WindowSpec{"ai", c.free_ai, Micros(c.ai_window)}};
  premium_ = {WindowSpec{"general", c.premium_general, Micros(c.general_window)},
              WindowSpec{"ai", c.premium_ai, Micros(c.ai_window)}};
  anonymous_ = WindowSpec{"anonymous", c.anonymous, Micros(c.anonymous_window)};
  for (int tier = 0; tier < 2; ++tier) {
    const auto& windows = tier == 0 ? free_ : premium_;
    headers_[tier][0] = FormatPolicyHeader(std::span(windows.data(), 1));
    headers_[tier][1] = FormatPolicyHeader(std::span(windows.data(), 2));
  }
  anonymous_header_ = FormatPolicyHeader(std::span(&anonymous_, 1));
}

std::span<const WindowSpec> Policy::For(Tier tier, http::RouteClass route_class) const {
  if (tier == Tier::kAdmin || route_class == http::RouteClass::kPublic) return {};
  const auto& windows = tier == Tier::kPremium ? premium_ : free_;
  return std::span(windows.data(), route_class == http::RouteClass::kAi ? 2 : 1);
}

const std::string& Policy::PolicyHeader(Tier tier, http::RouteClass route_class) const {
  return headers_[tier == Tier::kPremium ? 1 : 0][route_class == http::RouteClass::kAi ? 1 : 0];
}

int64_t Policy::longest_window_us() const {
  return std::max({free_[0].length_us, free_[1].length_us, anonymous_.length_us});
}

std::string FormatPolicyHeader(std::span<const WindowSpec> windows) {
  std::string out;
  for (const auto& w : windows) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += w.name;
    out += "\";q=" + std::to_string(w.limit) + ";w=" + std::to_string(w.length_us / 1'000'000);
  }
  return out;
}

}  // namespace vf::ratelimit
