// Cost of one rate-limit decision: in-process (many keys, one or two threads, with per-decision
// percentiles) and against a real Redis on loopback when VOICEFIT_BENCH_REDIS_URL is set
// (bench/rate-limit.sh starts one). Memory per key is reported as a counter.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "latency.hpp"
#include "ratelimit/local_limiter.hpp"
#include "ratelimit/shared_limiter.hpp"
#include "redis/redis_url.hpp"

namespace vf::ratelimit {
namespace {

constexpr int64_t kSecond = 1'000'000;
const std::array<WindowSpec, 2> kFreeAi{WindowSpec{"general", 60, 3600 * kSecond},
                                        WindowSpec{"ai", 10, 60 * kSecond}};

std::vector<std::string> UserIds(std::size_t n) {
  std::vector<std::string> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids.push_back("6f1c2d3e-4b5a-4789-9abc-" + std::to_string(100000000000 + i));
  }
  return ids;
}

using vf::bench::Percentiles;

// 100,000 users, each decision on a random one, free tier AI request (both windows).
void BM_LocalDecision(benchmark::State& state) {
  static LocalLimiter* limiter = nullptr;
  static std::vector<std::string> users;
  static Percentiles percentiles;
  if (state.thread_index() == 0) {
    limiter = new LocalLimiter({});
    users = UserIds(100'000);
  }
  std::mt19937 rng(static_cast<unsigned>(state.thread_index()) + 1);
  vf::bench::TimedCalls(state, percentiles, [&](std::size_t) {
    return limiter->Decide(users[rng() % users.size()], kFreeAi);
  });
  if (state.thread_index() == 0) {
    auto stats = limiter->stats();
    state.counters["keys"] = static_cast<double>(stats.keys);
    state.counters["bytes_per_key"] =
        static_cast<double>(stats.bytes) / std::max<std::size_t>(1, stats.keys);
    percentiles.Report(state);
    delete limiter;
  }
}
BENCHMARK(BM_LocalDecision)->Threads(1)->Threads(2)->UseRealTime();

// Memory of a premium user at both full limits (300 + 50 stamps) in the in-process limiter.
void BM_LocalMemoryPremiumFull(benchmark::State& state) {
  std::array<WindowSpec, 2> premium{WindowSpec{"general", 300, 3600 * kSecond},
                                    WindowSpec{"ai", 50, 60 * kSecond}};
  for (auto _ : state) {
    LocalLimiter limiter({});
    for (int i = 0; i < 50; ++i) limiter.Decide("u", premium);
    for (int i = 0; i < 250; ++i) limiter.Decide("u", std::span(premium.data(), 1));
    state.counters["bytes_per_key"] = static_cast<double>(limiter.stats().bytes);
  }
}
BENCHMARK(BM_LocalMemoryPremiumFull)->Iterations(1);

// One decision through Redis on loopback: EVALSHA, one round trip, per thread a connection.
void BM_RedisDecision(benchmark::State& state) {
  const char* url = std::getenv("VOICEFIT_BENCH_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("set VOICEFIT_BENCH_REDIS_URL (bench/rate-limit.sh does)");
    return;
  }
  static std::unique_ptr<redis::HiredisScriptRunner> runner;
  static std::unique_ptr<SharedLimiter> limiter;
  static std::vector<std::string> users;
  static Percentiles percentiles;
  if (state.thread_index() == 0) {
    runner = std::make_unique<redis::HiredisScriptRunner>(redis::ParseRedisUrl(url),
                                                          std::chrono::milliseconds(500));
    limiter = std::make_unique<SharedLimiter>(*runner, "vf:bench:");
    users = UserIds(10'000);
  }
  std::mt19937 rng(static_cast<unsigned>(state.thread_index()) + 1);
  vf::bench::TimedCalls(state, percentiles, [&](std::size_t) {
    return limiter->Decide(users[rng() % users.size()], kFreeAi);
  });
  if (state.thread_index() == 0) percentiles.Report(state);
}
BENCHMARK(BM_RedisDecision)->Threads(1)->Threads(2)->UseRealTime();

// Throughput of the pipelined connection the server uses: 64 decisions in flight at all times,
// as 64 waiting requests would keep it.
void BM_RedisPipelinedDecisions(benchmark::State& state) {
  const char* url = std::getenv("VOICEFIT_BENCH_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("set VOICEFIT_BENCH_REDIS_URL (bench/rate-limit.sh does)");
    return;
  }
  redis::AsyncRedis connection(redis::ParseRedisUrl(url), std::chrono::milliseconds(500));
  SharedLimiter limiter(connection, "vf:bench:");
  auto users = UserIds(10'000);
  constexpr int kInFlight = 64;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  int64_t issued = 0;
  for (auto _ : state) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight < kInFlight; });
    ++in_flight;
    lock.unlock();
    limiter.DecideAsync(users[static_cast<std::size_t>(issued++) % users.size()], kFreeAi,
                        [&](const Decision&, const char*) {
                          std::lock_guard done(mu);
                          --in_flight;
                          cv.notify_one();
                        });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  state.SetItemsProcessed(issued);
}
BENCHMARK(BM_RedisPipelinedDecisions)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace vf::ratelimit
