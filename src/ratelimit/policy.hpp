#pragma once
// The tier x route-class table (SPEC.md §1) turned into the windows each request counts against,
// with the RateLimit-Policy header text of each combination formatted once at start-up.

#include <array>
#include <span>
#include <string>

#include "core/config.hpp"
#include "core/principal.hpp"
#include "http/route.hpp"
#include "ratelimit/decision.hpp"

namespace vf::ratelimit {

class Policy {
 public:
  explicit Policy(const RateLimitConfig& config);

  // The windows a request counts against, general first; empty: not limited (admin, public).
  std::span<const WindowSpec> For(Tier tier, http::RouteClass route_class) const;
  // RateLimit-Policy header value for those windows.
  const std::string& PolicyHeader(Tier tier, http::RouteClass route_class) const;

  const WindowSpec& anonymous() const { return anonymous_; }
  const std::string& anonymous_header() const { return anonymous_header_; }
  int64_t longest_window_us() const;

 private:
  std::array<WindowSpec, kMaxWindows> free_{}, premium_{};
  WindowSpec anonymous_;
  // [tier free/premium][class general/ai]
  std::array<std::array<std::string, 2>, 2> headers_;
  std::string anonymous_header_;
};

// `"general";q=60;w=3600, "ai";q=10;w=60` (IETF draft-ietf-httpapi-ratelimit-headers-11).
std::string FormatPolicyHeader(std::span<const WindowSpec> windows);

}  // namespace vf::ratelimit
