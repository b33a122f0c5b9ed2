#include "monitoring/request_metrics.hpp"

#include <algorithm>
#include <chrono>

namespace vf::monitoring {

RequestMetrics::RequestMetrics(Registry& registry, const http::Router& router) {
  auto& requests = registry.AddCounter("voicefit_http_requests_total",
                                       "HTTP requests answered, by route template, method and "
                                       "status class.",
                                       {"route", "method", "status"});
  auto& limited = registry.AddCounter("voicefit_http_rate_limited_total",
                                      "HTTP requests answered 429, by route template and method.",
                                      {"route", "method"});
  auto& latency = registry.AddHistogram(
      "voicefit_http_request_duration_seconds",
      "Time from the request's last header byte to its response, by route template and method.",
      {"route", "method"}, LatencyBuckets());
  registry.AddCallbackGauge("voicefit_http_requests_in_flight", "Requests being handled now.",
                            [this] { return static_cast<double>(in_flight()); });
  auto add = [&](const std::string& method, const std::string& route) {
    auto s = std::make_unique<RouteSeries>();
    s->method = method;
    s->route = route;
    for (std::size_t i = 0; i < kStatusClasses.size(); ++i) {
      s->by_class[i] = &requests.With({route, method, kStatusClasses[i]});
    }
    s->limited = &limited.With({route, method});
    s->latency = &latency.With({route, method});
    series_.push_back(std::move(s));
    return series_.back().get();
  };
  // Static pages and their assets share one series: they are not API operations, and a series
  // each would crowd the API's own.
  RouteSeries* web = nullptr;
  for (const auto& r : router.routes()) {
    if (r->doc.hidden) {
      if (web == nullptr) web = add("GET", "static");
      by_route_[r.get()] = web;
    } else {
      by_route_[r.get()] = add(r->method, r->path);
    }
  }
  unmatched_ = add("ANY", "unmatched");
}

void RequestMetrics::Record(const http::Route* route, int status, int64_t nanos) {
  RouteSeries* s = unmatched_;
  if (route != nullptr) {
    if (auto it = by_route_.find(route); it != by_route_.end()) s = it->second;
  }
  int index = std::clamp(status / 100 - 2, 0, 3);
  s->by_class[static_cast<std::size_t>(index)]->Add();
  if (status == 429) s->limited->Add();
  s->latency->ObserveNanos(nanos);
}

std::optional<http::Response> MetricsMiddleware::OnRequest(http::RequestContext&) {
  metrics_.Started();
  return std::nullopt;
}

void MetricsMiddleware::OnResponse(http::RequestContext& ctx, http::Response& res) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - ctx.started)
                   .count();
  metrics_.Record(ctx.route, res.status, nanos);
  metrics_.Finished();
}

}  // namespace vf::monitoring
