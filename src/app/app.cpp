#include "app/app.hpp"

#include <iostream>

#include "api/health.hpp"
#include "api/routes.hpp"
#include "auth/auth_middleware.hpp"
#include "core/log.hpp"
#include "http/middleware.hpp"
#include "http/server.hpp"
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

  ratelimit::Policy policy;
  ratelimit::LocalLimiter fallback;          // all decisions without Redis; fail-open ones with it
  ratelimit::LocalLimiter addresses;         // requests without a valid token, per client address
  std::unique_ptr<redis::AsyncRedis> redis;  // REDIS_URL: pipelined, no thread held
  std::unique_ptr<redis::ScriptRunner> runner;  // Upstash REST: blocking, on the workers
  std::unique_ptr<ratelimit::SharedLimiter> shared;
  std::unique_ptr<ratelimit::FailoverLimiter> limiter;
};

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
  health.AddProbe({"search", [] { return json{{"status", "not_configured"}}; }, false});
  health.AddProbe(LlmProbe(config));
  if (config.rate_limit.enabled) health.AddProbe(rate_limiting.Probe());
  health.Start();

  http::Router router;
  api::AddAllRoutes(router, {.store = *store, .health = health, .version = kVersion});

  // The chain's order and the reasons for it are in http/middleware.hpp.
  http::Pipeline pipeline;
  pipeline.Add(std::make_unique<http::RequestIdMiddleware>());
  if (config.server.access_log) pipeline.Add(std::make_unique<http::AccessLogMiddleware>());
  if (config.rate_limit.enabled) {
    pipeline.Add(std::make_unique<ratelimit::AddressLimitMiddleware>(
        rate_limiting.policy, rate_limiting.addresses, std::move(address_resolver)));
  }
  pipeline.Add(std::make_unique<auth::AuthMiddleware>(verifier, jwks.get()));
  if (config.rate_limit.enabled) {
    pipeline.Add(std::make_unique<ratelimit::RateLimitMiddleware>(
        rate_limiting.policy, *rate_limiting.limiter, config.rate_limit.decision_header));
  } else {
    log::Warn("ENABLE_RATE_LIMITING=false: requests are not rate limited");
  }

  http::WorkerPool workers(config.server.worker_threads, config.server.worker_queue);
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
