#include "core/config.hpp"
#include <cmath>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "core/worker_pool.hpp"

namespace vf {
namespace {

bool IsSecret(const std::string& name) {
  return name.find("SECRET") != std::string::npos || name.find("TOKEN") != std::string::npos ||
         name.find("KEY") != std::string::npos;
}

class Reader {
 public:
  Reader(const SettingLookup& env, std::map<std::string, std::string> file)
      : env_(env), file_(std::move(file)) {}

  std::optional<std::string> Raw(const std::string& name) const {
    if (auto v = env_(name)) return v;
    if (auto it = file_.find(name); it != file_.end()) return it->second;
    return std::nullopt;
  }

  void String(const std::string& name, std::string& out) const {
    if (auto v = Raw(name)) out = *v;
  }

  template <class Int>
  void Integer(const std::string& name, Int& out, long long min, long long max) const {
    auto v = Raw(name);
    if (!v) return;
    long long parsed = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc{} || ptr != v->data() + v->size() || v->empty()) {
      throw ConfigError(name + ": expected an integer, got '" + Shown(name, *v) + "'");
    }
    if (parsed < min || parsed > max) {
      throw ConfigError(name + ": " + std::to_string(parsed) + " is outside " +
                        std::to_string(min) + ".." + std::to_string(max));
    }
    out = static_cast<Int>(parsed);
  }

  void Millis(const std::string& name, std::chrono::milliseconds& out, long long min,
              long long max) const {
    long long ms = out.count();
    Integer(name, ms, min, max);
    out = std::chrono::milliseconds(ms);
  }

  void Seconds(const std::string& name, std::chrono::seconds& out, long long min,
               long long max) const {
    long long s = out.count();
    Integer(name, s, min, max);
    out = std::chrono::seconds(s);
  }

  void Bool(const std::string& name, bool& out) const {
    auto v = Raw(name);
    if (!v) return;
    static const std::set<std::string> kTrue{"1", "true", "yes", "on"};
    static const std::set<std::string> kFalse{"0", "false", "no", "off"};
    std::string lower;
    for (char c : *v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (kTrue.count(lower)) {
      out = true;
    } else if (kFalse.count(lower)) {
      out = false;
    } else {
      throw ConfigError(name + ": expected true or false, got '" + *v + "'");
    }
  }

  void OneOf(const std::string& name, std::string& out,
             const std::set<std::string>& allowed) const {
    auto v = Raw(name);
    if (!v) return;
    if (!allowed.count(*v)) throw ConfigError(name + ": '" + *v + "' is not an allowed value");
    out = *v;
  }

 private:
  static std::string Shown(const std::string& name, const std::string& value) {
    return IsSecret(name) ? "(hidden)" : value;
  }
  const SettingLookup& env_;
  std::map<std::string, std::string> file_;
};

std::map<std::string, std::string> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("VOICEFIT_CONFIG: cannot open '" + path + "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("VOICEFIT_CONFIG: '" + path + "' is not valid JSON");
  }
  if (!doc.is_object()) throw ConfigError("VOICEFIT_CONFIG: the file must hold a JSON object");
  std::set<std::string> known;
  for (const auto& [name, help] : Config::Settings()) known.insert(name);
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : doc.items()) {
    if (!known.count(key)) throw ConfigError(key + ": unknown setting in " + path);
    if (value.is_string()) {
      out[key] = value.get<std::string>();
    } else if (value.is_boolean() || value.is_number_integer()) {
      out[key] = value.dump();
    } else {
      throw ConfigError(key + ": expected a string, integer or boolean in " + path);
    }
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return out;
}

void ReadMonitoring(const Reader& r, MonitoringConfig& m) {
  r.Bool("ENABLE_METRICS", m.metrics);
  r.Seconds("METRICS_SAMPLE_INTERVAL_S", m.sample_interval, 1, 60);
  r.Seconds("ALERT_EVAL_INTERVAL_S", m.alert_interval, 1, 3600);
  r.String("ALERT_WEBHOOK_URL", m.webhook_url);
  if (!m.webhook_url.empty() && m.webhook_url.rfind("http://", 0) != 0 &&
      m.webhook_url.rfind("https://", 0) != 0) {
    throw ConfigError("ALERT_WEBHOOK_URL: must start with http:// or https://");
  }
  r.Integer("ALERT_ERROR_RATE_PERCENT", m.error_rate_percent, 0, 100);
  r.Integer("ALERT_P95_MS", m.p95_ms, 1, 600'000);
  r.Integer("ALERT_CACHE_HIT_RATE_PERCENT", m.cache_hit_rate_percent, 0, 100);
  r.Seconds("ALERT_CACHE_WARMUP_S", m.cache_warmup, 0, 86400);
  r.Integer("ALERT_MODEL_ERRORS", m.model_errors, 1, 1'000'000);
  r.Integer("ALERT_QUEUE_SATURATION_PERCENT", m.queue_saturation_percent, 1, 100);
#ifdef VOICEFIT_DEFAULT_WEB_DIR
  m.web_dir = VOICEFIT_DEFAULT_WEB_DIR;
#endif
  r.String("WEB_DIR", m.web_dir);
}

void ReadCache(const Reader& r, CacheConfig& c) {
  std::size_t mb = c.memory_budget_bytes >> 20;
  r.Integer("CACHE_MEMORY_MB", mb, 1, 64 * 1024);
  c.memory_budget_bytes = mb << 20;
  r.Millis("CACHE_REDIS_TIMEOUT_MS", c.redis_timeout, 1, 10'000);
  r.Seconds("CACHE_NEAR_TTL_S", c.near_ttl, 1, 86400);
  constexpr long long kYear = 365LL * 86400;
  r.Seconds("CACHE_USER_CONTEXT_TTL_S", c.user_context_ttl, 1, kYear);
  r.Seconds("CACHE_RAG_CONTEXT_TTL_S", c.rag_context_ttl, 1, kYear);
  r.Seconds("CACHE_AI_RESPONSE_TTL_S", c.ai_response_ttl, 1, kYear);
  r.Seconds("CACHE_EXERCISE_MATCH_TTL_S", c.exercise_match_ttl, 1, kYear);
  r.Seconds("CACHE_EXERCISE_MISS_TTL_S", c.exercise_miss_ttl, 1, kYear);
}

// A weight given in percent, as a fraction.
void Percent(const Reader& r, const std::string& name, double& out, long long max) {
  int64_t percent = static_cast<int64_t>(std::lround(out * 100));
  r.Integer(name, percent, 0, max);
  out = static_cast<double>(percent) / 100;
}

void ReadRag(const Reader& r, RagConfig& g) {
  r.String("UPSTASH_SEARCH_INDEX", g.upstash_index);
  if (g.upstash_index.empty()) throw ConfigError("UPSTASH_SEARCH_INDEX: must not be empty");
  r.Millis("UPSTASH_SEARCH_TIMEOUT_MS", g.upstash_timeout, 10, 60000);
  Percent(r, "UPSTASH_SEARCH_WEIGHT_PERCENT", g.upstash_weight, 1000);
  r.Millis("RAG_LEG_BREAKER_OPEN_MS", g.leg_breaker_open, 10, 600000);
  r.String("EMBEDDINGS_BASE_URL", g.embeddings_base_url);
  r.String("EMBEDDINGS_API_KEY", g.embeddings_api_key);
  r.String("EMBEDDINGS_MODEL", g.embeddings_model);
  if (g.embeddings_model.empty()) throw ConfigError("EMBEDDINGS_MODEL: must not be empty");
  r.Millis("EMBEDDINGS_TIMEOUT_MS", g.embeddings_timeout, 10, 120000);
  r.String("EMBEDDINGS_LOCAL_DIR", g.embeddings_local_dir);
  r.OneOf("EMBEDDINGS_LOCAL_MODEL", g.embeddings_local_model, {"encoder", "distilled"});
  if (!g.embeddings_local_dir.empty() && !g.embeddings_base_url.empty()) {
    throw ConfigError("EMBEDDINGS_LOCAL_DIR and EMBEDDINGS_BASE_URL: set one, not both");
  }
  // The in-process model's weight was decided on the evaluation set (docs/RETRIEVAL.md, step 19).
  if (!g.embeddings_local_dir.empty()) g.embeddings_weight = 0.25;
  Percent(r, "EMBEDDINGS_WEIGHT_PERCENT", g.embeddings_weight, 1000);
  // One vector of a route's composed query hurt those queries (docs/RETRIEVAL.md, step 21).
  g.embeddings_composed_weight = g.embeddings_local_dir.empty() ? g.embeddings_weight : 0.0;
  Percent(r, "EMBEDDINGS_COMPOSED_WEIGHT_PERCENT", g.embeddings_composed_weight, 1000);
}

void ReadRateLimit(const Reader& r, RateLimitConfig& rl) {
  constexpr long long kMaxQuota = 1'000'000;
  r.Bool("ENABLE_RATE_LIMITING", rl.enabled);
  r.Integer("RATE_LIMIT_FREE_GENERAL", rl.free_general, 1, kMaxQuota);
  r.Integer("RATE_LIMIT_FREE_AI", rl.free_ai, 1, kMaxQuota);
  r.Integer("RATE_LIMIT_PREMIUM_GENERAL", rl.premium_general, 1, kMaxQuota);
  r.Integer("RATE_LIMIT_PREMIUM_AI", rl.premium_ai, 1, kMaxQuota);
  r.Seconds("RATE_LIMIT_GENERAL_WINDOW_S", rl.general_window, 1, 7 * 86400);
  r.Seconds("RATE_LIMIT_AI_WINDOW_S", rl.ai_window, 1, 7 * 86400);
  r.Integer("RATE_LIMIT_ANONYMOUS", rl.anonymous, 1, kMaxQuota);
  r.Seconds("RATE_LIMIT_ANONYMOUS_WINDOW_S", rl.anonymous_window, 1, 86400);
  if (auto v = r.Raw("TRUSTED_PROXIES")) rl.trusted_proxies = SplitList(*v);
  r.Millis("RATE_LIMIT_REDIS_TIMEOUT_MS", rl.redis_timeout, 1, 10'000);
  r.Millis("RATE_LIMIT_BREAKER_OPEN_MS", rl.breaker_open, 10, 60'000);
  std::size_t mb = rl.memory_budget_bytes >> 20;
  r.Integer("RATE_LIMIT_MEMORY_MB", mb, 1, 64 * 1024);
  rl.memory_budget_bytes = mb << 20;
  r.Bool("RATE_LIMIT_DECISION_HEADER", rl.decision_header);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& Config::Settings() {
  static const std::vector<std::pair<std::string, std::string>> kSettings{
      {"HOST", "address to listen on (0.0.0.0)"},
      {"PORT", "TCP port (8080; 0 picks a free one)"},
      {"DATABASE_URL", "sqlite://PATH or a plain path (./var/voicefit.db); postgres:// later"},
      {"REDIS_URL", "redis://[:password@]host:port[/db]; unset: in-process only"},
      {"ENABLE_RATE_LIMITING", "true/false (true)"},
      {"RATE_LIMIT_FREE_GENERAL", "free tier: general requests per general window (60)"},
      {"RATE_LIMIT_FREE_AI", "free tier: AI requests per AI window (10)"},
      {"RATE_LIMIT_PREMIUM_GENERAL", "premium tier: general requests per general window (300)"},
      {"RATE_LIMIT_PREMIUM_AI", "premium tier: AI requests per AI window (50)"},
      {"RATE_LIMIT_GENERAL_WINDOW_S", "length of the general sliding window in seconds (3600)"},
      {"RATE_LIMIT_AI_WINDOW_S", "length of the AI sliding window in seconds (60)"},
      {"RATE_LIMIT_ANONYMOUS", "requests without a valid token per address and window (120)"},
      {"RATE_LIMIT_ANONYMOUS_WINDOW_S", "window of the per-address limit in seconds (60)"},
      {"TRUSTED_PROXIES", "comma-separated CIDRs whose X-Forwarded-For is trusted (none)"},
      {"RATE_LIMIT_REDIS_TIMEOUT_MS", "Redis decision timeout; slower fails open (50)"},
      {"RATE_LIMIT_BREAKER_OPEN_MS", "time Redis is skipped after a failure (1000)"},
      {"RATE_LIMIT_MEMORY_MB", "memory budget of the in-process limiter (64)"},
      {"RATE_LIMIT_DECISION_HEADER", "add VoiceFit-RateLimit-Clock to responses (false)"},
      {"ENABLE_METRICS", "record request metrics: true/false (true)"},
      {"METRICS_SAMPLE_INTERVAL_S", "step of the 5-minute window and dashboard series (5)"},
      {"ALERT_EVAL_INTERVAL_S", "how often alert rules run, in seconds (5)"},
      {"ALERT_WEBHOOK_URL", "receives a JSON POST when an alert fires or clears (unset)"},
      {"ALERT_ERROR_RATE_PERCENT", "5xx share over 5 minutes that fires error_rate_high (2)"},
      {"ALERT_P95_MS", "p95 latency over 5 minutes that fires latency_p95_high (1000)"},
      {"ALERT_CACHE_HIT_RATE_PERCENT", "hit rate under which cache_hit_rate_low fires (50)"},
      {"ALERT_CACHE_WARMUP_S", "no cache hit-rate alert before this uptime (300)"},
      {"ALERT_MODEL_ERRORS", "model-call errors over 5 minutes that fire an alert (5)"},
      {"ALERT_QUEUE_SATURATION_PERCENT", "worker queue fill that fires an alert (80)"},
      {"WEB_DIR", "folder of the dashboard and docs pages (the source tree's web/)"},
      {"EXERCISE_CATALOG_PATH", "the exercise catalog (the source tree's data/exercises.json)"},
      {"CHAT_INTENTS_PATH", "labelled chat messages the intent model trains on (data/)"},
      {"CHAT_UNSURE_BELOW_PERCENT", "classify answers unsure under this confidence (50)"},
      {"KNOWLEDGE_DIR",
       "the knowledge base's passages and lexicons (the source tree's knowledge/)"},
      {"KNOWLEDGE_INDEX_DIR", "where the search index lives; reused when current (a temp folder)"},
      {"UPSTASH_SEARCH_INDEX", "the Upstash Search index mirroring the knowledge base"},
      {"UPSTASH_SEARCH_TIMEOUT_MS", "Upstash Search calls slower than this are skipped (1000)"},
      {"UPSTASH_SEARCH_WEIGHT_PERCENT", "weight of Upstash's ranking in the fusion (100)"},
      {"RAG_LEG_BREAKER_OPEN_MS",
       "an optional search leg that failed is left out this long, then one search tries it "
       "(10000)"},
      {"EMBEDDINGS_BASE_URL", "OpenAI-compatible API base for dense retrieval (unset: off)"},
      {"EMBEDDINGS_API_KEY", "bearer key of the embeddings endpoint"},
      {"EMBEDDINGS_LOCAL_DIR",
       "tools/embeddings-server, to compute its knowledge-topic embeddings in-process (unset: "
       "off)"},
      {"EMBEDDINGS_LOCAL_MODEL",
       "the in-process model: distilled (a one-layer student of the sentence encoder, a sixth "
       "of its cost) or encoder (the sentence encoder itself) (distilled)"},
      {"EMBEDDINGS_MODEL", "embedding model name (text-embedding-3-small)"},
      {"EMBEDDINGS_TIMEOUT_MS", "embedding calls slower than this are skipped (5000)"},
      {"EMBEDDINGS_WEIGHT_PERCENT",
       "weight of the dense ranking in the fusion (100; 25 with EMBEDDINGS_LOCAL_DIR)"},
      {"EMBEDDINGS_COMPOSED_WEIGHT_PERCENT",
       "its weight for a route's query joined from several phrases (EMBEDDINGS_WEIGHT_PERCENT; "
       "0 with EMBEDDINGS_LOCAL_DIR)"},
      {"CACHE_MEMORY_MB", "budget of the in-process cache (64)"},
      {"CACHE_REDIS_TIMEOUT_MS", "Redis cache operations slower than this are misses (50)"},
      {"CACHE_NEAR_TTL_S", "longest life of an in-process copy of a Redis entry (300)"},
      {"CACHE_USER_CONTEXT_TTL_S", "user context (3600)"},
      {"CACHE_RAG_CONTEXT_TTL_S", "retrieved knowledge-base context (3600)"},
      {"CACHE_AI_RESPONSE_TTL_S", "answers to general questions (86400)"},
      {"CACHE_EXERCISE_MATCH_TTL_S", "exercise-name matches (604800)"},
      {"CACHE_EXERCISE_MISS_TTL_S", "exercise names that matched nothing (3600)"},
      {"SUPABASE_JWT_SECRET", "HS256 secret of Supabase access tokens"},
      {"SUPABASE_URL", "project URL; its JWKS verifies ES256/RS256 tokens"},
      {"SUPABASE_JWKS_PATH", "a JWKS file to use instead of fetching one"},
      {"SUPABASE_SERVICE_KEY", "service-role key (admin tooling)"},
      {"JWT_AUDIENCE", "required aud claim (authenticated)"},
      {"JWT_LEEWAY_S", "clock leeway for exp/nbf/iat in seconds (30)"},
      {"JWKS_REFRESH_S", "JWKS refresh period in seconds (600)"},
      {"UPSTASH_REDIS_REST_URL", "Upstash Redis REST endpoint"},
      {"UPSTASH_REDIS_REST_TOKEN", "Upstash Redis REST token"},
      {"UPSTASH_SEARCH_REST_URL", "Upstash Search REST endpoint"},
      {"UPSTASH_SEARCH_REST_TOKEN", "Upstash Search REST token"},
      {"XAI_API_KEY", "xAI API key"},
      {"KIMI_API_KEY", "Kimi (Moonshot) API key"},
      {"IO_THREADS", "network threads (0: one per core)"},
      {"WORKER_THREADS", "threads for blocking work (one per core, at least 2)"},
      {"WORKER_QUEUE", "queued blocking jobs before 503 (1024)"},
      {"MAX_CONNECTIONS", "open connections cap (10000)"},
      {"HEADER_LIMIT_BYTES", "request header limit; over it: 431 (16384)"},
      {"BODY_LIMIT_BYTES", "default request body limit; over it: 413 (262144)"},
      {"HEADER_TIMEOUT_MS", "time to receive a request's headers (10000)"},
      {"IDLE_TIMEOUT_MS", "keep-alive idle time before closing (60000)"},
      {"BODY_TIMEOUT_MS", "time to receive a request body (30000)"},
      {"WRITE_TIMEOUT_MS", "time to send a response (30000)"},
      {"SHUTDOWN_GRACE_MS", "time in-flight requests get on SIGTERM (10000)"},
      {"ACCESS_LOG", "JSON access log on stdout: true/false (true)"},
      {"LOG_LEVEL", "debug, info, warn or error (info)"},
      {"VOICEFIT_CONFIG", "optional JSON file of these settings; the environment wins"},
  };
  return kSettings;
}

SettingLookup EnvironmentLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Config LoadConfig(const SettingLookup& lookup) {
  std::map<std::string, std::string> file;
  if (auto path = lookup("VOICEFIT_CONFIG"); path && !path->empty()) file = ReadConfigFile(*path);
  Reader r(lookup, std::move(file));
  Config c;
  auto& s = c.server;
  r.String("HOST", s.host);
  if (s.host.empty()) throw ConfigError("HOST: must not be empty");
  r.Integer("PORT", s.port, 0, 65535);
  r.String("DATABASE_URL", c.database_url);
  if (c.database_url.empty()) throw ConfigError("DATABASE_URL: must not be empty");
  r.String("REDIS_URL", c.redis_url);
  ReadRateLimit(r, c.rate_limit);
  ReadMonitoring(r, c.monitoring);
  ReadCache(r, c.cache);
#ifdef VOICEFIT_DEFAULT_CATALOG
  c.exercise_catalog_path = VOICEFIT_DEFAULT_CATALOG;
#endif
  r.String("EXERCISE_CATALOG_PATH", c.exercise_catalog_path);
#ifdef VOICEFIT_DEFAULT_INTENTS
  c.chat_intents_path = VOICEFIT_DEFAULT_INTENTS;
#endif
  r.String("CHAT_INTENTS_PATH", c.chat_intents_path);
  r.Integer("CHAT_UNSURE_BELOW_PERCENT", c.chat_unsure_percent, 0, 100);
#ifdef VOICEFIT_DEFAULT_KNOWLEDGE
  c.knowledge_dir = VOICEFIT_DEFAULT_KNOWLEDGE;
#endif
  r.String("KNOWLEDGE_DIR", c.knowledge_dir);
  r.String("KNOWLEDGE_INDEX_DIR", c.knowledge_index_dir);
  ReadRag(r, c.rag);
  r.String("SUPABASE_JWT_SECRET", c.auth.jwt_secret);
  if (!c.auth.jwt_secret.empty() && c.auth.jwt_secret.size() < 32) {
    throw ConfigError("SUPABASE_JWT_SECRET: must be at least 32 bytes long");
  }
  r.String("SUPABASE_URL", c.auth.supabase_url);
  if (!c.auth.supabase_url.empty() && c.auth.supabase_url.rfind("http://", 0) != 0 &&
      c.auth.supabase_url.rfind("https://", 0) != 0) {
    throw ConfigError("SUPABASE_URL: must start with http:// or https://");
  }
  r.String("SUPABASE_JWKS_PATH", c.auth.jwks_path);
  r.String("SUPABASE_SERVICE_KEY", c.auth.service_key);
  r.String("JWT_AUDIENCE", c.auth.audience);
  r.Seconds("JWT_LEEWAY_S", c.auth.leeway, 0, 600);
  r.Seconds("JWKS_REFRESH_S", c.auth.jwks_refresh, 10, 86400);
  r.String("UPSTASH_REDIS_REST_URL", c.upstash_redis_rest_url);
  r.String("UPSTASH_REDIS_REST_TOKEN", c.upstash_redis_rest_token);
  r.String("UPSTASH_SEARCH_REST_URL", c.upstash_search_rest_url);
  r.String("UPSTASH_SEARCH_REST_TOKEN", c.upstash_search_rest_token);
  r.String("XAI_API_KEY", c.xai_api_key);
  r.String("KIMI_API_KEY", c.kimi_api_key);
  r.Integer("IO_THREADS", s.io_threads, 0, 256);
  r.Integer("WORKER_THREADS", s.worker_threads, 1, 1024);
  r.Integer("WORKER_QUEUE", s.worker_queue, 1, 1'000'000);
  r.Integer("MAX_CONNECTIONS", s.max_connections, 1, 1'000'000);
  r.Integer("HEADER_LIMIT_BYTES", s.header_limit_bytes, 1024, 1 << 20);
  r.Integer("BODY_LIMIT_BYTES", s.body_limit_bytes, 1024, 64 << 20);
  r.Millis("HEADER_TIMEOUT_MS", s.header_timeout, 50, 600'000);
  r.Millis("IDLE_TIMEOUT_MS", s.idle_timeout, 50, 3'600'000);
  r.Millis("BODY_TIMEOUT_MS", s.body_timeout, 50, 600'000);
  r.Millis("WRITE_TIMEOUT_MS", s.write_timeout, 50, 600'000);
  r.Millis("SHUTDOWN_GRACE_MS", s.shutdown_grace, 0, 600'000);
  r.Bool("ACCESS_LOG", s.access_log);
  r.OneOf("LOG_LEVEL", c.log_level, {"debug", "info", "warn", "error"});
  if (s.io_threads == 0) s.io_threads = CoreCount();
  // More blocking threads than cores only adds wake-ups: measured on 2 cores, GET /api/profile
  // served 70k req/s with 2 workers and 56k with 4 (docs/BENCHMARKS.md).
  if (s.worker_threads == 0) s.worker_threads = std::max(2u, std::thread::hardware_concurrency());
  if ((!c.upstash_redis_rest_url.empty()) != (!c.upstash_redis_rest_token.empty())) {
    throw ConfigError("UPSTASH_REDIS_REST_URL: needs UPSTASH_REDIS_REST_TOKEN too (set both)");
  }
  if ((!c.upstash_search_rest_url.empty()) != (!c.upstash_search_rest_token.empty())) {
    throw ConfigError("UPSTASH_SEARCH_REST_URL: needs UPSTASH_SEARCH_REST_TOKEN too (set both)");
  }
  return c;
}

std::map<std::string, std::string> DescribeConfig(const Config& c) {
  auto secret = [](const std::string& v) { return v.empty() ? std::string("(unset)") : "(set)"; };
  return {
      {"HOST", c.server.host},
      {"PORT", std::to_string(c.server.port)},
      {"DATABASE_URL", c.database_url},
      {"REDIS_URL", c.redis_url.empty() ? "(unset)" : "(set)"},
      {"ENABLE_RATE_LIMITING", c.rate_limit.enabled ? "true" : "false"},
      {"RATE_LIMIT_FREE", std::to_string(c.rate_limit.free_general) + "/" +
                              std::to_string(c.rate_limit.general_window.count()) + "s general, " +
                              std::to_string(c.rate_limit.free_ai) + "/" +
                              std::to_string(c.rate_limit.ai_window.count()) + "s ai"},
      {"RATE_LIMIT_PREMIUM", std::to_string(c.rate_limit.premium_general) + "/" +
                                 std::to_string(c.rate_limit.general_window.count()) +
                                 "s general, " + std::to_string(c.rate_limit.premium_ai) + "/" +
                                 std::to_string(c.rate_limit.ai_window.count()) + "s ai"},
      {"SUPABASE_JWT_SECRET", secret(c.auth.jwt_secret)},
      {"SUPABASE_URL", c.auth.supabase_url},
      {"SUPABASE_JWKS_PATH", c.auth.jwks_path},
      {"IO_THREADS", std::to_string(c.server.io_threads)},
      {"WORKER_THREADS", std::to_string(c.server.worker_threads)},
      {"XAI_API_KEY", secret(c.xai_api_key)},
      {"KIMI_API_KEY", secret(c.kimi_api_key)},
      {"KNOWLEDGE_DIR", c.knowledge_dir},
      {"UPSTASH_SEARCH_REST_URL", c.upstash_search_rest_url.empty() ? "(unset)" : "(set)"},
      {"EMBEDDINGS_BASE_URL", c.rag.embeddings_base_url.empty() ? "(unset)" : "(set)"},
      {"EMBEDDINGS_API_KEY", secret(c.rag.embeddings_api_key)},
  };
}

}  // namespace vf
