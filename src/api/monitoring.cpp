// Monitoring routes: the Prometheus scrape and the admin summary and alerts (API.md,
// "Monitoring"). The health route is in health.cpp.
#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/time.hpp"
#include "monitoring/metrics.hpp"
#include "monitoring/monitor.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json LatencySchema() {
  json ms{{"type", {"number", "null"}}};
  return {{"type", "object"}, {"properties", {{"p50", ms}, {"p95", ms}, {"p99", ms}}}};
}

}  // namespace

void AddMonitoringRoutes(http::Router& router, const ApiDeps& deps) {
  const MonitoringHandles* handles = deps.monitoring;
  if (handles == nullptr) return;
  router.Add({.method = "GET",
              .path = "/metrics",
              .route_class = http::RouteClass::kPublic,
              .blocking = false,
              .handler =
                  [handles](http::RequestContext&) {
                    http::Response r;
                    r.status = 200;
                    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                    r.body = handles->registry->Render();
                    r.SetHeader("Cache-Control", "no-store");
                    return r;
                  },
              .doc = {.operation_id = "getMetrics",
                      .summary = "Metrics in the Prometheus text format",
                      .tag = "monitoring",
                      .response_schema = {{"type", "string"}},
                      .success_content_type = "text/plain"}});

  json count{{"type", "integer"}};
  router.Add(
      {.method = "GET",
       .path = "/api/monitoring/summary",
       .route_class = http::RouteClass::kGeneral,
       .admin_only = true,
       .blocking = false,
       .handler =
           [handles](http::RequestContext&) {
             http::Response r = JsonResponse(200, handles->monitor->Summary(NowMs()));
             r.SetHeader("Cache-Control", "no-store");
             return r;
           },
       .doc = {.operation_id = "getMonitoringSummary",
               .summary = "Requests, latency, rate limits, caches, retrieval and model calls, "
                          "since start and over the last 5 minutes",
               .tag = "monitoring",
               .response_schema = {
                   {"type", "object"},
                   {"required",
                    {"generated_at", "uptime_s", "requests", "series", "rate_limit", "cache", "rag",
                     "models", "dependencies", "process"}},
                   {"properties",
                    {{"generated_at", DateTimeSchema()},
                     {"uptime_s", count},
                     {"requests",
                      {{"type", "object"},
                       {"properties",
                        {{"total", count},
                         {"in_flight", count},
                         {"worker_queue_depth", count},
                         {"limited_429", count},
                         {"latency_ms", LatencySchema()},
                         {"routes", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
                     {"series", {{"type", "object"}}},
                     {"rate_limit", {{"type", "object"}}},
                     {"cache", {{"type", "object"}}},
                     {"rag", {{"type", "object"}}},
                     {"models", {{"type", "object"}}},
                     {"dependencies", {{"type", "object"}}},
                     {"process", {{"type", "object"}}}}}}}});

  router.Add(
      {.method = "GET",
       .path = "/api/monitoring/alerts",
       .route_class = http::RouteClass::kGeneral,
       .admin_only = true,
       .blocking = false,
       .handler =
           [handles](http::RequestContext&) {
             http::Response r = JsonResponse(200, handles->monitor->AlertsJson());
             r.SetHeader("Cache-Control", "no-store");
             return r;
           },
       .doc = {
           .operation_id = "getMonitoringAlerts",
           .summary = "Alerts firing now; each clears by itself when its rule stops firing",
           .tag = "monitoring",
           .response_schema = {
               {"type", "object"},
               {"required", {"alerts"}},
               {"properties",
                {{"evaluated_at", {{"type", {"string", "null"}}}},
                 {"alerts",
                  {{"type", "array"},
                   {"items",
                    {{"type", "object"},
                     {"required", {"name", "severity", "since", "message", "value", "threshold"}},
                     {"properties",
                      {{"name", {{"type", "string"}}},
                       {"severity", EnumSchema({"critical", "warning"})},
                       {"since", DateTimeSchema()},
                       {"message", {{"type", "string"}}},
                       {"value", {{"type", "number"}}},
                       {"threshold", {{"type", "number"}}}}}}}}}}}}}});
}

}  // namespace vf::api
