// Cache hit costs: the in-process tier (100,000 keys, small values, 1 and 2 threads, per-lookup
// percentiles) and the Redis tier on loopback when VOICEFIT_BENCH_REDIS_URL is set; and the user
// context built from SQLite (cold) against read from the cache (warm).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

#include "cache/generations.hpp"
#include "cache/loader.hpp"
#include "cache/memory_cache.hpp"
#include "cache/redis_cache.hpp"
#include "context/user_context.hpp"
#include "core/time.hpp"
#include "latency.hpp"
#include "redis/redis_url.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace vf::cache {
namespace {

using namespace std::chrono_literals;

// a + b without operator+(const char*, std::string&&), on which GCC 12 warns falsely
// (-Wrestrict).
std::string Cat(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

std::vector<std::string> Keys(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    keys.push_back(Cat("exercise_match:v1:", std::to_string(1'000'000 + i)));
  }
  return keys;
}

using vf::bench::Percentiles;

template <class Lookup>
void TimedLoop(benchmark::State& state, Percentiles& p, std::size_t n, Lookup lookup) {
  std::mt19937 rng(static_cast<unsigned>(state.thread_index()) + 7);
  vf::bench::TimedCalls(state, p, [&](std::size_t) { return lookup(rng() % n); });
}

void BM_MemoryCacheHit(benchmark::State& state) {
  static MemoryCache* cache = nullptr;
  static std::vector<std::string> keys;
  static Percentiles p;
  if (state.thread_index() == 0) {
    cache = new MemoryCache({.budget_bytes = 256u << 20});
    keys = Keys(100'000);
    for (const auto& k : keys) cache->Set(k, R"({"exercise_id":"barbell-back-squat"})", 1h);
  }
  TimedLoop(state, p, keys.size(), [&](std::size_t i) { return cache->Get(keys[i]); });
  if (state.thread_index() == 0) {
    p.Report(state);
    delete cache;
  }
}
BENCHMARK(BM_MemoryCacheHit)->Threads(1)->Threads(2)->UseRealTime();

void BM_RedisCacheHit(benchmark::State& state) {
  const char* url = std::getenv("VOICEFIT_BENCH_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("set VOICEFIT_BENCH_REDIS_URL (bench/load/rate-limit.sh does)");
    return;
  }
  static std::unique_ptr<redis::ConnectionPool> pool;
  static std::unique_ptr<RedisCache> cache;
  static std::vector<std::string> keys;
  static Percentiles p;
  if (state.thread_index() == 0) {
    pool = std::make_unique<redis::ConnectionPool>(redis::ParseRedisUrl(url), 500ms);
    cache = std::make_unique<RedisCache>(*pool);
    keys = Keys(1000);
    for (const auto& k : keys)
      cache->Set(Cat("vf:bench:", k), R"({"exercise_id":"barbell-back-squat"})", 1h);
  }
  TimedLoop(state, p, keys.size(),
            [&](std::size_t i) { return cache->Get(Cat("vf:bench:", keys[i])); });
  if (state.thread_index() == 0) p.Report(state);
}
BENCHMARK(BM_RedisCacheHit)->Threads(1)->UseRealTime();

// A user with four weeks of training: 12 workouts of 20 sets, 12 runs, 2 injuries.
struct ContextFixture {
  ContextFixture()
      : path(std::filesystem::temp_directory_path() /
             Cat(Cat("vf-bench-ctx-", std::to_string(getpid())),
                 Cat(std::to_string(++instances), ".db"))),
        store({.path = path.string()}),
        loader(memory, {"user_context", "v1", 1h}, flight),
        service(store, loader, generations) {
    EpochMs now = NowMs();
    for (int d = 0; d < 12; ++d) {
      store::Workout w;
      w.id = Cat("w", std::to_string(d));
      w.performed_at = w.created_at = now - int64_t{d} * 2 * 86'400'000;
      for (int s = 0; s < 20; ++s) {
        w.sets.push_back({.set_number = s + 1,
                          .exercise = s < 10 ? "back squat" : "bench press",
                          .reps = 5,
                          .weight_kg = 100.0 + s});
      }
      store.AddWorkout("athlete", w);
      store::Run r;
      r.id = Cat("r", std::to_string(d));
      r.started_at = r.created_at = now - int64_t{d} * 2 * 86'400'000 - 3'600'000;
      r.distance_m = 8000;
      r.duration_s = 2600;
      store.AddRun("athlete", r);
    }
    for (int i = 0; i < 2; ++i) {
      store::Injury inj;
      inj.id = Cat("i", std::to_string(i));
      inj.body_part = i ? "knee" : "shoulder";
      inj.severity = 3;
      inj.description = "sore";
      inj.created_at = now;
      store.AddInjury("athlete", inj);
    }
  }
  ~ContextFixture() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path.string() + suffix);
    }
  }
  static inline int instances = 0;
  std::filesystem::path path;
  store::sqlite::SqliteStore store;
  MemoryCache memory{{}};
  SingleFlight flight;
  Loader loader;
  LocalGenerations generations;
  context::UserContextService service;
};

void BM_UserContextCold(benchmark::State& state) {
  ContextFixture f;
  for (auto _ : state) benchmark::DoNotOptimize(f.service.Build("athlete"));
}
BENCHMARK(BM_UserContextCold)->Unit(benchmark::kMicrosecond);

void BM_UserContextWarm(benchmark::State& state) {
  ContextFixture f;
  f.service.Get("athlete");
  for (auto _ : state) benchmark::DoNotOptimize(f.service.Get("athlete"));
}
BENCHMARK(BM_UserContextWarm)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vf::cache
