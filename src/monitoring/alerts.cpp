#include "monitoring/alerts.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>

#include "core/log.hpp"
#include "core/time.hpp"

namespace vf::monitoring {
namespace {

std::string Format(const char* fmt, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

nlohmann::json Alert::ToJson() const {
  return {{"name", name},       {"severity", severity}, {"since", FormatRfc3339(since_ms)},
          {"message", message}, {"value", value},       {"threshold", threshold}};
}

std::vector<AlertEngine::Change> AlertEngine::Evaluate(const AlertInputs& in, int64_t now_ms) {
  const AlertThresholds& t = thresholds_;
  std::map<std::string, Alert> firing;
  auto fire = [&](std::string name, std::string severity, std::string message, double value,
                  double threshold) {
    firing[name] = Alert{name, std::move(severity), now_ms, std::move(message), value, threshold};
  };

  if (in.redis_configured && in.redis_down) {
    fire("redis_down", "critical", "Redis is unreachable: shared rate limits and caches are off", 1,
         1);
  }
  if (in.rate_limit_failing_open || in.fail_open_decisions_recent > 0) {
    fire("rate_limiter_failing_open", "warning",
         Format("rate limits are decided in-process (%.0f fail-open decisions since the last "
                "check): per-instance, not shared",
                static_cast<double>(in.fail_open_decisions_recent)),
         static_cast<double>(in.fail_open_decisions_recent), 0);
  }
  if (in.requests_5m >= t.error_min_requests) {
    double ratio = static_cast<double>(in.errors_5xx_5m) / static_cast<double>(in.requests_5m);
    if (ratio > t.error_ratio) {
      fire("error_rate_high", "critical",
           Format("%.1f%% of requests failed with 5xx over 5 minutes (bound %.1f%%)", ratio * 100,
                  t.error_ratio * 100),
           ratio, t.error_ratio);
    }
  }
  if (in.p95_ms_5m && *in.p95_ms_5m > t.p95_ms) {
    fire("latency_p95_high", "warning",
         Format("p95 latency %.1f ms over 5 minutes (bound %.0f ms)", *in.p95_ms_5m, t.p95_ms),
         *in.p95_ms_5m, t.p95_ms);
  }
  if (in.uptime_s >= t.cache_warmup_s) {
    std::optional<std::pair<double, std::string>> worst;
    for (const auto& f : in.cache_5m) {
      uint64_t lookups = f.hits + f.misses;
      if (lookups < t.cache_min_lookups) continue;
      double rate = static_cast<double>(f.hits) / static_cast<double>(lookups);
      if (rate < t.cache_hit_rate && (!worst || rate < worst->first)) worst = {{rate, f.family}};
    }
    if (worst) {
      fire("cache_hit_rate_low", "warning",
           "cache hit rate of " + worst->second +
               Format(" is %.0f%% over 5 minutes (bound %.0f%%)", worst->first * 100,
                      t.cache_hit_rate * 100),
           worst->first, t.cache_hit_rate);
    }
  }
  if (in.model_errors_5m >= t.model_errors) {
    fire("model_provider_errors", "warning",
         Format("%.0f model calls failed over 5 minutes (of %.0f)",
                static_cast<double>(in.model_errors_5m), static_cast<double>(in.model_calls_5m)),
         static_cast<double>(in.model_errors_5m), static_cast<double>(t.model_errors));
  }
  double saturation = in.queue_capacity == 0 ? 0
                                             : static_cast<double>(in.queue_depth) /
                                                   static_cast<double>(in.queue_capacity);
  if (saturation >= t.queue_saturation || in.queue_refused_recent > 0) {
    fire("worker_queue_saturated", "critical",
         Format("worker queue %.0f%% full; %.0f requests refused with 503 since the last check",
                saturation * 100, static_cast<double>(in.queue_refused_recent)),
         saturation, t.queue_saturation);
  }

  std::vector<Change> changes;
  std::lock_guard lock(mu_);
  for (auto& [name, alert] : firing) {
    auto it = active_.find(name);
    if (it == active_.end()) {
      changes.push_back({alert, true});
      active_.emplace(name, alert);
    } else {
      // Still firing: keep when it started, refresh what it says.
      it->second.message = alert.message;
      it->second.value = alert.value;
    }
  }
  for (auto it = active_.begin(); it != active_.end();) {
    if (firing.count(it->first) == 0) {
      changes.push_back({it->second, false});
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  return changes;
}

std::vector<Alert> AlertEngine::Active() const {
  std::lock_guard lock(mu_);
  std::vector<Alert> out;
  for (const auto& [name, alert] : active_) out.push_back(alert);
  return out;
}

// --- webhook -----------------------------------------------------------------------------------

WebhookNotifier::WebhookNotifier(std::string url) : url_(std::move(url)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  thread_ = std::thread([this] { Run(); });
}

WebhookNotifier::~WebhookNotifier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WebhookNotifier::Notify(const AlertEngine::Change& change) {
  nlohmann::json event{{"event", change.firing ? "firing" : "resolved"},
                       {"alert", change.alert.ToJson()},
                       {"at", FormatRfc3339(NowMs())}};
  std::lock_guard lock(mu_);
  if (queue_.size() >= 256) {
    queue_.pop_front();
    ++stats_.dropped;
  }
  queue_.push_back(event.dump());
  cv_.notify_one();
}

WebhookNotifier::Stats WebhookNotifier::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool WebhookNotifier::Post(const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return false;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; });
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && status >= 200 && status < 300;
}

void WebhookNotifier::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left to send
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    bool sent = false;
    for (int attempt = 0; attempt < 4 && !sent; ++attempt) {
      if (attempt > 0) {
        std::unique_lock wait(mu_);
        if (cv_.wait_for(wait, std::chrono::milliseconds(250 << attempt),
                         [this] { return stop_; })) {
          break;
        }
      }
      sent = Post(body);
    }
    lock.lock();
    (sent ? stats_.sent : stats_.failed)++;
    if (!sent) log::Write(log::Level::kWarn, "alert webhook failed after retries", {{"url", url_}});
  }
}

}  // namespace vf::monitoring
