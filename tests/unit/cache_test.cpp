// The cache layer: TTLs on a fake clock, LRU under a byte budget, single flight with 32 callers,
// errors never cached, the two tiers, and the stale-refill race (closed by generations; the naive
// delete-on-write design is run too, to show the test catches it).

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>

#include "cache/generations.hpp"
#include "cache/loader.hpp"
#include "cache/memory_cache.hpp"
#include "cache/redis_cache.hpp"
#include "cache/single_flight.hpp"
#include "context/user_context.hpp"
#include "core/time.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace vf::cache {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  MemoryCache::Clock fn() {
    return [this] { return now; };
  }
};

TEST(MemoryCache, EntriesExpireAtTheirTtl) {
  FakeClock clock;
  MemoryCache cache({.budget_bytes = 1 << 20, .clock = clock.fn()});
  cache.Set("k", "v", 10s);
  clock.now += 9999ms;
  EXPECT_EQ(cache.Get("k"), "v");
  clock.now += 1ms;  // exactly at the TTL: gone
  EXPECT_EQ(cache.Get("k"), std::nullopt);
  EXPECT_EQ(cache.stats().expired, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(MemoryCache, LeastRecentlyUsedGoesFirstUnderTheBudget) {
  // One shard's share is budget / 16; keys that land in one shard show the order. Use many keys
  // and check the budget and that a key read often survives.
  MemoryCache cache({.budget_bytes = 16 * 4096});
  std::string value(200, 'x');
  cache.Set("hot", value, 1h);
  for (int i = 0; i < 2000; ++i) {
    std::string key = "k";  // not "k" + ...: GCC 12 warns falsely (-Wrestrict) on that form
    key += std::to_string(i);
    cache.Set(key, value, 1h);
    ASSERT_TRUE(cache.Get("hot").has_value()) << i;  // touched every time: never the coldest
  }
  auto stats = cache.stats();
  EXPECT_LE(stats.bytes, 16u * 4096);
  EXPECT_GT(stats.evicted, 1500u);
  EXPECT_FALSE(cache.Get("k0").has_value());
  EXPECT_TRUE(cache.Get("k1999").has_value());
}

TEST(MemoryCache, ErasePrefixAndClear) {
  MemoryCache cache({});
  cache.Set("user_context:v1:alice:g1", "a", 1h);
  cache.Set("user_context:v1:alice:g2", "b", 1h);
  cache.Set("user_context:v1:bob:g1", "c", 1h);
  cache.ErasePrefix("user_context:v1:alice:");
  EXPECT_FALSE(cache.Get("user_context:v1:alice:g1"));
  EXPECT_FALSE(cache.Get("user_context:v1:alice:g2"));
  EXPECT_TRUE(cache.Get("user_context:v1:bob:g1"));
  cache.Clear();
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(SingleFlight, ThirtyTwoConcurrentMissesComputeOnce) {
  MemoryCache memory({});
  SingleFlight flight;
  Loader loader(memory, {"rag_context", "v1", 1h}, flight);
  std::atomic<int> computations{0};
  std::latch all_started(32);
  std::vector<std::thread> callers;
  std::vector<std::string> answers(32);
  std::vector<bool> cached(32);
  for (int i = 0; i < 32; ++i) {
    callers.emplace_back([&, i] {
      all_started.count_down();
      all_started.wait();
      auto r = loader.GetOrCompute("q", [&] {
        ++computations;
        std::this_thread::sleep_for(100ms);  // long enough for every caller to pile up
        return std::string("answer");
      });
      answers[i] = r.value;
      cached[i] = r.cached;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(computations.load(), 1);
  for (const auto& a : answers) EXPECT_EQ(a, "answer");
  EXPECT_EQ(flight.in_flight(), 0u);
}

TEST(SingleFlight, ExceptionsReachEveryWaiterAndAreNotCached) {
  MemoryCache memory({});
  SingleFlight flight;
  Loader loader(memory, {"ai_response", "v1", 1h}, flight);
  std::atomic<int> computations{0};
  std::latch started(8);
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      started.count_down();
      started.wait();
      try {
        loader.GetOrCompute("q", [&]() -> std::string {
          ++computations;
          std::this_thread::sleep_for(50ms);
          throw std::runtime_error("model down");
        });
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "model down") ++failures;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(failures.load(), 8);
  EXPECT_EQ(computations.load(), 1);
  // Nothing was stored: the next call computes again and succeeds.
  auto r = loader.GetOrCompute("q", [&] {
    ++computations;
    return std::string("fine");
  });
  EXPECT_EQ(r.value, "fine");
  EXPECT_FALSE(r.cached);
  EXPECT_EQ(computations.load(), 2);
  EXPECT_TRUE(loader.GetOrCompute("q", [] { return std::string("never"); }).cached);
}

TEST(SingleFlight, AStuckLeaderDoesNotHoldWaitersForever) {
  SingleFlight flight;
  std::latch leader_in(1), release(1);
  std::thread leader([&] {
    flight.Do(
        "k",
        [&] {
          leader_in.count_down();
          release.wait();
          return std::string("late");
        },
        10s);
  });
  leader_in.wait();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(flight.Do(
                "k", [] { return std::string("own"); }, 50ms),
            "own");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  release.count_down();
  leader.join();
}

TEST(Jitter, StaysWithinFivePercent) {
  for (int i = 0; i < 1000; ++i) {
    auto t = Jittered(100s);
    EXPECT_GE(t, 95s);
    EXPECT_LE(t, 105s);
  }
}

TEST(TieredCache, NearIsFilledFromFarAndBothAreErased) {
  MemoryCache near({}), far({});
  TieredCache tiered(near, far, 60s);
  far.Set("k", "from-far", 1h);
  EXPECT_EQ(tiered.Get("k"), "from-far");
  EXPECT_EQ(near.Get("k"), "from-far");
  tiered.Set("j", "both", 1h);
  EXPECT_EQ(near.Get("j"), "both");
  EXPECT_EQ(far.Get("j"), "both");
  tiered.Erase("j");
  EXPECT_FALSE(near.Get("j"));
  EXPECT_FALSE(far.Get("j"));
}

// A reader computes from the database before a write, and installs its result after the write
// and its invalidation. With delete-on-write the old value is back in the cache for a full TTL;
// with generations it sits under a key nobody asks for.
TEST(StaleRefillRace, GenerationsCloseItWhereDeleteOnWriteDoesNot) {
  for (bool naive : {true, false}) {
    MemoryCache memory({});
    SingleFlight flight;
    Loader loader(memory, {"user_context", "v1", 1h}, flight);
    LocalGenerations generations;
    std::string database = "before the workout";
    auto key = [&] {
      return naive ? std::string("alice")
                   : "alice:g" + std::to_string(*generations.Current("alice"));
    };
    std::latch read_done(1), write_done(1);
    std::thread reader([&] {
      std::string k = key();  // the generation is read first, as UserContextService does
      loader.GetOrCompute(k, [&] {
        std::string snapshot = database;
        read_done.count_down();
        write_done.wait();  // the write commits and invalidates while this read is in flight
        return snapshot;
      });
    });
    read_done.wait();
    database = "after the workout";  // committed
    if (naive) {
      memory.Erase(loader.family().Key("alice"));
    } else {
      generations.Bump("alice", "");
    }
    write_done.count_down();
    reader.join();
    auto next = loader.GetOrCompute(key(), [&] { return database; });
    if (naive) {
      EXPECT_EQ(next.value, "before the workout") << "the naive design must show the race";
    } else {
      EXPECT_EQ(next.value, "after the workout");
      EXPECT_FALSE(next.cached);
    }
  }
}

TEST(Generations, NeverRepeatAndOnlyMoveForward) {
  LocalGenerations g;
  EXPECT_EQ(g.Current("u"), 0u);
  g.Bump("u", "");
  uint64_t first = *g.Current("u");
  g.Bump("u", "");
  EXPECT_GT(*g.Current("u"), first);
  EXPECT_EQ(g.Current("other"), 0u);
}

TEST(UserContext, WritesAreVisibleOnTheNextReadAndReadsAreCached) {
  store::sqlite::SqliteStore store({.path = ":memory:"});
  MemoryCache memory({});
  SingleFlight flight;
  Loader loader(memory, {"user_context", "v1", 1h}, flight);
  LocalGenerations generations;
  context::UserContextService service(store, loader, generations);
  auto first = service.Get("alice");
  EXPECT_FALSE(first.cached);
  EXPECT_EQ(first.context["training"]["workouts"], 0);
  EXPECT_TRUE(service.Get("alice").cached);

  store::Workout w;
  w.id = "w1";
  w.performed_at = w.created_at = NowMs();
  w.sets.push_back({.set_number = 1, .exercise = "back squat", .reps = 5, .weight_kg = 100.0});
  store.AddWorkout("alice", w);
  service.Invalidate("alice");
  auto after = service.Get("alice");
  EXPECT_FALSE(after.cached);
  EXPECT_EQ(after.context["training"]["workouts"], 1);
  EXPECT_EQ(after.context["training"]["top_exercises"][0]["exercise"], "back squat");
  // Epley: 100 × (1 + 5/30) = 116.67, to the half kilogram.
  EXPECT_DOUBLE_EQ(after.context["training"]["top_exercises"][0]["best_e1rm_kg"].get<double>(),
                   116.5);
  EXPECT_TRUE(service.Get("alice").cached);
  // Another user is untouched.
  EXPECT_EQ(service.Get("bob").context["training"]["workouts"], 0);
}

}  // namespace
}  // namespace vf::cache
