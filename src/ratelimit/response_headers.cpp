#include "ratelimit/response_headers.hpp"

#include <nlohmann/json.hpp>

#include "core/problem.hpp"

namespace vf::ratelimit {

int64_t CeilSeconds(int64_t micros) { return micros <= 0 ? 0 : (micros + 999'999) / 1'000'000; }

int64_t RetryAfterSeconds(const Decision& decision) {
  return std::max<int64_t>(1, CeilSeconds(decision.RetryAfterUs()));
}

std::size_t NearestWindow(const Decision& d) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < d.count; ++i) {
    int64_t left = d.windows[i].limit - d.windows[i].used;
    int64_t best_left = d.windows[best].limit - d.windows[best].used;
    if (left < best_left || (left == best_left && d.windows[i].ResetInUs(d.now_us) >
                                                      d.windows[best].ResetInUs(d.now_us))) {
      best = i;
    }
  }
  return best;
}

void AppendRateLimitHeaders(const Decision& d, std::span<const WindowSpec> windows,
                            const std::string& policy_header, std::vector<http::Header>& out) {
  if (d.count == 0) return;
  std::size_t i = NearestWindow(d);
  const WindowOutcome& w = d.windows[i];
  std::string remaining = std::to_string(std::max<int64_t>(0, w.limit - w.used));
  std::string reset = std::to_string(CeilSeconds(w.ResetInUs(d.now_us)));
  out.push_back({"RateLimit-Policy", policy_header});
  std::string current = "\"";
  current += windows[i].name;
  current += "\";r=" + remaining + ";t=" + reset;
  out.push_back({"RateLimit", std::move(current)});
  out.push_back({"X-RateLimit-Limit", std::to_string(w.limit)});
  out.push_back({"X-RateLimit-Remaining", std::move(remaining)});
  out.push_back({"X-RateLimit-Reset", std::move(reset)});
  if (!d.admitted) out.push_back({"Retry-After", std::to_string(RetryAfterSeconds(d))});
}

http::Response TooManyRequests(const Decision& d, std::span<const WindowSpec> windows,
                               std::string_view instance) {
  nlohmann::json violated = nlohmann::json::array();
  for (std::size_t i = 0; i < d.count; ++i) {
    if (d.windows[i].refused) violated.push_back(windows[i].name);
  }
  int64_t wait = RetryAfterSeconds(d);
  nlohmann::json body{
      {"type", std::string(kProblemTypeBase) + "quota-exceeded"},
      {"title", "Too Many Requests"},
      {"status", 429},
      {"detail", "rate limit reached; retry in " + std::to_string(wait) + " s"},
      {"instance", instance},
      {"violated-policies", std::move(violated)},
  };
  http::Response r = http::Response::Json(429, body.dump());
  r.content_type = kProblemContentType;
  return r;
}

}  // namespace vf::ratelimit
