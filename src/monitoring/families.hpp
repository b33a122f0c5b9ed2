#pragma once
// The metric families other features record into, registered at start-up so every dashboard,
// scrape and alert sees them (empty until the feature runs). A feature takes the struct it needs
// and looks its children up once.

#include "monitoring/metrics.hpp"

namespace vf::monitoring {

// Rate-limit decisions by tier (free, premium, anonymous), route class and result (allowed,
// limited). Fail-open figures come from the limiter itself (callback counters).
struct RateLimitMetrics {
  explicit RateLimitMetrics(Registry& r)
      : decisions(r.AddCounter("voicefit_rate_limit_decisions_total",
                               "Rate-limit decisions by tier, route class and result.",
                               {"tier", "class", "result"})) {}
  Family<Counter>& decisions;
};

// Cache answers by key family: result is hit, miss or stale; loads are computations run on a
// miss; errors are computations that failed (nothing is stored). A cache backend that is down or
// slow is counted by voicefit_cache_backend_errors_total (its lookups are misses).
struct CacheMetrics {
  explicit CacheMetrics(Registry& r)
      : lookups(r.AddCounter("voicefit_cache_lookups_total",
                             "Cache lookups by key family and result (hit, miss, stale).",
                             {"family", "result"})),
        loads(r.AddCounter("voicefit_cache_loads_total",
                           "Values computed after a cache miss, by key family.", {"family"})),
        load_seconds(r.AddHistogram("voicefit_cache_load_duration_seconds",
                                    "Time to compute a missing cache value, by key family.",
                                    {"family"}, LatencyBuckets())),
        errors(r.AddCounter("voicefit_cache_load_errors_total",
                            "Computations of missing cache values that failed, by key family.",
                            {"family"})) {}
  Family<Counter>& lookups;
  Family<Counter>& loads;
  Family<Histogram>& load_seconds;
  Family<Counter>& errors;
};

// Retrieval over the knowledge base, by endpoint and namespace.
struct RagMetrics {
  explicit RagMetrics(Registry& r)
      : retrievals(r.AddCounter("voicefit_rag_retrievals_total",
                                "Knowledge-base retrievals by endpoint and namespace.",
                                {"endpoint", "namespace"})),
        latency(r.AddHistogram("voicefit_rag_retrieval_duration_seconds",
                               "Knowledge-base retrieval time by endpoint.", {"endpoint"},
                               LatencyBuckets())) {}
  Family<Counter>& retrievals;
  Family<Histogram>& latency;
};

// Language-model calls by provider: outcome is ok or error; tokens by kind (prompt, completion).
struct ModelMetrics {
  explicit ModelMetrics(Registry& r)
      : calls(r.AddCounter("voicefit_model_calls_total", "Model calls by provider and outcome.",
                           {"provider", "outcome"})),
        latency(r.AddHistogram("voicefit_model_call_duration_seconds",
                               "Model call time by provider.", {"provider"}, LatencyBuckets())),
        tokens(r.AddCounter("voicefit_model_tokens_total", "Model tokens by provider and kind.",
                            {"provider", "kind"})) {}
  Family<Counter>& calls;
  Family<Histogram>& latency;
  Family<Counter>& tokens;
};

}  // namespace vf::monitoring
