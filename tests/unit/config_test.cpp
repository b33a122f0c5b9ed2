// LoadConfig and DescribeConfig with an injected lookup, so no test touches the real environment.

#include "core/config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <thread>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace vf {
namespace {

using Settings = std::map<std::string, std::string>;

// A long enough HS256 secret; tests look for it in messages to prove it never leaks.
const std::string kSecret = "0123456789abcdef0123456789abcdef-very-secret";

SettingLookup Lookup(Settings values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

Config Load(Settings values) { return LoadConfig(Lookup(std::move(values))); }

// The ConfigError message LoadConfig throws for these settings; fails the test if none is thrown.
std::string ErrorFor(Settings values) {
  try {
    (void)Load(std::move(values));
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected ConfigError";
  return {};
}

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// A JSON config file that removes itself at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("voicefit-config-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++) + ".json");
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(LoadConfig, DefaultsWhenNothingIsSet) {
  Config c = Load({});
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.database_url, "sqlite://./var/voicefit.db");
  EXPECT_TRUE(c.rate_limit.enabled);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.server.worker_threads, std::max(2u, std::thread::hardware_concurrency()));
  EXPECT_EQ(c.server.header_timeout, std::chrono::milliseconds(10'000));
  EXPECT_TRUE(c.auth.jwt_secret.empty());
  EXPECT_TRUE(c.redis_url.empty());
  // 0 means "one per core" and must be resolved, never left as 0.
  EXPECT_GE(c.server.io_threads, 1u);
}

TEST(LoadConfig, ParsesPort) {
  EXPECT_EQ(Load({{"PORT", "9090"}}).server.port, 9090);
  EXPECT_EQ(Load({{"PORT", "0"}}).server.port, 0);  // 0 picks a free port
  EXPECT_EQ(Load({{"PORT", "65535"}}).server.port, 65535);
}

TEST(LoadConfig, ParsesWorkerThreads) {
  EXPECT_EQ(Load({{"WORKER_THREADS", "16"}}).server.worker_threads, 16u);
}

TEST(LoadConfig, ExplicitIoThreadsAreKept) {
  EXPECT_EQ(Load({{"IO_THREADS", "3"}}).server.io_threads, 3u);
  EXPECT_GE(Load({{"IO_THREADS", "0"}}).server.io_threads, 1u);
}

TEST(LoadConfig, ParsesHeaderTimeoutAsMilliseconds) {
  EXPECT_EQ(Load({{"HEADER_TIMEOUT_MS", "250"}}).server.header_timeout,
            std::chrono::milliseconds(250));
}

TEST(LoadConfig, ParsesRateLimitingFlagCaseInsensitively) {
  EXPECT_TRUE(Load({{"ENABLE_RATE_LIMITING", "true"}}).rate_limit.enabled);
  EXPECT_TRUE(Load({{"ENABLE_RATE_LIMITING", "TRUE"}}).rate_limit.enabled);
  EXPECT_TRUE(Load({{"ENABLE_RATE_LIMITING", "Yes"}}).rate_limit.enabled);
  EXPECT_TRUE(Load({{"ENABLE_RATE_LIMITING", "1"}}).rate_limit.enabled);
  EXPECT_FALSE(Load({{"ENABLE_RATE_LIMITING", "false"}}).rate_limit.enabled);
  EXPECT_FALSE(Load({{"ENABLE_RATE_LIMITING", "False"}}).rate_limit.enabled);
  EXPECT_FALSE(Load({{"ENABLE_RATE_LIMITING", "NO"}}).rate_limit.enabled);
  EXPECT_FALSE(Load({{"ENABLE_RATE_LIMITING", "0"}}).rate_limit.enabled);
}

TEST(LoadConfig, ParsesLogLevel) {
  EXPECT_EQ(Load({{"LOG_LEVEL", "debug"}}).log_level, "debug");
  EXPECT_EQ(Load({{"LOG_LEVEL", "warn"}}).log_level, "warn");
  EXPECT_EQ(Load({{"LOG_LEVEL", "error"}}).log_level, "error");
}

TEST(LoadConfig, AcceptsSecretAndUrlsThatAreValid) {
  Config c = Load({{"SUPABASE_JWT_SECRET", kSecret},
                   {"SUPABASE_URL", "https://abc.supabase.co"},
                   {"UPSTASH_REDIS_REST_URL", "https://x.upstash.io"},
                   {"UPSTASH_REDIS_REST_TOKEN", "tok"}});
  EXPECT_EQ(c.auth.jwt_secret, kSecret);
  EXPECT_EQ(c.auth.supabase_url, "https://abc.supabase.co");
  EXPECT_EQ(c.upstash_redis_rest_url, "https://x.upstash.io");
  EXPECT_EQ(c.upstash_redis_rest_token, "tok");
}

TEST(LoadConfig, NonNumericPortNamesPort) {
  std::string message = ErrorFor({{"PORT", "abc"}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
}

TEST(LoadConfig, OutOfRangePortNamesPort) {
  std::string message = ErrorFor({{"PORT", "70000"}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
}

TEST(LoadConfig, EmptyPortNamesPort) {
  std::string message = ErrorFor({{"PORT", ""}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
}

TEST(LoadConfig, PortWithTrailingJunkNamesPort) {
  std::string message = ErrorFor({{"PORT", "80x"}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
}

TEST(LoadConfig, ZeroWorkerThreadsNamesWorkerThreads) {
  std::string message = ErrorFor({{"WORKER_THREADS", "0"}});
  EXPECT_TRUE(StartsWith(message, "WORKER_THREADS:")) << message;
}

TEST(LoadConfig, UnknownBooleanNamesRateLimiting) {
  std::string message = ErrorFor({{"ENABLE_RATE_LIMITING", "maybe"}});
  EXPECT_TRUE(StartsWith(message, "ENABLE_RATE_LIMITING:")) << message;
}

TEST(LoadConfig, UnknownLogLevelNamesLogLevel) {
  std::string message = ErrorFor({{"LOG_LEVEL", "chatty"}});
  EXPECT_TRUE(StartsWith(message, "LOG_LEVEL:")) << message;
}

TEST(LoadConfig, ShortJwtSecretNamesSettingWithoutRevealingIt) {
  const std::string short_secret = "only-twenty-bytes-xx";
  std::string message = ErrorFor({{"SUPABASE_JWT_SECRET", short_secret}});
  EXPECT_TRUE(StartsWith(message, "SUPABASE_JWT_SECRET:")) << message;
  EXPECT_EQ(message.find(short_secret), std::string::npos) << message;
}

TEST(LoadConfig, NonHttpSupabaseUrlNamesSupabaseUrl) {
  std::string message = ErrorFor({{"SUPABASE_URL", "ftp://x"}});
  EXPECT_TRUE(StartsWith(message, "SUPABASE_URL:")) << message;
}

TEST(LoadConfig, UpstashUrlWithoutTokenNamesUrl) {
  std::string message = ErrorFor({{"UPSTASH_REDIS_REST_URL", "https://x.upstash.io"}});
  EXPECT_TRUE(StartsWith(message, "UPSTASH_REDIS_REST_URL:")) << message;
}

TEST(LoadConfig, LocalEmbeddingsTakeTheirDecidedWeightUnlessOneIsGiven) {
  EXPECT_DOUBLE_EQ(Load({{"EMBEDDINGS_BASE_URL", "http://127.0.0.1:1/v1"}}).rag.embeddings_weight,
                   1.0);
  EXPECT_DOUBLE_EQ(
      Load({{"EMBEDDINGS_LOCAL_DIR", "tools/embeddings-server"}}).rag.embeddings_weight, 0.25);
  EXPECT_DOUBLE_EQ(Load({{"EMBEDDINGS_LOCAL_DIR", "tools/embeddings-server"},
                         {"EMBEDDINGS_WEIGHT_PERCENT", "40"}})
                       .rag.embeddings_weight,
                   0.4);
}

TEST(LoadConfig, LocalEmbeddingsLeaveComposedRouteQueriesAloneUnlessAWeightIsGiven) {
  auto endpoint =
      Load({{"EMBEDDINGS_BASE_URL", "http://127.0.0.1:1/v1"}, {"EMBEDDINGS_WEIGHT_PERCENT", "60"}});
  EXPECT_DOUBLE_EQ(endpoint.rag.embeddings_composed_weight, 0.6);  // as any query
  EXPECT_DOUBLE_EQ(
      Load({{"EMBEDDINGS_LOCAL_DIR", "tools/embeddings-server"}}).rag.embeddings_composed_weight,
      0.0);
  EXPECT_DOUBLE_EQ(Load({{"EMBEDDINGS_LOCAL_DIR", "tools/embeddings-server"},
                         {"EMBEDDINGS_COMPOSED_WEIGHT_PERCENT", "10"}})
                       .rag.embeddings_composed_weight,
                   0.1);
  std::string message = ErrorFor({{"EMBEDDINGS_COMPOSED_WEIGHT_PERCENT", "-5"}});
  EXPECT_TRUE(StartsWith(message, "EMBEDDINGS_COMPOSED_WEIGHT_PERCENT:")) << message;
}

TEST(LoadConfig, LocalEmbeddingsModelIsTheEncoderOrItsDistilledStudent) {
  EXPECT_EQ(Load({}).rag.embeddings_local_model, "distilled");
  EXPECT_EQ(Load({{"EMBEDDINGS_LOCAL_MODEL", "encoder"}}).rag.embeddings_local_model, "encoder");
  std::string message = ErrorFor({{"EMBEDDINGS_LOCAL_MODEL", "tiny"}});
  EXPECT_TRUE(StartsWith(message, "EMBEDDINGS_LOCAL_MODEL:")) << message;
}

TEST(LoadConfig, SearchLegBreakerTakesMillisecondsWithinBounds) {
  EXPECT_EQ(Load({}).rag.leg_breaker_open, std::chrono::milliseconds(10000));
  EXPECT_EQ(Load({{"RAG_LEG_BREAKER_OPEN_MS", "2500"}}).rag.leg_breaker_open,
            std::chrono::milliseconds(2500));
  for (const char* bad : {"5", "600001", "soon"}) {
    std::string message = ErrorFor({{"RAG_LEG_BREAKER_OPEN_MS", bad}});
    EXPECT_TRUE(StartsWith(message, "RAG_LEG_BREAKER_OPEN_MS:")) << message;
  }
}

TEST(LoadConfig, LocalEmbeddingsAndAnEndpointTogetherNameBoth) {
  std::string message = ErrorFor({{"EMBEDDINGS_LOCAL_DIR", "tools/embeddings-server"},
                                  {"EMBEDDINGS_BASE_URL", "http://127.0.0.1:1/v1"}});
  EXPECT_TRUE(StartsWith(message, "EMBEDDINGS_LOCAL_DIR and EMBEDDINGS_BASE_URL")) << message;
}

TEST(LoadConfig, UpstashTokenWithoutUrlFailsWithoutRevealingToken) {
  const std::string token = "upstash-token-value-123";
  std::string message = ErrorFor({{"UPSTASH_REDIS_REST_TOKEN", token}});
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find(token), std::string::npos) << message;
}

TEST(LoadConfig, ErrorsElsewhereNeverRevealTheSecret) {
  // A valid secret alongside a bad setting: the message is about the bad setting only.
  std::string message = ErrorFor({{"SUPABASE_JWT_SECRET", kSecret}, {"PORT", "abc"}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
}

TEST(LoadConfig, ConfigFileSuppliesValues) {
  TempFile file(R"({"PORT": 9000, "LOG_LEVEL": "debug", "ENABLE_RATE_LIMITING": false,
                    "DATABASE_URL": "sqlite:///tmp/x.db"})");
  Config c = Load({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_FALSE(c.rate_limit.enabled);
  EXPECT_EQ(c.database_url, "sqlite:///tmp/x.db");
}

TEST(LoadConfig, EnvironmentWinsOverConfigFile) {
  TempFile file(R"({"PORT": "9000", "LOG_LEVEL": "debug"})");
  Config c = Load({{"VOICEFIT_CONFIG", file.path()}, {"PORT", "9100"}});
  EXPECT_EQ(c.server.port, 9100);
  EXPECT_EQ(c.log_level, "debug");  // not in the environment, so the file's value stands
}

TEST(LoadConfig, BadValueInConfigFileNamesSetting) {
  TempFile file(R"({"PORT": "abc"})");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_TRUE(StartsWith(message, "PORT:")) << message;
}

TEST(LoadConfig, UnknownKeyInConfigFileNamesKey) {
  TempFile file(R"({"PORT": 9000, "PROT": 9001})");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_TRUE(StartsWith(message, "PROT:")) << message;
}

TEST(LoadConfig, NonJsonConfigFileThrows) {
  TempFile file("PORT=9000\n");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_TRUE(StartsWith(message, "VOICEFIT_CONFIG:")) << message;
}

TEST(LoadConfig, NonObjectConfigFileThrows) {
  TempFile file("[1, 2, 3]");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_TRUE(StartsWith(message, "VOICEFIT_CONFIG:")) << message;
}

TEST(LoadConfig, MissingConfigFileThrows) {
  auto missing = std::filesystem::temp_directory_path() /
                 ("voicefit-config-test-missing-" + std::to_string(::getpid()) + ".json");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", missing.string()}});
  EXPECT_TRUE(StartsWith(message, "VOICEFIT_CONFIG:")) << message;
}

TEST(LoadConfig, SecretOfWrongTypeInConfigFileIsNotRevealed) {
  TempFile file(R"({"SUPABASE_JWT_SECRET": ["0123456789abcdef0123456789abcdef-very-secret"]})");
  std::string message = ErrorFor({{"VOICEFIT_CONFIG", file.path()}});
  EXPECT_TRUE(StartsWith(message, "SUPABASE_JWT_SECRET:")) << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
}

TEST(DescribeConfig, ShowsSetForSecretsAndNeverTheirValues) {
  const std::string xai_key = "xai-key-value-should-not-show";
  Config c = Load({{"SUPABASE_JWT_SECRET", kSecret}, {"XAI_API_KEY", xai_key}});
  auto described = DescribeConfig(c);
  EXPECT_EQ(described.at("SUPABASE_JWT_SECRET"), "(set)");
  EXPECT_EQ(described.at("XAI_API_KEY"), "(set)");
  EXPECT_EQ(described.at("KIMI_API_KEY"), "(unset)");
  for (const auto& [name, value] : described) {
    EXPECT_EQ(value.find(kSecret), std::string::npos) << name;
    EXPECT_EQ(value.find(xai_key), std::string::npos) << name;
  }
}

TEST(DescribeConfig, ShowsPlainSettings) {
  auto described = DescribeConfig(Load({{"PORT", "9090"}}));
  EXPECT_EQ(described.at("PORT"), "9090");
  EXPECT_EQ(described.at("DATABASE_URL"), "sqlite://./var/voicefit.db");
  EXPECT_EQ(described.at("ENABLE_RATE_LIMITING"), "true");
  EXPECT_EQ(described.at("SUPABASE_JWT_SECRET"), "(unset)");
}

TEST(DescribeConfig, HidesRedisUrlWhichMayCarryAPassword) {
  auto described = DescribeConfig(Load({{"REDIS_URL", "redis://:hunter2@cache:6379/0"}}));
  EXPECT_EQ(described.at("REDIS_URL"), "(set)");
}

}  // namespace
}  // namespace vf
