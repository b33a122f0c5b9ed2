// Alert rules on synthetic inputs and a fake clock: each fires when its condition holds, keeps
// its start time while it keeps firing, and clears by itself. And the monitor's five-minute
// window, driven sample by sample.

#include "monitoring/alerts.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"
#include "monitoring/monitor.hpp"

namespace vf::monitoring {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;  // a fixed Unix time in ms

AlertInputs Quiet() {
  AlertInputs in;
  in.uptime_s = 3600;
  in.redis_configured = true;
  in.queue_capacity = 100;
  return in;
}

// Fires the rule with `bad`, checks name and fields, keeps it, then clears it with Quiet().
void ExpectFiresAndClears(const std::string& name, const AlertInputs& bad, double value) {
  AlertEngine engine({});
  EXPECT_TRUE(engine.Evaluate(Quiet(), kT0).empty()) << name;
  auto fired = engine.Evaluate(bad, kT0 + 5000);
  ASSERT_EQ(fired.size(), 1u) << name;
  EXPECT_TRUE(fired[0].firing);
  EXPECT_EQ(fired[0].alert.name, name);
  EXPECT_NEAR(fired[0].alert.value, value, 1e-9) << name;
  EXPECT_FALSE(fired[0].alert.message.empty());
  EXPECT_EQ(fired[0].alert.since_ms, kT0 + 5000);
  // Still firing: no change reported, and `since` stays.
  EXPECT_TRUE(engine.Evaluate(bad, kT0 + 10'000).empty()) << name;
  ASSERT_EQ(engine.Active().size(), 1u);
  EXPECT_EQ(engine.Active()[0].since_ms, kT0 + 5000);
  auto cleared = engine.Evaluate(Quiet(), kT0 + 15'000);
  ASSERT_EQ(cleared.size(), 1u) << name;
  EXPECT_FALSE(cleared[0].firing);
  EXPECT_TRUE(engine.Active().empty());
}

TEST(AlertRules, RedisDown) {
  AlertInputs in = Quiet();
  in.redis_down = true;
  ExpectFiresAndClears("redis_down", in, 1);
  // Not configured: nothing to be down.
  AlertEngine engine({});
  in.redis_configured = false;
  EXPECT_TRUE(engine.Evaluate(in, kT0).empty());
}

TEST(AlertRules, RateLimiterFailingOpen) {
  AlertInputs in = Quiet();
  in.fail_open_decisions_recent = 7;
  ExpectFiresAndClears("rate_limiter_failing_open", in, 7);
  in.fail_open_decisions_recent = 0;
  in.rate_limit_failing_open = true;  // breaker open with no traffic yet
  ExpectFiresAndClears("rate_limiter_failing_open", in, 0);
}

TEST(AlertRules, ErrorRateOverTwoPercent) {
  AlertInputs in = Quiet();
  in.requests_5m = 1000;
  in.errors_5xx_5m = 20;  // exactly 2%: not over
  AlertEngine engine({});
  EXPECT_TRUE(engine.Evaluate(in, kT0).empty());
  in.errors_5xx_5m = 21;
  ExpectFiresAndClears("error_rate_high", in, 0.021);
  in.requests_5m = 10;  // too few requests for a verdict
  in.errors_5xx_5m = 10;
  EXPECT_TRUE(engine.Evaluate(in, kT0).empty());
}

TEST(AlertRules, P95LatencyOverItsBound) {
  AlertInputs in = Quiet();
  in.p95_ms_5m = 1500;
  ExpectFiresAndClears("latency_p95_high", in, 1500);
}

TEST(AlertRules, CacheHitRateUnderHalfAfterWarmUp) {
  AlertInputs in = Quiet();
  in.cache_5m = {{"user_context", 90, 10}, {"rag_context", 20, 80}};
  ExpectFiresAndClears("cache_hit_rate_low", in, 0.2);
  AlertEngine engine({});
  in.uptime_s = 60;  // still warming up
  EXPECT_TRUE(engine.Evaluate(in, kT0).empty());
  in.uptime_s = 3600;
  in.cache_5m = {{"rag_context", 2, 8}};  // too few lookups
  EXPECT_TRUE(engine.Evaluate(in, kT0).empty());
}

TEST(AlertRules, ModelProviderErrors) {
  AlertInputs in = Quiet();
  in.model_calls_5m = 40;
  in.model_errors_5m = 5;
  ExpectFiresAndClears("model_provider_errors", in, 5);
}

TEST(AlertRules, WorkerQueueSaturated) {
  AlertInputs in = Quiet();
  in.queue_depth = 80;
  ExpectFiresAndClears("worker_queue_saturated", in, 0.8);
  in.queue_depth = 0;
  in.queue_refused_recent = 3;  // 503s since the last check, even if the queue drained since
  ExpectFiresAndClears("worker_queue_saturated", in, 0);
}

TEST(AlertRules, ThresholdsAreConfigurable) {
  AlertThresholds t;
  t.p95_ms = 50;
  AlertEngine engine(t);
  AlertInputs in = Quiet();
  in.p95_ms_5m = 60;
  auto changes = engine.Evaluate(in, kT0);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].alert.threshold, 50);
}

TEST(AlertJson, HasTheContractFields) {
  Alert a{"redis_down", "critical", kT0, "Redis is unreachable", 1, 1};
  auto j = a.ToJson();
  EXPECT_EQ(j["name"], "redis_down");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["since"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(j["value"], 1);
  EXPECT_EQ(j["threshold"], 1);
  EXPECT_EQ(j["message"], "Redis is unreachable");
}

class MonitorWindowTest : public ::testing::Test {
 protected:
  MonitorWindowTest() {
    router_.Add({.method = "GET", .path = "/a", .handler = [](http::RequestContext&) {
                   return http::Response{};
                 }});
    requests_ = std::make_unique<RequestMetrics>(registry_, router_);
    monitor_ = std::make_unique<Monitor>(
        MonitorFamilies{*requests_, rate_limit_, cache_, rag_, models_}, MonitorSources{},
        Monitor::Options{.sample_every = std::chrono::milliseconds(5000)});
  }
  const http::Route* route() const { return router_.routes()[0].get(); }

  Registry registry_;
  RateLimitMetrics rate_limit_{registry_};
  CacheMetrics cache_{registry_};
  RagMetrics rag_{registry_};
  ModelMetrics models_{registry_};
  http::Router router_;
  std::unique_ptr<RequestMetrics> requests_;
  std::unique_ptr<Monitor> monitor_;
};

TEST_F(MonitorWindowTest, LastFiveMinutesForgetsOlderRequestsAndSeriesHasDeltas) {
  int64_t t = NowMs();
  for (int i = 0; i < 10; ++i) requests_->Record(route(), 500, 2'000'000);  // 10 × 5xx, 2 ms
  monitor_->Sample(t + 5000);
  for (int i = 0; i < 4; ++i) requests_->Record(route(), 200, 1'000'000);
  requests_->Record(route(), 429, 1'000'000);
  monitor_->Sample(t + 10'000);
  auto s = monitor_->Summary(t + 12'000);
  EXPECT_EQ(s["requests"]["total"], 15);
  EXPECT_EQ(s["requests"]["limited_429"], 1);
  EXPECT_EQ(s["requests"]["by_status_class"]["5xx"], 10);
  EXPECT_EQ(s["requests"]["last_5m"]["total"], 15);
  const auto& points = s["series"]["points"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]["requests"], 10);
  EXPECT_EQ(points[0]["errors_5xx"], 10);
  EXPECT_EQ(points[1]["requests"], 5);
  EXPECT_EQ(points[1]["limited_429"], 1);
  EXPECT_DOUBLE_EQ(points[1]["rate_per_s"].get<double>(), 1.0);
  // Six minutes on, with samples all along: the first ten requests left the window.
  for (int64_t step = 15'000; step <= 372'000; step += 5000) monitor_->Sample(t + step);
  auto later = monitor_->Summary(t + 372'000);
  EXPECT_EQ(later["requests"]["total"], 15);
  EXPECT_EQ(later["requests"]["last_5m"]["total"], 0);
  EXPECT_TRUE(later["requests"]["last_5m"]["latency_ms"]["p50"].is_null());
  EXPECT_LE(later["series"]["points"].size(), 62u);
}

TEST_F(MonitorWindowTest, ErrorRateAlertUsesTheWindow) {
  int64_t t = NowMs();
  for (int i = 0; i < 100; ++i) requests_->Record(route(), i < 5 ? 503 : 200, 1'000'000);
  auto changes = monitor_->EvaluateAlerts(t + 5000);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].alert.name, "error_rate_high");
  for (int64_t step = 10'000; step <= 320'000; step += 5000) monitor_->Sample(t + step);
  for (int i = 0; i < 100; ++i) requests_->Record(route(), 200, 1'000'000);
  changes = monitor_->EvaluateAlerts(t + 325'000);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].firing);
}

}  // namespace
}  // namespace vf::monitoring
