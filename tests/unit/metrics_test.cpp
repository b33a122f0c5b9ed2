// The metrics registry: exact exposition text per metric type (label and help escaping
// included), histogram bucket edges, quantiles, and counts that stay exact under threads.

#include "monitoring/metrics.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace vf::monitoring {
namespace {

TEST(MetricsExposition, CounterWithEscapedLabels) {
  Registry r;
  auto& c =
      r.AddCounter("app_events_total", "Events seen.\nSecond line \\ here.", {"kind", "path"});
  c.With({"a\"b", "C:\\dir\nnext"}).Add(3);
  c.With({"plain", "x"}).Add();
  EXPECT_EQ(r.Render(),
            "# HELP app_events_total Events seen.\\nSecond line \\\\ here.\n"
            "# TYPE app_events_total counter\n"
            "app_events_total{kind=\"a\\\"b\",path=\"C:\\\\dir\\nnext\"} 3\n"
            "app_events_total{kind=\"plain\",path=\"x\"} 1\n");
}

TEST(MetricsExposition, GaugeAndCallbacks) {
  Registry r;
  r.AddGauge("app_temperature_celsius", "Temperature.").With({}).Set(-2.5);
  r.AddCallbackGauge("app_ratio", "A ratio.", [] { return 0.125; });
  r.AddCallbackCounter("app_seconds_total", "Seconds.", [] { return 12.0; });
  EXPECT_EQ(r.Render(),
            "# HELP app_temperature_celsius Temperature.\n"
            "# TYPE app_temperature_celsius gauge\n"
            "app_temperature_celsius -2.5\n"
            "# HELP app_ratio A ratio.\n"
            "# TYPE app_ratio gauge\n"
            "app_ratio 0.125\n"
            "# HELP app_seconds_total Seconds.\n"
            "# TYPE app_seconds_total counter\n"
            "app_seconds_total 12\n");
}

TEST(MetricsExposition, HistogramIsCumulativeWithInf) {
  Registry r;
  static constexpr std::array<double, 3> kBounds{0.1, 0.5, 1};
  auto& q = r.AddHistogram("app_wait_seconds", "Wait.", {"queue"}, kBounds).With({"main"});
  q.Observe(0.05);
  q.Observe(0.1);  // on the edge: le is inclusive
  q.Observe(0.75);
  q.Observe(3);  // beyond the last bound: +Inf only
  EXPECT_EQ(r.Render(),
            "# HELP app_wait_seconds Wait.\n"
            "# TYPE app_wait_seconds histogram\n"
            "app_wait_seconds_bucket{queue=\"main\",le=\"0.1\"} 2\n"
            "app_wait_seconds_bucket{queue=\"main\",le=\"0.5\"} 2\n"
            "app_wait_seconds_bucket{queue=\"main\",le=\"1\"} 3\n"
            "app_wait_seconds_bucket{queue=\"main\",le=\"+Inf\"} 4\n"
            "app_wait_seconds_sum{queue=\"main\"} 3.9\n"
            "app_wait_seconds_count{queue=\"main\"} 4\n");
}

TEST(MetricsHistogram, NanosecondEdgesMatchSecondEdges) {
  static constexpr std::array<double, 2> kBounds{0.001, 0.01};
  Histogram h(kBounds);
  h.ObserveNanos(1'000'000);  // exactly 1 ms: first bucket
  h.ObserveNanos(1'000'001);  // just over: second
  h.ObserveNanos(10'000'000);
  h.ObserveNanos(10'000'001);  // +Inf
  auto s = h.Read();
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{1, 2, 1}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum, 0.022000002, 1e-12);
}

TEST(MetricsHistogram, QuantilesInterpolateWithinBuckets) {
  static constexpr std::array<double, 3> kBounds{1, 2, 4};
  Histogram h(kBounds);
  for (int i = 0; i < 50; ++i) h.Observe(0.5);  // bucket (0, 1]
  for (int i = 0; i < 50; ++i) h.Observe(1.5);  // bucket (1, 2]
  auto s = h.Read();
  EXPECT_DOUBLE_EQ(*Quantile(s, kBounds, 0.5), 1.0);
  EXPECT_DOUBLE_EQ(*Quantile(s, kBounds, 0.25), 0.5);
  EXPECT_DOUBLE_EQ(*Quantile(s, kBounds, 0.99), 1.98);
  h.Observe(100);  // +Inf bucket reports the highest finite bound
  EXPECT_DOUBLE_EQ(*Quantile(h.Read(), kBounds, 1.0), 4.0);
  EXPECT_FALSE(Quantile(Histogram(kBounds).Read(), kBounds, 0.5).has_value());
  // A window is the difference of two snapshots.
  auto later = h.Read();
  auto window = Minus(later, s);
  EXPECT_EQ(window.count, 1u);
  EXPECT_DOUBLE_EQ(*Quantile(window, kBounds, 0.5), 4.0);
}

TEST(MetricsCounter, ExactUnderConcurrentWriters) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100'000; ++i) c.Add();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 800'000u);
}

TEST(MetricsRegistry, RefusesDuplicateNames) {
  Registry r;
  r.AddCounter("app_x_total", "x");
  EXPECT_THROW(r.AddCounter("app_x_total", "again"), std::logic_error);
}

TEST(MetricsNumbers, FormatsForPrometheus) {
  std::string out;
  AppendNumber(out, 1e20);
  out += ' ';
  AppendNumber(out, 0.1);
  out += ' ';
  AppendNumber(out, std::numeric_limits<double>::infinity());
  out += ' ';
  AppendNumber(out, 42);
  EXPECT_EQ(out, "1e+20 0.1 +Inf 42");
}

}  // namespace
}  // namespace vf::monitoring
