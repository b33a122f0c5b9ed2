#pragma once
// Alert rules evaluated on a timer over sliding windows. Each rule looks at one evaluation's
// inputs (gauges now, counters over the last five minutes) and either fires or not; an alert
// keeps its `since` while it keeps firing and clears by itself when the rule stops firing.
// Pure: the caller supplies the inputs and the time, so tests drive it with a fake clock.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace vf::monitoring {

struct AlertThresholds {
  double error_ratio = 0.02;         // 5xx share of requests over 5 minutes
  uint64_t error_min_requests = 20;  // fewer requests than this: no verdict
  double p95_ms = 1000;              // p95 latency over 5 minutes
  double cache_hit_rate = 0.5;       // per key family, over 5 minutes
  uint64_t cache_min_lookups = 50;
  double cache_warmup_s = 300;    // no hit-rate verdict before the process is this old
  uint64_t model_errors = 5;      // model-call errors over 5 minutes
  double queue_saturation = 0.8;  // worker queue depth / capacity
};

struct AlertInputs {
  double uptime_s = 0;
  bool redis_configured = false;
  bool redis_down = false;
  bool rate_limit_failing_open = false;
  uint64_t fail_open_decisions_recent = 0;  // since the previous evaluation
  uint64_t requests_5m = 0, errors_5xx_5m = 0;
  std::optional<double> p95_ms_5m;
  struct CacheFamily {
    std::string family;
    uint64_t hits = 0, misses = 0;
  };
  std::vector<CacheFamily> cache_5m;
  uint64_t model_calls_5m = 0, model_errors_5m = 0;
  std::size_t queue_depth = 0, queue_capacity = 0;
  uint64_t queue_refused_recent = 0;  // 503s for a full queue since the previous evaluation
};

struct Alert {
  std::string name;
  std::string severity;  // "critical" or "warning"
  int64_t since_ms = 0;  // Unix ms when it started firing
  std::string message;
  double value = 0;
  double threshold = 0;
  nlohmann::json ToJson() const;
};

class AlertEngine {
 public:
  explicit AlertEngine(AlertThresholds thresholds) : thresholds_(thresholds) {}

  struct Change {
    Alert alert;
    bool firing = false;  // false: it cleared
  };
  // Evaluates every rule; returns what fired or cleared since the previous evaluation.
  std::vector<Change> Evaluate(const AlertInputs& in, int64_t now_ms);
  std::vector<Alert> Active() const;

 private:
  AlertThresholds thresholds_;
  mutable std::mutex mu_;
  std::map<std::string, Alert> active_;
};

// Sends alert changes as JSON POSTs to ALERT_WEBHOOK_URL from a thread of its own: never on a
// request's path. Each event is retried (0.5 s, 1 s, 2 s apart) before it is dropped; the queue
// is bounded.
class WebhookNotifier {
 public:
  explicit WebhookNotifier(std::string url);
  ~WebhookNotifier();
  void Notify(const AlertEngine::Change& change);

  struct Stats {
    uint64_t sent = 0, failed = 0, dropped = 0;
  };
  Stats stats() const;

 private:
  void Run();
  bool Post(const std::string& body);
  std::string url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace vf::monitoring
