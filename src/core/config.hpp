#pragma once
// Typed configuration, read once at start-up from the environment and an optional JSON file.
// A bad value throws ConfigError naming the setting; nothing downstream re-reads the environment.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vf {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;
  unsigned io_threads = 0;          // 0: one per core
  unsigned worker_threads = 0;      // blocking work (store, ...); 0: one per core, at least 2
  std::size_t worker_queue = 1024;  // beyond this, 503 + Retry-After
  std::size_t max_connections = 10000;
  std::size_t header_limit_bytes = 16 * 1024;
  std::size_t body_limit_bytes = 256 * 1024;  // default per-route JSON body limit
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  bool access_log = true;
};

struct AuthConfig {
  std::string jwt_secret;    // SUPABASE_JWT_SECRET (HS256); secret
  std::string supabase_url;  // SUPABASE_URL: JWKS fetched from /auth/v1/.well-known/jwks.json
  std::string jwks_path;     // SUPABASE_JWKS_PATH: a local JWKS file instead
  std::string service_key;   // SUPABASE_SERVICE_KEY; secret, kept for admin tooling
  std::string audience = "authenticated";
  std::chrono::seconds leeway{30};
  std::chrono::seconds jwks_refresh{600};
};

// Tier limits (SPEC.md §1): each a sliding window; the table is configuration, not code.
struct RateLimitConfig {
  bool enabled = true;                      // ENABLE_RATE_LIMITING
  int64_t free_general = 60, free_ai = 10;  // requests per window
  int64_t premium_general = 300, premium_ai = 50;
  std::chrono::seconds general_window{3600}, ai_window{60};
  // Requests without a valid token, per client address (IPv6 by /64), before signatures are
  // checked: a flood of bad tokens costs a hash lookup each.
  int64_t anonymous = 120;
  std::chrono::seconds anonymous_window{60};
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
  std::chrono::milliseconds redis_timeout{50};
  std::chrono::milliseconds breaker_open{1000};  // after a Redis failure, in-process for this long
  std::size_t memory_budget_bytes = 64u << 20;   // in-process limiter, all keys
  bool decision_header = false;  // audit header with each decision's clock (tests, debugging)
};

// Metrics, alert rules and the dashboard (SPEC.md §5).
struct MonitoringConfig {
  bool metrics = true;                      // ENABLE_METRICS: the request-metrics stage
  std::chrono::seconds sample_interval{5};  // series resolution and 5-minute window step
  std::chrono::seconds alert_interval{5};   // how often alert rules are evaluated
  std::string webhook_url;                  // ALERT_WEBHOOK_URL
  int64_t error_rate_percent = 2;
  int64_t p95_ms = 1000;
  int64_t cache_hit_rate_percent = 50;
  std::chrono::seconds cache_warmup{300};
  int64_t model_errors = 5;
  int64_t queue_saturation_percent = 80;
  std::string web_dir;  // WEB_DIR: dashboard and docs pages (default: the source tree's web/)
};

// Cache families and their TTLs (SPEC.md §2).
struct CacheConfig {
  std::size_t memory_budget_bytes = 64u << 20;  // in-process tier
  std::chrono::milliseconds redis_timeout{50};
  std::chrono::seconds near_ttl{300};  // in-process copies of Redis entries live at most this long
  std::chrono::seconds user_context_ttl{3600}, rag_context_ttl{3600}, ai_response_ttl{86400},
      exercise_match_ttl{7 * 86400}, exercise_miss_ttl{3600};
};

// Retrieval over the knowledge base (SPEC.md §3).
struct RagConfig {
  std::string upstash_index = "voicefit-knowledge";  // UPSTASH_SEARCH_INDEX
  std::chrono::milliseconds upstash_timeout{1000};   // UPSTASH_SEARCH_TIMEOUT_MS
  double upstash_weight = 1.0;                       // UPSTASH_SEARCH_WEIGHT_PERCENT / 100
  // How long an optional leg (Upstash, dense) that failed is left out before one search tries it.
  std::chrono::milliseconds leg_breaker_open{10000};  // RAG_LEG_BREAKER_OPEN_MS
  // Dense retrieval through an OpenAI-compatible embeddings endpoint (off when the URL is unset).
  std::string embeddings_base_url;                          // EMBEDDINGS_BASE_URL
  std::string embeddings_api_key;                           // EMBEDDINGS_API_KEY
  std::string embeddings_model = "text-embedding-3-small";  // EMBEDDINGS_MODEL
  std::chrono::milliseconds embeddings_timeout{5000};       // EMBEDDINGS_TIMEOUT_MS
  double embeddings_weight = 1.0;                           // EMBEDDINGS_WEIGHT_PERCENT / 100
  // Its weight for a route's query joined from several phrases (a goal, a level, an injury):
  // one vector of such a text lands between their passages. 0 with EMBEDDINGS_LOCAL_DIR
  // (docs/RETRIEVAL.md, step 21), else the weight above.
  double embeddings_composed_weight = 1.0;  // EMBEDDINGS_COMPOSED_WEIGHT_PERCENT / 100
  // Or the knowledge-topic model computed in-process from this folder (weight 0.25 by default).
  std::string embeddings_local_dir;  // EMBEDDINGS_LOCAL_DIR
  // Which model it computes: "distilled" (a sixth of the cost, the same figures) or "encoder"
  // (docs/RETRIEVAL.md, step 20).
  std::string embeddings_local_model = "distilled";  // EMBEDDINGS_LOCAL_MODEL
  bool dense_configured() const {
    return !embeddings_base_url.empty() || !embeddings_local_dir.empty();
  }
};

struct Config {
  ServerConfig server;
  AuthConfig auth;
  RateLimitConfig rate_limit;
  MonitoringConfig monitoring;
  CacheConfig cache;
  RagConfig rag;
  std::string exercise_catalog_path;  // EXERCISE_CATALOG_PATH (default: the source tree's data/)
  std::string chat_intents_path;      // CHAT_INTENTS_PATH: labelled messages the model trains on
  int64_t chat_unsure_percent = 50;   // CHAT_UNSURE_BELOW_PERCENT
  std::string knowledge_dir;          // KNOWLEDGE_DIR (default: the source tree's knowledge/)
  std::string knowledge_index_dir;    // KNOWLEDGE_INDEX_DIR (empty: a temporary folder)
  std::string database_url = "sqlite://./var/voicefit.db";
  std::string redis_url;  // empty: in-process only
  std::string upstash_redis_rest_url, upstash_redis_rest_token;
  std::string upstash_search_rest_url, upstash_search_rest_token;
  std::string xai_api_key, kimi_api_key;
  std::string log_level = "info";

  // Names of every setting, for --help and for rejecting unknown keys in the file.
  static const std::vector<std::pair<std::string, std::string>>& Settings();
};

// Looks a setting up by name; returns nullopt when unset. Injected so tests need no real env.
using SettingLookup = std::function<std::optional<std::string>(const std::string&)>;

SettingLookup EnvironmentLookup();

// Reads every setting. `VOICEFIT_CONFIG` (via lookup) may name a JSON file whose keys are setting
// names; the environment wins over the file. Throws ConfigError.
Config LoadConfig(const SettingLookup& lookup);

// Settings safe to print: secrets replaced by "(set)".
std::map<std::string, std::string> DescribeConfig(const Config& config);

}  // namespace vf
