#pragma once
// The two rate-limit stages of the chain (http/middleware.hpp has the order):
//  - AddressLimitMiddleware, before auth: requests without a valid token are limited per client
//    address. The check before the signature is a lookup that records nothing; only a 401 is
//    recorded, so callers with valid tokens are never charged.
//  - RateLimitMiddleware, after auth: the caller's tier and the route's class pick the windows;
//    admin and public routes pass. Headers go on every limited response, 429 included.

#include "http/pipeline.hpp"
#include "monitoring/families.hpp"
#include "ratelimit/client_address.hpp"
#include "ratelimit/failover_limiter.hpp"
#include "ratelimit/policy.hpp"

namespace vf::ratelimit {

class AddressLimitMiddleware final : public http::Middleware {
 public:
  AddressLimitMiddleware(const Policy& policy, LocalLimiter& limiter,
                         ClientAddressResolver resolver,
                         monitoring::RateLimitMetrics* metrics = nullptr);
  std::optional<http::Response> OnRequest(http::RequestContext& ctx) override;
  void OnResponse(http::RequestContext& ctx, http::Response& res) override;

 private:
  http::Response Refuse(const http::RequestContext& ctx, const Decision& decision) const;
  const Policy& policy_;
  LocalLimiter& limiter_;
  ClientAddressResolver resolver_;
  monitoring::Counter* refused_ = nullptr;
};

class RateLimitMiddleware final : public http::Middleware {
 public:
  // `decision_header`: add VoiceFit-RateLimit-Clock (the deciding clock's µs and the source), so
  // tests can audit decisions against the exact rule.
  RateLimitMiddleware(const Policy& policy, FailoverLimiter& limiter, bool decision_header,
                      monitoring::RateLimitMetrics* metrics = nullptr);
  std::optional<http::Response> OnRequest(http::RequestContext& ctx) override;
  void OnResponse(http::RequestContext& ctx, http::Response& res) override;
  // Pipelined Redis decisions defer: the request waits without a thread. A blocking transport
  // (Upstash REST) runs on the worker pool. Public routes and admins never wait.
  bool defers(const http::RequestContext& ctx) const override;
  void Start(http::RequestContext& ctx, Resume resume) override;
  bool blocking(const http::RequestContext& ctx) const override;

 private:
  bool Applies(const http::RequestContext& ctx) const;
  // Headers for the response; the 429 when refused.
  std::optional<http::Response> Apply(http::RequestContext& ctx, const Decision& decision,
                                      std::span<const WindowSpec> windows) const;
  const Policy& policy_;
  FailoverLimiter& limiter_;
  bool decision_header_;
  // [premium][ai][limited]; null without metrics
  std::array<std::array<std::array<monitoring::Counter*, 2>, 2>, 2> decisions_{};
};

}  // namespace vf::ratelimit
