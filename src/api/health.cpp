#include "api/health.hpp"

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

HealthService::HealthService(std::string version, std::chrono::milliseconds period)
    : version_(std::move(version)), period_(period) {}

HealthService::~HealthService() { Stop(); }

void HealthService::AddProbe(DependencyProbe probe) { probes_.push_back(std::move(probe)); }

void HealthService::Start() {
  Refresh();
  thread_ = std::thread([this] { Loop(); });
}

void HealthService::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HealthService::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, period_, [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    Refresh();
    lock.lock();
  }
}

void HealthService::Refresh() {
  json checks = json::object();
  bool down = false, degraded = false;
  for (const auto& p : probes_) {
    json check;
    try {
      check = p.probe();
    } catch (const std::exception& e) {
      check = {{"status", "down"}, {"error", "probe failed"}};
    }
    std::string status = check.value("status", "down");
    if (status == "down") (p.required ? down : degraded) = true;
    checks[p.name] = std::move(check);
  }
  auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  json body{{"status", down       ? "down"
                       : degraded ? "degraded"
                                  : "ok"},
            {"checks", std::move(checks)},
            {"version", version_},
            {"uptime_s", uptime}};
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->http_status = down ? 503 : 200;
  snapshot->body = body.dump();
  std::lock_guard lock(mu_);
  current_ = std::move(snapshot);
}

std::shared_ptr<const HealthService::Snapshot> HealthService::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

DependencyProbe StoreProbe(store::Store& store) {
  return {"store",
          [&store]() -> json {
            auto start = std::chrono::steady_clock::now();
            try {
              store.Ping();
            } catch (const store::StoreError& e) {
              return {{"status", "down"}, {"kind", store.kind()}, {"error", "store unreachable"}};
            }
            double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            return {{"status", "ok"}, {"kind", store.kind()}, {"latency_ms", ms}};
          },
          true};
}

void AddHealthRoutes(http::Router& router, const ApiDeps& deps) {
  HealthService* health = &deps.health;
  json check{{"type", "object"},
             {"required", {"status"}},
             {"properties",
              {{"status", EnumSchema({"ok", "degraded", "down", "not_configured", "offline",
                                      "configured"})}}}};
  router.Add(
      {.method = "GET",
       .path = "/api/monitoring/health",
       .route_class = http::RouteClass::kPublic,
       .blocking = false,
       .handler =
           [health](http::RequestContext&) {
             auto snap = health->Current();
             http::Response r = http::Response::Json(snap->http_status, snap->body);
             r.SetHeader("Cache-Control", "no-store");
             return r;
           },
       .doc = {.operation_id = "getHealth",
               .summary = "Liveness and the state of each dependency",
               .tag = "monitoring",
               .response_schema = {
                   {"type", "object"},
                   {"required", {"status", "checks", "version", "uptime_s"}},
                   {"properties",
                    {{"status", EnumSchema({"ok", "degraded", "down"})},
                     {"checks",
                      {{"type", "object"},
                       {"properties",
                        {{"store", check}, {"redis", check}, {"search", check}, {"llm", check}}}}},
                     {"version", {{"type", "string"}}},
                     {"uptime_s", {{"type", "integer"}}}}}}}});
}

}  // namespace vf::api
