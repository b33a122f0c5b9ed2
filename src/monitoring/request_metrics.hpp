#pragma once
// Per-route request metrics and the middleware stage that records them (http/middleware.hpp,
// position 3): count by route template, method and status class, 429s, a latency histogram per
// route, and requests in flight. Children are made once per route at start-up, so recording a
// request is a map lookup and a few uncontended atomic adds.

#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "monitoring/metrics.hpp"

namespace vf::monitoring {

inline constexpr std::array<const char*, 4> kStatusClasses{"2xx", "3xx", "4xx", "5xx"};

class RequestMetrics {
 public:
  RequestMetrics(Registry& registry, const http::Router& router);

  struct RouteSeries {
    // Route template; "static" for the web pages and assets, "unmatched" for 404/405 answers.
    std::string method, route;
    std::array<Counter*, 4> by_class{};
    Counter* limited = nullptr;  // 429s
    Histogram* latency = nullptr;
  };

  void Record(const http::Route* route, int status, int64_t nanos);
  const std::vector<std::unique_ptr<RouteSeries>>& routes() const { return series_; }
  void Started() { started_.Add(); }
  void Finished() { finished_.Add(); }
  // Two sharded counters instead of one shared gauge: no contended atomic per request.
  int64_t in_flight() const {
    return static_cast<int64_t>(started_.Value()) - static_cast<int64_t>(finished_.Value());
  }

 private:
  Counter started_, finished_;
  std::vector<std::unique_ptr<RouteSeries>> series_;
  std::unordered_map<const http::Route*, RouteSeries*> by_route_;
  RouteSeries* unmatched_ = nullptr;
};

class MetricsMiddleware final : public http::Middleware {
 public:
  explicit MetricsMiddleware(RequestMetrics& metrics) : metrics_(metrics) {}
  std::optional<http::Response> OnRequest(http::RequestContext& ctx) override;
  void OnResponse(http::RequestContext& ctx, http::Response& res) override;

 private:
  RequestMetrics& metrics_;
};

}  // namespace vf::monitoring
