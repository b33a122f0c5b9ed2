#pragma once
// The monitor: samples every metric family on a timer into a five-minute ring (for "last 5
// minutes" figures and the dashboard's series), evaluates the alert rules, notifies the webhook,
// and builds the summary JSON of GET /api/monitoring/summary.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "monitoring/alerts.hpp"
#include "monitoring/families.hpp"
#include "monitoring/request_metrics.hpp"

namespace vf::monitoring {

struct RateLimitStatus {
  std::string backend = "disabled";  // in-process, redis, upstash-rest, disabled
  bool failing_open = false;
  uint64_t fail_open_decisions = 0;
};

struct QueueStatus {
  std::size_t depth = 0, capacity = 0;
  uint64_t refused = 0;
};

// Where the monitor reads what it does not record itself. Each must be cheap and thread-safe.
struct MonitorSources {
  std::function<nlohmann::json()> health_checks;  // {"store": {"status": ...}, "redis": ...}
  std::function<RateLimitStatus()> rate_limit;
  std::function<QueueStatus()> queue;
};

struct MonitorFamilies {
  RequestMetrics& requests;
  RateLimitMetrics& rate_limit;
  CacheMetrics& cache;
  RagMetrics& rag;
  ModelMetrics& models;
};

class Monitor {
 public:
  struct Options {
    std::chrono::milliseconds sample_every{5000};
    std::chrono::milliseconds evaluate_every{5000};
    std::chrono::milliseconds window{300'000};  // "last 5 minutes"
    AlertThresholds thresholds;
    std::string webhook_url;  // empty: no webhook
    std::string version;
  };
  Monitor(MonitorFamilies families, MonitorSources sources, Options options);
  ~Monitor();

  // Starts the timer thread (sampling and alert evaluation); Stop joins it.
  void Start();
  void Stop();

  // What the timer does; public so tests can drive it with their own clock.
  void Sample(int64_t now_ms);
  std::vector<AlertEngine::Change> EvaluateAlerts(int64_t now_ms);

  nlohmann::json Summary(int64_t now_ms) const;
  nlohmann::json AlertsJson() const;

 private:
  struct RouteCounts {
    std::array<uint64_t, 4> by_class{};
    uint64_t limited = 0;
    Histogram::Snapshot latency;
  };
  struct CacheCounts {
    uint64_t hits = 0, misses = 0, stale = 0, loads = 0;
  };
  struct Snapshot {
    int64_t t_ms = 0;
    std::vector<RouteCounts> routes;  // in RequestMetrics::routes() order
    std::map<Labels, uint64_t> rate_limit;
    std::map<std::string, CacheCounts> cache;
    std::map<std::string, uint64_t> model_calls, model_errors;
    uint64_t fail_open = 0, refused = 0;
  };
  Snapshot Take(int64_t now_ms) const;
  // The oldest kept sample no older than the window (the process start at first).
  Snapshot Base(int64_t now_ms) const;
  void Loop();

  MonitorFamilies f_;
  MonitorSources sources_;
  Options options_;
  int64_t started_ms_;
  AlertEngine engine_;
  std::unique_ptr<WebhookNotifier> webhook_;

  mutable std::mutex mu_;
  std::deque<Snapshot> samples_;  // oldest first
  Snapshot last_evaluation_;      // for "since the last check" deltas
  int64_t evaluated_at_ms_ = 0;

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace vf::monitoring
