#include "ratelimit/rate_limit_middleware.hpp"

#include "ratelimit/response_headers.hpp"

namespace vf::ratelimit {
namespace {

bool Limited(const http::RequestContext& ctx) {
  return ctx.route != nullptr && ctx.route->route_class != http::RouteClass::kPublic;
}

std::string_view SourceName(DecisionSource source) {
  switch (source) {
    case DecisionSource::kShared:
      return "shared";
    case DecisionSource::kFailOpen:
      return "fail-open";
    case DecisionSource::kInProcess:
      break;
  }
  return "in-process";
}

void MoveHeaders(std::vector<http::Header>& from, http::Response& res) {
  for (auto& h : from) res.headers.push_back(std::move(h));
  from.clear();
}

}  // namespace

AddressLimitMiddleware::AddressLimitMiddleware(const Policy& policy, LocalLimiter& limiter,
                                               ClientAddressResolver resolver,
                                               monitoring::RateLimitMetrics* metrics)
    : policy_(policy), limiter_(limiter), resolver_(std::move(resolver)) {
  if (metrics != nullptr) refused_ = &metrics->decisions.With({"anonymous", "any", "limited"});
}

http::Response AddressLimitMiddleware::Refuse(const http::RequestContext& ctx,
                                              const Decision& d) const {
  std::span<const WindowSpec> window(&policy_.anonymous(), 1);
  if (refused_ != nullptr) refused_->Add();
  http::Response r = TooManyRequests(d, window, ctx.request.path);
  AppendRateLimitHeaders(d, window, policy_.anonymous_header(), r.headers);
  return r;
}

std::optional<http::Response> AddressLimitMiddleware::OnRequest(http::RequestContext& ctx) {
  if (!Limited(ctx)) return std::nullopt;
  Decision d = limiter_.Peek(resolver_.Key(ctx.request), std::span(&policy_.anonymous(), 1));
  if (!d.admitted) return Refuse(ctx, d);
  return std::nullopt;
}

void AddressLimitMiddleware::OnResponse(http::RequestContext& ctx, http::Response& res) {
  if (res.status != 401 || !Limited(ctx)) return;
  Decision d = limiter_.Decide(resolver_.Key(ctx.request), std::span(&policy_.anonymous(), 1));
  // Failures racing past the check above are caught here: recorded ones never exceed the limit.
  if (!d.admitted) res = Refuse(ctx, d);
}

RateLimitMiddleware::RateLimitMiddleware(const Policy& policy, FailoverLimiter& limiter,
                                         bool decision_header,
                                         monitoring::RateLimitMetrics* metrics)
    : policy_(policy), limiter_(limiter), decision_header_(decision_header) {
  if (metrics == nullptr) return;
  for (int tier = 0; tier < 2; ++tier) {
    for (int cls = 0; cls < 2; ++cls) {
      for (int result = 0; result < 2; ++result) {
        decisions_[tier][cls][result] = &metrics->decisions.With(
            {tier ? "premium" : "free", cls ? "ai" : "general", result ? "limited" : "allowed"});
      }
    }
  }
}

bool RateLimitMiddleware::Applies(const http::RequestContext& ctx) const {
  return Limited(ctx) && ctx.principal && !ctx.principal->is_admin();
}

std::optional<http::Response> RateLimitMiddleware::Apply(
    http::RequestContext& ctx, const Decision& d, std::span<const WindowSpec> windows) const {
  AppendRateLimitHeaders(d, windows,
                         policy_.PolicyHeader(ctx.principal->tier, ctx.route->route_class),
                         ctx.response_headers);
  auto* counter =
      decisions_[ctx.principal->tier == Tier::kPremium ? 1 : 0]
                [ctx.route->route_class == http::RouteClass::kAi ? 1 : 0][d.admitted ? 0 : 1];
  if (counter != nullptr) counter->Add();
  if (decision_header_) {
    std::string clock = std::to_string(d.now_us) + ";source=";
    clock += SourceName(d.source);
    clock += d.admitted ? ";admitted" : ";refused";
    ctx.response_headers.push_back({"VoiceFit-RateLimit-Clock", std::move(clock)});
  }
  if (!d.admitted) return TooManyRequests(d, windows, ctx.request.path);
  return std::nullopt;
}

std::optional<http::Response> RateLimitMiddleware::OnRequest(http::RequestContext& ctx) {
  if (!Applies(ctx)) return std::nullopt;
  auto windows = policy_.For(ctx.principal->tier, ctx.route->route_class);
  if (windows.empty()) return std::nullopt;
  return Apply(ctx, limiter_.Decide(ctx.principal->user_id, windows), windows);
}

bool RateLimitMiddleware::defers(const http::RequestContext& ctx) const {
  return limiter_.asynchronous() && Applies(ctx);
}

void RateLimitMiddleware::Start(http::RequestContext& ctx, Resume resume) {
  auto windows = policy_.For(ctx.principal->tier, ctx.route->route_class);
  if (windows.empty()) return resume(std::nullopt);
  limiter_.DecideAsync(ctx.principal->user_id, windows,
                       [this, &ctx, windows, resume = std::move(resume)](const Decision& d) {
                         resume(Apply(ctx, d, windows));
                       });
}

bool RateLimitMiddleware::blocking(const http::RequestContext& ctx) const {
  return limiter_.remote() && !limiter_.asynchronous() && Applies(ctx);
}

void RateLimitMiddleware::OnResponse(http::RequestContext& ctx, http::Response& res) {
  MoveHeaders(ctx.response_headers, res);
}

}  // namespace vf::ratelimit
