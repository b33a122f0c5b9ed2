#include "app/app.hpp"

#include <algorithm>
#include <iostream>

#include "api/health.hpp"
#include "api/routes.hpp"
#include "auth/auth_middleware.hpp"
#include "cache/generations.hpp"
#include "cache/invalidation_listener.hpp"
#include "cache/loader.hpp"
#include "cache/memory_cache.hpp"
#include "cache/redis_cache.hpp"
#include "chat/intent_classifier.hpp"
#include "context/user_context.hpp"
#include "core/log.hpp"
#include "exercises/exercise_names.hpp"
#include "http/middleware.hpp"
#include "http/server.hpp"
#include "knowledge/knowledge_base.hpp"
#include "monitoring/families.hpp"
#include "monitoring/monitor.hpp"
#include "monitoring/process_stats.hpp"
#include "monitoring/request_metrics.hpp"
#include "rag/dense_leg.hpp"
#include "rag/evaluation.hpp"
#include "rag/namespace_selector.hpp"
#include "rag/rag_service.hpp"
#include "rag/retriever.hpp"
#include "rag/topic_embedder.hpp"
#include "rag/upstash_search.hpp"
#include "ratelimit/rate_limit_middleware.hpp"
#include "redis/async_redis.hpp"
#include "redis/redis_health.hpp"
#include "redis/script_runner.hpp"
#include "store/database_url.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace vf::app {

using nlohmann::json;

namespace {

std::unique_ptr<store::Store> OpenStore(const Config& config) {
  auto target = store::ParseDatabaseUrl(config.database_url);
  if (target.kind == store::DatabaseTarget::Kind::kPostgres) {
    throw ConfigError(
        "DATABASE_URL: PostgreSQL is not supported by this build yet; use sqlite://PATH");
  }
  return std::make_unique<store::sqlite::SqliteStore>(
      store::sqlite::SqliteStore::Options{.path = target.location});
}

api::DependencyProbe RedisProbe(const Config& config) {
  if (config.redis_url.empty()) {
    return {"redis", [] { return json{{"status", "not_configured"}}; }, false};
  }
  auto endpoint = redis::ParseRedisUrl(config.redis_url);
  return {"redis",
          [endpoint]() -> json {
            auto r = redis::Ping(endpoint, std::chrono::milliseconds(200));
            if (r.ok) return {{"status", "ok"}, {"latency_ms", r.latency_ms}};
            return {{"status", "down"}, {"error", r.error}};
          },
          false};
}

api::DependencyProbe LlmProbe(const Config& config) {
  json providers = json::array();
  if (!config.xai_api_key.empty()) providers.push_back("xai");
  if (!config.kimi_api_key.empty()) providers.push_back("kimi");
  json check = providers.empty() ? json{{"status", "offline"}, {"engine", "offline"}}
                                 : json{{"status", "configured"}, {"providers", providers}};
  return {"llm", [check] { return check; }, false};
}

// The rate limiter and everything it needs, built once from the configuration.
struct RateLimiting {
  explicit RateLimiting(const Config& config)
      : policy(config.rate_limit),
        fallback({.memory_budget_bytes = config.rate_limit.memory_budget_bytes,
                  .longest_window_us = policy.longest_window_us()}),
        addresses({.memory_budget_bytes = config.rate_limit.memory_budget_bytes / 4,
                   .longest_window_us = policy.anonymous().length_us}) {
    const auto& rl = config.rate_limit;
    if (!config.redis_url.empty()) {
      redis = std::make_unique<redis::AsyncRedis>(redis::ParseRedisUrl(config.redis_url),
                                                  rl.redis_timeout);
      shared = std::make_unique<ratelimit::SharedLimiter>(*redis);
    } else if (!config.upstash_redis_rest_url.empty()) {
      runner = std::make_unique<redis::UpstashScriptRunner>(
          config.upstash_redis_rest_url, config.upstash_redis_rest_token, rl.redis_timeout);
      shared = std::make_unique<ratelimit::SharedLimiter>(*runner);
    }
    limiter = std::make_unique<ratelimit::FailoverLimiter>(shared.get(), fallback, rl.breaker_open);
  }

  api::DependencyProbe Probe() {
    return {"rate_limit",
            [this]() -> json {
              // The probe's once-a-second tick doubles as the idle-key sweep.
              fallback.EvictIdle();
              addresses.EvictIdle();
              auto s = limiter->stats();
              std::string backend = shared ? shared->transport() : "in-process";
              return {{"status", limiter->failing_open() ? "degraded" : "ok"},
                      {"backend", backend},
                      {"failing_open", limiter->failing_open()},
                      {"shared_decisions", s.shared_decisions},
                      {"fail_open_decisions", s.fail_open_decisions},
                      {"shared_errors", s.shared_errors},
                      {"in_process_keys", fallback.stats().keys}};
            },
            false};
  }

  monitoring::RateLimitStatus Status(const Config& config) const {
    monitoring::RateLimitStatus s;
    if (!config.rate_limit.enabled) return s;
    s.backend = shared ? shared->transport() : "in-process";
    s.failing_open = limiter->failing_open();
    s.fail_open_decisions = limiter->stats().fail_open_decisions;
    return s;
  }

  ratelimit::Policy policy;
  ratelimit::LocalLimiter fallback;          // all decisions without Redis; fail-open ones with it
  ratelimit::LocalLimiter addresses;         // requests without a valid token, per client address
  std::unique_ptr<redis::AsyncRedis> redis;  // REDIS_URL: pipelined, no thread held
  std::unique_ptr<redis::ScriptRunner> runner;  // Upstash REST: blocking, on the workers
  std::unique_ptr<ratelimit::SharedLimiter> shared;
  std::unique_ptr<ratelimit::FailoverLimiter> limiter;
};

// The cache layer, chosen from configuration: in-process alone without Redis; with REDIS_URL an
// in-process tier in front of Redis, generations in Redis and the invalidation channel.
struct Caching {
  static constexpr const char* kChannel = "vf:cache:invalidate";

  Caching(const Config& config, store::Store& store, monitoring::CacheMetrics& metrics)
      : memory({.budget_bytes = config.cache.memory_budget_bytes}) {
    const auto& c = config.cache;
    if (!config.redis_url.empty()) {
      auto endpoint = redis::ParseRedisUrl(config.redis_url);
      pool = std::make_unique<redis::ConnectionPool>(endpoint, c.redis_timeout);
      redis_cache = std::make_unique<cache::RedisCache>(*pool);
      tiered = std::make_unique<cache::TieredCache>(memory, *redis_cache, c.near_ttl);
      runner = std::make_unique<redis::HiredisScriptRunner>(endpoint, c.redis_timeout);
      // A generation key outlives every value keyed by it.
      generations = std::make_unique<cache::RedisGenerations>(*pool, *runner, kChannel,
                                                              2 * c.user_context_ttl);
      listener = std::make_unique<cache::InvalidationListener>(
          endpoint, kChannel, [this](const std::string& prefix) { memory.ErasePrefix(prefix); },
          [this] { memory.Clear(); });
      listener->Start();
    } else {
      generations = std::make_unique<cache::LocalGenerations>();
    }
    cache::Cache& chosen = tiered ? static_cast<cache::Cache&>(*tiered) : memory;
    user_context_loader = std::make_unique<cache::Loader>(
        chosen, cache::KeyFamily{"user_context", "v1", c.user_context_ttl}, flight, &metrics);
    user_context =
        std::make_unique<context::UserContextService>(store, *user_context_loader, *generations);
  }

  cache::Cache& chosen() { return tiered ? static_cast<cache::Cache&>(*tiered) : memory; }

  uint64_t backend_failures() const {
    uint64_t n = 0;
    if (redis_cache) n += redis_cache->failures();
    if (auto* g = dynamic_cast<cache::RedisGenerations*>(generations.get())) n += g->failures();
    return n;
  }

  cache::MemoryCache memory;
  std::unique_ptr<redis::ConnectionPool> pool;
  std::unique_ptr<cache::RedisCache> redis_cache;
  std::unique_ptr<cache::TieredCache> tiered;
  std::unique_ptr<redis::HiredisScriptRunner> runner;
  std::unique_ptr<cache::Generations> generations;
  std::unique_ptr<cache::InvalidationListener> listener;
  cache::SingleFlight flight;
  std::unique_ptr<cache::Loader> user_context_loader;
  std::unique_ptr<context::UserContextService> user_context;
};

exercises::Catalog LoadCatalog(const Config& config) {
  try {
    auto catalog = exercises::Catalog::Load(config.exercise_catalog_path);
    log::Write(log::Level::kInfo, "exercise catalog loaded",
               {{"exercises", catalog.exercises().size()}, {"version", catalog.version()}});
    return catalog;
  } catch (const std::exception& e) {
    throw ConfigError(std::string("EXERCISE_CATALOG_PATH: ") + e.what());
  }
}

// The intent model is trained at start-up from its labelled messages: deterministic and fast.
chat::IntentClassifier TrainIntents(const Config& config) {
  try {
    auto started = std::chrono::steady_clock::now();
    auto messages = chat::LoadMessages(config.chat_intents_path);
    auto model = chat::IntentClassifier::Train(messages);
    log::Write(log::Level::kInfo, "intent model trained",
               {{"messages", messages.size()},
                {"temperature", model.temperature()},
                {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count()}});
    return model;
  } catch (const std::exception& e) {
    throw ConfigError(std::string("CHAT_INTENTS_PATH: ") + e.what());
  }
}

// The dense leg's model: in-process when EMBEDDINGS_LOCAL_DIR is set, else the endpoint of
// EMBEDDINGS_BASE_URL; null when neither is.
std::unique_ptr<rag::TextEmbedder> MakeEmbedder(const RagConfig& rag) {
  if (!rag.embeddings_local_dir.empty()) {
    return std::make_unique<rag::TopicEmbedder>(rag.embeddings_local_dir,
                                                rag.embeddings_local_model == "distilled"
                                                    ? rag::TopicEmbedder::Encoder::kDistilled
                                                    : rag::TopicEmbedder::Encoder::kFull);
  }
  if (!rag.embeddings_base_url.empty()) {
    return std::make_unique<rag::EmbeddingClient>(rag.embeddings_base_url, rag.embeddings_api_key,
                                                  rag.embeddings_model, rag.embeddings_timeout);
  }
  return nullptr;
}

// The legs beside the embedded ones, each on when configured: Upstash Search and dense retrieval
// through an embeddings endpoint. One that cannot start is left off (logged): lexical retrieval
// serves alone.
struct ExternalLegs {
  void Attach(const Config& config, const knowledge::KnowledgeBase& kb, rag::Retriever& retriever) {
    const auto& rag = config.rag;
    if (!config.upstash_search_rest_url.empty()) {
      upstash = std::make_unique<rag::UpstashSearch>(config.upstash_search_rest_url,
                                                     config.upstash_search_rest_token,
                                                     rag.upstash_index, rag.upstash_timeout);
      try {
        auto uploaded = upstash->Sync(kb);
        log::Write(log::Level::kInfo, "upstash search index in sync",
                   {{"index", rag.upstash_index}, {"uploaded", uploaded}});
      } catch (const std::exception& e) {
        // Queries still try it; the embedded legs answer whenever it cannot.
        log::Write(log::Level::kWarn, "upstash search sync failed", {{"error", e.what()}});
      }
      retriever.AddExternalLeg(upstash.get(), rag.upstash_weight, rag.leg_breaker_open);
    }
    if (rag.dense_configured()) {
      try {
        embeddings = MakeEmbedder(rag);
        dense = std::make_unique<rag::DenseLeg>(kb, *embeddings, retriever.index_dir());
        retriever.AddExternalLeg(dense.get(), rag.embeddings_weight, rag.leg_breaker_open,
                                 rag.embeddings_composed_weight);
        log::Write(log::Level::kInfo, "dense retrieval on",
                   {{"model", embeddings->model()},
                    {"in_process", !rag.embeddings_local_dir.empty()},
                    {"from_disk", dense->loaded_from_disk()}});
      } catch (const std::exception& e) {
        // Without passage vectors there is nothing to search; lexical retrieval serves alone.
        log::Write(log::Level::kWarn, "dense retrieval off: embedding the passages failed",
                   {{"error", e.what()}});
      }
    }
  }

  std::string Backend() const {
    return std::string("xapian") + (upstash ? "+upstash" : "") + (dense ? "+dense" : "");
  }

  std::unique_ptr<rag::UpstashSearch> upstash;
  std::unique_ptr<rag::TextEmbedder> embeddings;
  std::unique_ptr<rag::DenseLeg> dense;
};

// The knowledge base and retrieval over it: loaded and indexed at start-up (or the index in
// KNOWLEDGE_INDEX_DIR reused when it is current). RAG results are cached in-process only: a
// retrieval costs about as much as a Redis round trip, so sharing them would save nothing.
struct Knowledge {
  Knowledge(const Config& config, cache::Cache& memory, cache::SingleFlight& flight,
            monitoring::CacheMetrics& cache_metrics, monitoring::RagMetrics& rag_metrics)
      : kb(Load(config)), retriever(kb, config.knowledge_index_dir), selector(retriever) {
    external.Attach(config, kb, retriever);
    loader = std::make_unique<cache::Loader>(
        memory,
        cache::KeyFamily{"rag_context", rag::RagService::FamilyVersion(retriever, selector, {}),
                         config.cache.rag_context_ttl},
        flight, &cache_metrics);
    service = std::make_unique<rag::RagService>(retriever, selector, loader.get(), &rag_metrics);
    log::Write(log::Level::kInfo, "knowledge base indexed",
               {{"passages", kb.passages.size()},
                {"synonym_groups", kb.synonyms.size()},
                {"version", kb.version.substr(0, 16)},
                {"index", retriever.index_dir().string()},
                {"built", retriever.built_index()}});
  }

  static knowledge::KnowledgeBase Load(const Config& config) {
    try {
      return knowledge::LoadKnowledgeBase(config.knowledge_dir);
    } catch (const std::exception& e) {
      throw ConfigError(std::string("KNOWLEDGE_DIR: ") + e.what());
    }
  }

  api::DependencyProbe Probe() const {
    return {"search",
            [this]() -> json {
              // A leg left out after failing: the embedded index answers alone meanwhile.
              auto failing = retriever.FailingExternalLegs();
              return {{"status", failing.empty() ? "ok" : "degraded"},
                      {"backend", external.Backend()},
                      {"passages", kb.passages.size()},
                      {"kb_version", kb.version.substr(0, 16)},
                      {"external_failures", retriever.external_failures()},
                      {"external_skipped", retriever.external_skipped()},
                      {"failing_legs", failing}};
            },
            false};
  }

  knowledge::KnowledgeBase kb;
  rag::Retriever retriever;
  rag::NamespaceSelector selector;
  ExternalLegs external;
  std::unique_ptr<cache::Loader> loader;
  std::unique_ptr<rag::RagService> service;
};

// The last health snapshot's checks: the monitor reads dependency states from it instead of
// probing again.
json HealthChecks(const api::HealthService& health) {
  json body = json::parse(health.Current()->body, nullptr, false);
  return body.is_object() && body.contains("checks") ? body["checks"] : json::object();
}

// Gauges and counters read when scraped: the process, the worker pool, dependencies, the rate
// limiter's own counts.
void RegisterProcessMetrics(monitoring::Registry& registry, const api::HealthService& health,
                            const RateLimiting& rate_limiting, const WorkerPool& workers) {
  using monitoring::ReadProcessStats;
  registry.AddCallbackGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                            [] { return static_cast<double>(ReadProcessStats().resident_bytes); });
  registry.AddCallbackCounter("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.",
                              [] { return ReadProcessStats().cpu_seconds; });
  registry.AddCallbackGauge("process_open_fds", "Number of open file descriptors.",
                            [] { return static_cast<double>(ReadProcessStats().open_fds); });
  double start = ReadProcessStats().start_time_s;
  registry.AddCallbackGauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds.",
                            [start] { return start; });
  registry.AddCallbackGauge("voicefit_worker_queue_depth", "Blocking jobs waiting for a worker.",
                            [&workers] { return static_cast<double>(workers.queued()); });
  registry.AddCallbackCounter("voicefit_worker_queue_refused_total",
                              "Requests answered 503 because the worker queue was full.",
                              [&workers] { return static_cast<double>(workers.refused()); });
  auto& up = registry.AddCallbackGaugeFamily(
      "voicefit_dependency_up",
      "1 when the dependency's last health check passed, else 0; unconfigured ones are left out.",
      {"dependency"});
  json checks_now = HealthChecks(health);  // items() refers into it: keep it alive
  for (const auto& [name, check] : checks_now.items()) {
    if (check.value("status", "") == "not_configured") continue;
    up.With({name}).read = [&health, dependency = name] {
      json checks = HealthChecks(health);
      return checks.contains(dependency) && checks[dependency].value("status", "down") != "down"
                 ? 1.0
                 : 0.0;
    };
  }
  registry.AddCallbackCounter(
      "voicefit_rate_limit_fail_open_total",
      "Rate-limit decisions made in-process because Redis failed or was skipped.",
      [&rate_limiting] {
        return static_cast<double>(rate_limiting.limiter->stats().fail_open_decisions);
      });
  registry.AddCallbackCounter(
      "voicefit_rate_limit_shared_errors_total", "Redis rate-limit calls that failed or timed out.",
      [&rate_limiting] {
        return static_cast<double>(rate_limiting.limiter->stats().shared_errors);
      });
  registry.AddCallbackGauge(
      "voicefit_rate_limit_failing_open",
      "1 while rate limits are decided in-process because Redis failed.",
      [&rate_limiting] { return rate_limiting.limiter->failing_open() ? 1.0 : 0.0; });
}

}  // namespace

int Serve(const Config& config) {
  log::SetLevel(log::ParseLevel(config.log_level));
  json settings = json::object();
  for (const auto& [k, v] : DescribeConfig(config)) settings[k] = v;
  log::Write(log::Level::kInfo, "starting", {{"version", kVersion}, {"settings", settings}});

  auto store = OpenStore(config);
  // Parses REDIS_URL: a bad URL stops start-up here, naming the setting.
  auto redis_probe = RedisProbe(config);
  if (config.redis_url.empty()) log::Info("REDIS_URL unset: rate limits and caches are in-process");

  auth::JwtVerifier verifier({.hs256_secret = config.auth.jwt_secret,
                              .audience = config.auth.audience,
                              .leeway_s = config.auth.leeway.count()});
  std::unique_ptr<auth::JwksSource> jwks;
  if (!config.auth.jwks_path.empty() || !config.auth.supabase_url.empty()) {
    jwks = std::make_unique<auth::JwksSource>(config.auth.jwks_path, config.auth.supabase_url,
                                              config.auth.jwks_refresh, verifier);
    jwks->LoadNow();
    if (config.auth.jwks_path.empty()) jwks->StartRefresh();
  }
  if (config.auth.jwt_secret.empty() && !jwks) {
    log::Warn(
        "no SUPABASE_JWT_SECRET, SUPABASE_URL or SUPABASE_JWKS_PATH: every authenticated route "
        "will answer 401");
  }

  RateLimiting rate_limiting(config);
  ratelimit::ClientAddressResolver address_resolver(config.rate_limit.trusted_proxies);

  api::HealthService health(kVersion, std::chrono::milliseconds(1000));
  health.AddProbe(api::StoreProbe(*store));
  health.AddProbe(std::move(redis_probe));
  health.AddProbe(LlmProbe(config));
  if (config.rate_limit.enabled) health.AddProbe(rate_limiting.Probe());

  monitoring::Registry registry;
  monitoring::RateLimitMetrics rate_limit_metrics(registry);
  monitoring::CacheMetrics cache_metrics(registry);
  monitoring::RagMetrics rag_metrics(registry);
  monitoring::ModelMetrics model_metrics(registry);
  api::MonitoringHandles monitoring_handles;
  Caching caching(config, *store, cache_metrics);
  registry.AddCallbackCounter(
      "voicefit_cache_backend_errors_total",
      "Cache operations on Redis that failed or timed out (served as "
      "misses).",
      [&caching] { return static_cast<double>(caching.backend_failures()); });

  exercises::Catalog catalog = LoadCatalog(config);
  exercises::Matcher matcher(catalog);
  exercises::ExerciseNames exercise_names(catalog, matcher, caching.chosen(),
                                          config.cache.exercise_match_ttl,
                                          config.cache.exercise_miss_ttl, &cache_metrics);

  chat::IntentClassifier intents = TrainIntents(config);
  Knowledge knowledge(config, caching.memory, caching.flight, cache_metrics, rag_metrics);
  health.AddProbe(knowledge.Probe());
  health.Start();

  http::Router router;
  api::AddAllRoutes(router, {.store = *store,
                             .health = health,
                             .version = kVersion,
                             .monitoring = &monitoring_handles,
                             .web_dir = config.monitoring.web_dir,
                             .user_data_changed =
                                 [&caching](const std::string& user_id) {
                                   caching.user_context->Invalidate(user_id);
                                 },
                             .user_context = caching.user_context.get(),
                             .exercise_names = &exercise_names,
                             .intents = &intents,
                             .unsure_below = static_cast<double>(config.chat_unsure_percent) / 100,
                             .rag = knowledge.service.get()});
  // Made after the route table is complete: one series per route.
  monitoring::RequestMetrics request_metrics(registry, router);
  WorkerPool workers(config.server.worker_threads, config.server.worker_queue);
  RegisterProcessMetrics(registry, health, rate_limiting, workers);

  monitoring::MonitorSources sources{
      .health_checks = [&health] { return HealthChecks(health); },
      .rate_limit = [&rate_limiting, &config] { return rate_limiting.Status(config); },
      .queue =
          [&workers] {
            return monitoring::QueueStatus{workers.queued(), workers.capacity(), workers.refused()};
          }};
  const auto& mc = config.monitoring;
  monitoring::Monitor monitor(
      {request_metrics, rate_limit_metrics, cache_metrics, rag_metrics, model_metrics},
      std::move(sources),
      {.sample_every = mc.sample_interval,
       .evaluate_every = mc.alert_interval,
       .thresholds = {.error_ratio = static_cast<double>(mc.error_rate_percent) / 100,
                      .p95_ms = static_cast<double>(mc.p95_ms),
                      .cache_hit_rate = static_cast<double>(mc.cache_hit_rate_percent) / 100,
                      .cache_warmup_s = static_cast<double>(mc.cache_warmup.count()),
                      .model_errors = static_cast<uint64_t>(mc.model_errors),
                      .queue_saturation = static_cast<double>(mc.queue_saturation_percent) / 100},
       .webhook_url = mc.webhook_url,
       .version = kVersion});
  monitoring_handles = {.registry = &registry, .monitor = &monitor};
  monitor.Start();

  // The chain's order and the reasons for it are in http/middleware.hpp.
  http::Pipeline pipeline;
  pipeline.Add(std::make_unique<http::RequestIdMiddleware>());
  if (config.server.access_log) pipeline.Add(std::make_unique<http::AccessLogMiddleware>());
  if (mc.metrics) pipeline.Add(std::make_unique<monitoring::MetricsMiddleware>(request_metrics));
  if (config.rate_limit.enabled) {
    pipeline.Add(std::make_unique<ratelimit::AddressLimitMiddleware>(
        rate_limiting.policy, rate_limiting.addresses, std::move(address_resolver),
        &rate_limit_metrics));
  }
  pipeline.Add(std::make_unique<auth::AuthMiddleware>(verifier, jwks.get()));
  if (config.rate_limit.enabled) {
    pipeline.Add(std::make_unique<ratelimit::RateLimitMiddleware>(
        rate_limiting.policy, *rate_limiting.limiter, config.rate_limit.decision_header,
        &rate_limit_metrics));
  } else {
    log::Warn("ENABLE_RATE_LIMITING=false: requests are not rate limited");
  }

  http::Server server(config.server, router, pipeline, workers);
  uint16_t port = server.Listen();
  log::Write(log::Level::kInfo, "listening",
             {{"host", config.server.host},
              {"port", port},
              {"io_threads", config.server.io_threads},
              {"worker_threads", config.server.worker_threads}});
  log::Flush();
  server.Run();
  workers.Stop();
  monitor.Stop();
  if (caching.listener) caching.listener->Stop();
  health.Stop();
  log::Info("stopped");
  log::Flush();
  return 0;
}

int Migrate(const Config& config) {
  auto target = store::ParseDatabaseUrl(config.database_url);
  if (target.kind == store::DatabaseTarget::Kind::kPostgres) {
    throw ConfigError(
        "DATABASE_URL: PostgreSQL is not supported by this build yet; use sqlite://PATH");
  }
  store::sqlite::SqliteStore store({.path = target.location});
  std::cout << "applied " << store.migrations_applied() << " migration(s) to " << target.location
            << "; schema at version " << store::sqlite::Migrations().back().version << "\n";
  return 0;
}

}  // namespace vf::app

namespace vf::app {

int EmbedTexts(const Config& config, std::istream& in, std::ostream& out) {
  auto embedder = MakeEmbedder(config.rag);
  if (!embedder) {
    std::cerr << "embed: set EMBEDDINGS_LOCAL_DIR or EMBEDDINGS_BASE_URL\n";
    return 64;
  }
  auto texts = json::parse(in, nullptr, false);
  if (!texts.is_array() ||
      !std::all_of(texts.begin(), texts.end(), [](const json& t) { return t.is_string(); })) {
    std::cerr << "embed: standard input must be a JSON array of strings\n";
    return 65;  // EX_DATAERR
  }
  out << json(embedder->Embed(texts.get<std::vector<std::string>>())).dump() << "\n";
  return 0;
}

int BuildKnowledgeIndex(const Config& config) {
  if (config.knowledge_index_dir.empty()) {
    throw ConfigError("KNOWLEDGE_INDEX_DIR: must name the folder to build the index in");
  }
  auto kb = Knowledge::Load(config);
  auto started = std::chrono::steady_clock::now();
  bool built = false;
  auto folder = rag::Retriever::PrepareIndex(kb, config.knowledge_index_dir, &built);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  std::cout << (built ? "indexed " : "already indexed ") << kb.passages.size()
            << " passages (knowledge base " << kb.version.substr(0, 16) << ") in "
            << folder.string() << " in " << ms.count() << " ms\n";
  if (auto pruned = rag::Retriever::PruneIndexFolders(config.knowledge_index_dir, folder)) {
    std::cout << "removed " << pruned << " unused index folder(s) of other versions\n";
  }
  return 0;
}

int EvaluateRetrieval(const Config& config, const std::vector<std::string>& args) {
  auto split = rag::Split::kTest;
  bool misses = false, tune = false, pools = false, baseline = false;
  std::string second_judge;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--split" && i + 1 < args.size()) {
      auto named = rag::SplitNamed(args[++i]);
      if (!named) {
        std::cerr << "unknown split: " << args[i]
                  << " (train, test, fresh, final, holdout, audit, pooled or all)\n";
        return 64;
      }
      split = *named;
    } else if (args[i] == "--misses") {
      misses = true;
    } else if (args[i] == "--tune") {
      tune = true;
    } else if (args[i] == "--pools") {
      pools = true;
    } else if (args[i] == "--baseline") {
      baseline = true;
    } else if (args[i] == "--second-judge" && i + 1 < args.size()) {
      second_judge = args[++i];
    } else {
      std::cerr << "unknown argument: " << args[i] << "\n";
      return 64;
    }
  }
  const bool dense_configured = config.rag.dense_configured();
  if (baseline && (dense_configured || !config.upstash_search_rest_url.empty())) {
    std::cerr << "--baseline holds the embedded legs' figures: unset EMBEDDINGS_BASE_URL, "
                 "EMBEDDINGS_LOCAL_DIR and UPSTASH_SEARCH_REST_URL\n";
    return 64;
  }
  log::WriteToStandardError();
  auto kb = Knowledge::Load(config);
  rag::Retriever retriever(kb, config.knowledge_index_dir);
  // The legs the server would fuse, so a configured embeddings endpoint is measured too.
  ExternalLegs external;
  external.Attach(config, kb, retriever);
  if (dense_configured && !external.dense) {
    std::cerr << "EMBEDDINGS_BASE_URL or EMBEDDINGS_LOCAL_DIR is set but the passages could not "
                 "be embedded\n";
    return 1;
  }
  rag::NamespaceSelector selector(retriever);
  rag::RagService service(retriever, selector);
  auto set = rag::LoadEvalSet(config.knowledge_dir);
  if (pools) {
    std::cout << rag::JudgingPools(retriever, selector, service, set, 10);
    return 0;
  }
  if (baseline) {  // the figures the regression gates hold later runs to
    json out;
    for (auto [name, which] : {std::pair{"train", rag::Split::kTrain},
                               {"test", rag::Split::kTest},
                               {"fresh", rag::Split::kFresh},
                               {"final", rag::Split::kFinal},
                               {"holdout", rag::Split::kHoldout},
                               {"audit", rag::Split::kAudit}}) {
      out[name] = rag::Evaluate(service, rag::SplitOf(set, which)).Summary();
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (!second_judge.empty()) {  // the split's queries the file grades, judged both ways
    auto second = rag::LoadQrels(second_judge);
    std::vector<rag::EvalQuery> regraded;
    std::vector<const rag::EvalQuery*> judged;
    for (const auto* q : rag::SplitOf(set, split)) {
      auto it = second.find(q->qid);
      if (it == second.end()) continue;
      judged.push_back(q);
      regraded.push_back(*q);
      regraded.back().grades = it->second;
    }
    if (judged.size() != second.size()) {
      std::cerr << second_judge << " grades " << second.size() << " queries, " << judged.size()
                << " of them in this split\n";
      return 64;
    }
    std::vector<const rag::EvalQuery*> regraded_queries;
    for (const auto& q : regraded) regraded_queries.push_back(&q);
    json out;
    out["agreement"] = rag::CompareJudges(judged, second).Summary();
    out["retrieval_by_the_set"] = rag::Evaluate(service, judged).Summary();
    out["retrieval_by_the_second_judge"] = rag::Evaluate(service, regraded_queries).Summary();
    out["retrieval_by_the_set"]["backend"] = external.Backend();
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (tune) {
    auto train = rag::SplitOf(set, rag::Split::kTrain);
    auto tuned = rag::Tune(retriever, selector, service, train, std::cout);
    std::cout << "tuned on " << train.size() << " training queries: retrieval "
              << tuned.retrieval.Fingerprint() << "\n";
  }
  auto queries = rag::SplitOf(set, split);
  auto report = rag::Evaluate(service, queries);
  auto summary = report.Summary();
  summary["backend"] = external.Backend();
  std::cout << summary.dump(2) << "\n";
  if (misses) std::cout << report.Misses();
  // A search that went on without a configured leg (it failed, or was left out after failing)
  // scored something other than what `backend` names.
  if (auto without = retriever.external_failures() + retriever.external_skipped()) {
    std::cerr << "rag-eval: " << without
              << " searches went without a configured leg (it failed or was left out): these "
                 "figures are not the configured legs'\n";
    return 1;
  }
  return 0;
}

}  // namespace vf::app
