// Cost of recording one request's metrics: the metrics stage's way in and way out (in-flight
// counters, clock read, route lookup, status-class counter, latency histogram), on 1 and 2
// threads; and rendering /metrics.
#include <benchmark/benchmark.h>

#include "http/router.hpp"
#include "monitoring/families.hpp"
#include "monitoring/request_metrics.hpp"

namespace vf::monitoring {
namespace {

struct Fixture {
  Fixture() {
    for (const char* path :
         {"/api/monitoring/health", "/api/profile", "/api/workouts", "/api/runs", "/api/injuries",
          "/api/injury/log", "/api/me", "/openapi.json", "/api/coach/ask", "/api/chat/classify"}) {
      router.Add({.method = "GET", .path = path, .handler = [](http::RequestContext&) {
                    return http::Response{};
                  }});
    }
    requests = std::make_unique<RequestMetrics>(registry, router);
    RateLimitMetrics rl(registry);
    CacheMetrics cache(registry);
  }
  Registry registry;
  http::Router router;
  std::unique_ptr<RequestMetrics> requests;
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_RecordRequestMetrics(benchmark::State& state) {
  Fixture& f = Shared();
  MetricsMiddleware stage(*f.requests);
  http::RequestContext ctx;
  ctx.route = f.router.routes()[1].get();
  http::Response res;
  res.status = 200;
  for (auto _ : state) {
    ctx.started = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(stage.OnRequest(ctx));
    stage.OnResponse(ctx, res);
  }
}
BENCHMARK(BM_RecordRequestMetrics)->Threads(1)->Threads(2)->UseRealTime();

void BM_RenderMetrics(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(f.registry.Render());
}
BENCHMARK(BM_RenderMetrics);

}  // namespace
}  // namespace vf::monitoring
