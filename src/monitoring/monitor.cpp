#include "monitoring/monitor.hpp"

#include "core/log.hpp"
#include "core/time.hpp"
#include "monitoring/process_stats.hpp"

namespace vf::monitoring {

using nlohmann::json;

namespace {

json Ms(std::optional<double> seconds) {
  if (!seconds) return nullptr;
  return std::round(*seconds * 1e6) / 1e3;  // milliseconds, to the microsecond
}

json Percentiles(const Histogram::Snapshot& s, std::span<const double> bounds) {
  return {{"p50", Ms(Quantile(s, bounds, 0.50))},
          {"p95", Ms(Quantile(s, bounds, 0.95))},
          {"p99", Ms(Quantile(s, bounds, 0.99))}};
}

json ByClass(const std::array<uint64_t, 4>& c) {
  json out = json::object();
  for (std::size_t i = 0; i < c.size(); ++i) out[kStatusClasses[i]] = c[i];
  return out;
}

uint64_t Sum(const std::array<uint64_t, 4>& c) { return c[0] + c[1] + c[2] + c[3]; }

uint64_t Delta(uint64_t now, uint64_t then) { return now >= then ? now - then : 0; }

json Rate(uint64_t hits, uint64_t misses) {
  uint64_t total = hits + misses;
  if (total == 0) return nullptr;
  return std::round(static_cast<double>(hits) / static_cast<double>(total) * 1000) / 1000;
}

void Accumulate(Histogram::Snapshot& into, const Histogram::Snapshot& add) {
  if (into.counts.empty()) into.counts.assign(add.counts.size(), 0);
  for (std::size_t i = 0; i < add.counts.size() && i < into.counts.size(); ++i) {
    into.counts[i] += add.counts[i];
  }
  into.count += add.count;
  into.sum += add.sum;
}

}  // namespace

Monitor::Monitor(MonitorFamilies families, MonitorSources sources, Options options)
    : f_(families),
      sources_(std::move(sources)),
      options_(std::move(options)),
      started_ms_(NowMs()),
      engine_(options_.thresholds) {
  if (!options_.webhook_url.empty()) {
    webhook_ = std::make_unique<WebhookNotifier>(options_.webhook_url);
  }
  samples_.push_back(Take(started_ms_));
  last_evaluation_ = samples_.back();
}

Monitor::~Monitor() { Stop(); }

Monitor::Snapshot Monitor::Take(int64_t now_ms) const {
  Snapshot s;
  s.t_ms = now_ms;
  for (const auto& r : f_.requests.routes()) {
    RouteCounts c;
    for (std::size_t i = 0; i < 4; ++i) c.by_class[i] = r->by_class[i]->Value();
    c.limited = r->limited->Value();
    c.latency = r->latency->Read();
    s.routes.push_back(std::move(c));
  }
  for (const auto& [labels, counter] : f_.rate_limit.decisions.Children()) {
    s.rate_limit[labels] = counter->Value();
  }
  for (const auto& [labels, counter] : f_.cache.lookups.Children()) {
    auto& c = s.cache[labels[0]];
    if (labels[1] == "hit") c.hits += counter->Value();
    if (labels[1] == "miss") c.misses += counter->Value();
    if (labels[1] == "stale") c.stale += counter->Value();
  }
  for (const auto& [labels, counter] : f_.cache.loads.Children()) {
    s.cache[labels[0]].loads = counter->Value();
  }
  for (const auto& [labels, counter] : f_.models.calls.Children()) {
    s.model_calls[labels[0]] += counter->Value();
    if (labels[1] == "error") s.model_errors[labels[0]] += counter->Value();
  }
  if (sources_.rate_limit) s.fail_open = sources_.rate_limit().fail_open_decisions;
  if (sources_.queue) s.refused = sources_.queue().refused;
  return s;
}

Monitor::Snapshot Monitor::Base(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  for (const auto& s : samples_) {
    if (s.t_ms >= now_ms - options_.window.count()) return s;
  }
  return samples_.back();
}

void Monitor::Sample(int64_t now_ms) {
  Snapshot s = Take(now_ms);
  std::lock_guard lock(mu_);
  samples_.push_back(std::move(s));
  // Keep one sample older than the window, so the window's start is always covered.
  while (samples_.size() > 2 && samples_[1].t_ms < now_ms - options_.window.count()) {
    samples_.pop_front();
  }
}

std::vector<AlertEngine::Change> Monitor::EvaluateAlerts(int64_t now_ms) {
  Snapshot live = Take(now_ms);
  Snapshot base = Base(now_ms);
  AlertInputs in;
  in.uptime_s = static_cast<double>(now_ms - started_ms_) / 1000.0;
  if (sources_.health_checks) {
    json checks = sources_.health_checks();
    std::string redis = checks.contains("redis") ? checks["redis"].value("status", "") : "";
    in.redis_configured = !redis.empty() && redis != "not_configured";
    in.redis_down = redis == "down";
  }
  if (sources_.rate_limit) in.rate_limit_failing_open = sources_.rate_limit().failing_open;
  if (sources_.queue) {
    QueueStatus q = sources_.queue();
    in.queue_depth = q.depth;
    in.queue_capacity = q.capacity;
  }
  Histogram::Snapshot latency;
  for (std::size_t i = 0; i < live.routes.size(); ++i) {
    const RouteCounts& now = live.routes[i];
    const RouteCounts& then = base.routes[i];
    for (std::size_t c = 0; c < 4; ++c) in.requests_5m += Delta(now.by_class[c], then.by_class[c]);
    in.errors_5xx_5m += Delta(now.by_class[3], then.by_class[3]);
    Accumulate(latency, Minus(now.latency, then.latency));
  }
  if (auto p95 = Quantile(latency, LatencyBuckets(), 0.95)) in.p95_ms_5m = *p95 * 1000;
  for (const auto& [family, c] : live.cache) {
    CacheCounts then = base.cache.count(family) ? base.cache.at(family) : CacheCounts{};
    in.cache_5m.push_back({family, Delta(c.hits, then.hits), Delta(c.misses, then.misses)});
  }
  for (const auto& [provider, calls] : live.model_calls) {
    in.model_calls_5m +=
        Delta(calls, base.model_calls.count(provider) ? base.model_calls.at(provider) : 0);
  }
  for (const auto& [provider, errors] : live.model_errors) {
    in.model_errors_5m +=
        Delta(errors, base.model_errors.count(provider) ? base.model_errors.at(provider) : 0);
  }
  {
    std::lock_guard lock(mu_);
    in.fail_open_decisions_recent = Delta(live.fail_open, last_evaluation_.fail_open);
    in.queue_refused_recent = Delta(live.refused, last_evaluation_.refused);
    last_evaluation_ = live;
    evaluated_at_ms_ = now_ms;
  }
  auto changes = engine_.Evaluate(in, now_ms);
  for (const auto& change : changes) {
    log::Write(change.firing ? log::Level::kWarn : log::Level::kInfo,
               change.firing ? "alert firing" : "alert resolved", change.alert.ToJson());
    if (webhook_) webhook_->Notify(change);
  }
  return changes;
}

json Monitor::AlertsJson() const {
  json alerts = json::array();
  for (const auto& a : engine_.Active()) alerts.push_back(a.ToJson());
  std::lock_guard lock(mu_);
  return {
      {"evaluated_at", evaluated_at_ms_ ? json(FormatRfc3339(evaluated_at_ms_)) : json(nullptr)},
      {"alerts", std::move(alerts)}};
}

json Monitor::Summary(int64_t now_ms) const {
  Snapshot live = Take(now_ms);
  Snapshot base = Base(now_ms);
  std::deque<Snapshot> samples;
  {
    std::lock_guard lock(mu_);
    samples = samples_;
  }
  auto bounds = LatencyBuckets();
  double window_s = std::max(1.0, static_cast<double>(now_ms - base.t_ms) / 1000.0);

  std::array<uint64_t, 4> all{}, all_5m{};
  uint64_t limited = 0, limited_5m = 0;
  Histogram::Snapshot latency, latency_5m;
  json routes = json::array();
  const auto& series = f_.requests.routes();
  for (std::size_t i = 0; i < series.size(); ++i) {
    const RouteCounts& now = live.routes[i];
    const RouteCounts& then = base.routes[i];
    std::array<uint64_t, 4> recent{};
    for (std::size_t c = 0; c < 4; ++c) {
      all[c] += now.by_class[c];
      recent[c] = Delta(now.by_class[c], then.by_class[c]);
      all_5m[c] += recent[c];
    }
    limited += now.limited;
    limited_5m += Delta(now.limited, then.limited);
    Histogram::Snapshot recent_latency = Minus(now.latency, then.latency);
    Accumulate(latency, now.latency);
    Accumulate(latency_5m, recent_latency);
    if (Sum(now.by_class) == 0) continue;  // routes never called stay out of the table
    routes.push_back(
        {{"method", series[i]->method},
         {"route", series[i]->route},
         {"total", Sum(now.by_class)},
         {"by_status_class", ByClass(now.by_class)},
         {"limited_429", now.limited},
         {"latency_ms", Percentiles(now.latency, bounds)},
         {"last_5m",
          {{"total", Sum(recent)}, {"latency_ms", Percentiles(recent_latency, bounds)}}}});
  }

  json points = json::array();
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const Snapshot& a = samples[i - 1];
    const Snapshot& b = samples[i];
    uint64_t requests = 0, errors = 0, refused = 0;
    Histogram::Snapshot lat;
    for (std::size_t r = 0; r < b.routes.size() && r < a.routes.size(); ++r) {
      for (std::size_t c = 0; c < 4; ++c)
        requests += Delta(b.routes[r].by_class[c], a.routes[r].by_class[c]);
      errors += Delta(b.routes[r].by_class[3], a.routes[r].by_class[3]);
      refused += Delta(b.routes[r].limited, a.routes[r].limited);
      Accumulate(lat, Minus(b.routes[r].latency, a.routes[r].latency));
    }
    double dt = std::max(0.001, static_cast<double>(b.t_ms - a.t_ms) / 1000.0);
    points.push_back({{"t", FormatRfc3339(b.t_ms)},
                      {"requests", requests},
                      {"rate_per_s", std::round(static_cast<double>(requests) / dt * 100) / 100},
                      {"errors_5xx", errors},
                      {"limited_429", refused},
                      {"p50_ms", Ms(Quantile(lat, bounds, 0.50))},
                      {"p95_ms", Ms(Quantile(lat, bounds, 0.95))},
                      {"p99_ms", Ms(Quantile(lat, bounds, 0.99))}});
  }

  json decisions = json::array();
  for (const auto& [labels, count] : live.rate_limit) {
    decisions.push_back(
        {{"tier", labels[0]}, {"class", labels[1]}, {"result", labels[2]}, {"count", count}});
  }
  RateLimitStatus rl = sources_.rate_limit ? sources_.rate_limit() : RateLimitStatus{};

  json families = json::array();
  for (const auto& [family, c] : live.cache) {
    CacheCounts then = base.cache.count(family) ? base.cache.at(family) : CacheCounts{};
    uint64_t hits = Delta(c.hits, then.hits), misses = Delta(c.misses, then.misses);
    families.push_back(
        {{"family", family},
         {"hits", c.hits},
         {"misses", c.misses},
         {"stale", c.stale},
         {"loads", c.loads},
         {"hit_rate", Rate(c.hits, c.misses)},
         {"last_5m", {{"hits", hits}, {"misses", misses}, {"hit_rate", Rate(hits, misses)}}}});
  }

  json retrievals = json::array();
  std::map<std::string, Histogram::Snapshot> rag_latency;
  for (const auto& [labels, h] : f_.rag.latency.Children()) rag_latency[labels[0]] = h->Read();
  for (const auto& [labels, counter] : f_.rag.retrievals.Children()) {
    retrievals.push_back({{"endpoint", labels[0]},
                          {"namespace", labels[1]},
                          {"count", counter->Value()},
                          {"latency_ms", Percentiles(rag_latency[labels[0]], bounds)}});
  }

  json providers = json::array();
  std::map<std::string, json> by_provider;
  for (const auto& [labels, counter] : f_.models.calls.Children()) {
    json& p = by_provider[labels[0]];
    if (p.is_null())
      p = {{"provider", labels[0]},
           {"calls", 0},
           {"errors", 0},
           {"tokens", {{"prompt", 0}, {"completion", 0}}}};
    p["calls"] = p["calls"].get<uint64_t>() + counter->Value();
    if (labels[1] == "error") p["errors"] = p["errors"].get<uint64_t>() + counter->Value();
  }
  for (const auto& [labels, counter] : f_.models.tokens.Children()) {
    json& p = by_provider[labels[0]];
    if (p.is_null()) continue;
    p["tokens"][labels[1]] = counter->Value();
  }
  for (const auto& [labels, h] : f_.models.latency.Children()) {
    if (by_provider.count(labels[0]))
      by_provider[labels[0]]["latency_ms"] = Percentiles(h->Read(), bounds);
  }
  for (auto& [name, p] : by_provider) providers.push_back(std::move(p));

  json dependencies = json::object();
  if (sources_.health_checks) {
    json checks = sources_.health_checks();  // items() refers into it: keep it alive
    for (const auto& [name, check] : checks.items()) {
      dependencies[name] = check.value("status", "unknown");
    }
  }
  QueueStatus queue = sources_.queue ? sources_.queue() : QueueStatus{};
  ProcessStats process = ReadProcessStats();

  return {
      {"generated_at", FormatRfc3339(now_ms)},
      {"uptime_s", (now_ms - started_ms_) / 1000},
      {"version", options_.version},
      {"requests",
       {{"total", Sum(all)},
        {"in_flight", f_.requests.in_flight()},
        {"worker_queue_depth", queue.depth},
        {"by_status_class", ByClass(all)},
        {"limited_429", limited},
        {"latency_ms", Percentiles(latency, bounds)},
        {"last_5m",
         {{"total", Sum(all_5m)},
          {"rate_per_s", std::round(static_cast<double>(Sum(all_5m)) / window_s * 100) / 100},
          {"by_status_class", ByClass(all_5m)},
          {"limited_429", limited_5m},
          {"latency_ms", Percentiles(latency_5m, bounds)}}},
        {"routes", std::move(routes)}}},
      {"series",
       {{"interval_s", static_cast<double>(options_.sample_every.count()) / 1000.0},
        {"points", std::move(points)}}},
      {"rate_limit",
       {{"backend", rl.backend},
        {"failing_open", rl.failing_open},
        {"fail_open_decisions", rl.fail_open_decisions},
        {"decisions", std::move(decisions)}}},
      {"cache", {{"families", std::move(families)}}},
      {"rag", {{"retrievals", std::move(retrievals)}}},
      {"models", {{"providers", std::move(providers)}}},
      {"dependencies", std::move(dependencies)},
      {"process",
       {{"resident_bytes", process.resident_bytes},
        {"cpu_seconds", std::round(process.cpu_seconds * 100) / 100},
        {"open_fds", process.open_fds}}},
  };
}

void Monitor::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Monitor::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stop_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Monitor::Loop() {
  using Clock = std::chrono::steady_clock;
  auto next_sample = Clock::now() + options_.sample_every;
  auto next_evaluation = Clock::now() + options_.evaluate_every;
  std::unique_lock lock(loop_mu_);
  while (!stop_) {
    loop_cv_.wait_until(lock, std::min(next_sample, next_evaluation), [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    auto now = Clock::now();
    if (now >= next_sample) {
      Sample(NowMs());
      next_sample += options_.sample_every;
    }
    if (now >= next_evaluation) {
      EvaluateAlerts(NowMs());
      next_evaluation += options_.evaluate_every;
    }
    lock.lock();
  }
}

}  // namespace vf::monitoring
