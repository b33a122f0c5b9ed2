// The in-process limiter on a fake clock: the exact sliding-window rule at its edges, both
// windows at once, Retry-After, eviction and the memory budget; and a randomised check against a
// brute-force model of the rule.

#include "ratelimit/local_limiter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "ratelimit/response_headers.hpp"

namespace vf::ratelimit {
namespace {

constexpr int64_t kSecond = 1'000'000;

class FakeClock {
 public:
  int64_t now = 1'000 * kSecond;
  MicrosClock fn() {
    return [this] { return now; };
  }
};

class LocalLimiterTest : public ::testing::Test {
 protected:
  LocalLimiter MakeLimiter(std::size_t budget = 1 << 20) {
    return LocalLimiter(
        {.memory_budget_bytes = budget, .longest_window_us = 3600 * kSecond, .clock = clock_.fn()});
  }
  FakeClock clock_;
  WindowSpec general_{"general", 3, 10 * kSecond};
  WindowSpec ai_{"ai", 2, 4 * kSecond};
  std::array<WindowSpec, 2> both_{general_, ai_};
  std::span<const WindowSpec> general_only_{&general_, 1};
};

TEST_F(LocalLimiterTest, AdmitsUpToTheLimitThenRefuses) {
  auto limiter = MakeLimiter();
  for (int i = 0; i < 3; ++i) {
    Decision d = limiter.Decide("u", general_only_);
    EXPECT_TRUE(d.admitted) << i;
    EXPECT_EQ(d.windows[0].used, i + 1);
  }
  Decision refused = limiter.Decide("u", general_only_);
  EXPECT_FALSE(refused.admitted);
  EXPECT_TRUE(refused.windows[0].refused);
  EXPECT_EQ(refused.windows[0].used, 3);
  // Other keys are independent.
  EXPECT_TRUE(limiter.Decide("v", general_only_).admitted);
}

TEST_F(LocalLimiterTest, WindowEdgeIsExact) {
  auto limiter = MakeLimiter();
  int64_t first = clock_.now;
  ASSERT_TRUE(limiter.Decide("u", general_only_).admitted);
  clock_.now += 2 * kSecond;
  ASSERT_TRUE(limiter.Decide("u", general_only_).admitted);
  ASSERT_TRUE(limiter.Decide("u", general_only_).admitted);
  // One microsecond before the first request leaves the trailing window: still full.
  clock_.now = first + 10 * kSecond - 1;
  Decision early = limiter.Decide("u", general_only_);
  EXPECT_FALSE(early.admitted);
  EXPECT_EQ(early.RetryAfterUs(), 1);
  EXPECT_EQ(RetryAfterSeconds(early), 1);  // never 0
  // Exactly when it leaves: admitted, and only one slot opened.
  clock_.now = first + 10 * kSecond;
  EXPECT_TRUE(limiter.Decide("u", general_only_).admitted);
  EXPECT_FALSE(limiter.Decide("u", general_only_).admitted);
}

TEST_F(LocalLimiterTest, BurstAfterIdleGetsTheWholeQuotaAgain) {
  auto limiter = MakeLimiter();
  for (int i = 0; i < 5; ++i) limiter.Decide("u", general_only_);
  clock_.now += 10 * kSecond;
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += limiter.Decide("u", general_only_).admitted ? 1 : 0;
  EXPECT_EQ(admitted, 3);
}

TEST_F(LocalLimiterTest, RefusalByOneWindowChargesNeither) {
  auto limiter = MakeLimiter();
  ASSERT_TRUE(limiter.Decide("u", both_).admitted);
  ASSERT_TRUE(limiter.Decide("u", both_).admitted);
  Decision refused = limiter.Decide("u", both_);  // ai full (2), general has room (2 of 3)
  EXPECT_FALSE(refused.admitted);
  EXPECT_FALSE(refused.windows[0].refused);
  EXPECT_TRUE(refused.windows[1].refused);
  // The general window was not charged by the refused request: one general request still fits.
  EXPECT_TRUE(limiter.Decide("u", general_only_).admitted);
  EXPECT_FALSE(limiter.Decide("u", general_only_).admitted);
}

TEST_F(LocalLimiterTest, AiRequestsCountAgainstTheGeneralWindowToo) {
  auto limiter = MakeLimiter();
  ASSERT_TRUE(limiter.Decide("u", general_only_).admitted);
  ASSERT_TRUE(limiter.Decide("u", general_only_).admitted);
  ASSERT_TRUE(limiter.Decide("u", both_).admitted);  // general now 3 of 3, ai 1 of 2
  Decision d = limiter.Decide("u", both_);
  EXPECT_FALSE(d.admitted);
  EXPECT_TRUE(d.windows[0].refused);
  EXPECT_FALSE(d.windows[1].refused);
}

TEST_F(LocalLimiterTest, RetryAfterWaitsForEveryRefusingWindow) {
  auto limiter = MakeLimiter();
  int64_t start = clock_.now;
  limiter.Decide("u", general_only_);  // general stamps: start
  clock_.now = start + 1 * kSecond;
  limiter.Decide("u", both_);  // general: start+1s; ai: start+1s
  clock_.now = start + 2 * kSecond;
  limiter.Decide("u", both_);  // general full (3); ai full (2)
  clock_.now = start + 3 * kSecond;
  Decision d = limiter.Decide("u", both_);
  ASSERT_FALSE(d.admitted);
  // ai frees at start+1s+4s = start+5s; general at start+10s: the request waits for both.
  EXPECT_EQ(d.windows[1].FreeInUs(d.now_us), 2 * kSecond);
  EXPECT_EQ(d.RetryAfterUs(), 7 * kSecond);
  EXPECT_EQ(RetryAfterSeconds(d), 7);
  clock_.now = start + 10 * kSecond - 1;
  EXPECT_FALSE(limiter.Decide("u", both_).admitted);
  clock_.now = start + 10 * kSecond;
  EXPECT_TRUE(limiter.Decide("u", both_).admitted);
}

TEST_F(LocalLimiterTest, PeekRecordsNothing) {
  auto limiter = MakeLimiter();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Peek("u", general_only_).admitted);
  EXPECT_EQ(limiter.stats().keys, 0u);
  for (int i = 0; i < 3; ++i) limiter.Decide("u", general_only_);
  EXPECT_FALSE(limiter.Peek("u", general_only_).admitted);
}

TEST_F(LocalLimiterTest, IdleKeysAreEvicted) {
  auto limiter = MakeLimiter();
  for (int i = 0; i < 100; ++i) limiter.Decide("user-" + std::to_string(i), general_only_);
  clock_.now += 1800 * kSecond;
  for (int i = 0; i < 10; ++i) limiter.Decide("recent-" + std::to_string(i), general_only_);
  clock_.now += 1800 * kSecond;  // the longest window has passed for the first 100 only
  limiter.EvictIdle();
  auto stats = limiter.stats();
  EXPECT_EQ(stats.keys, 10u);
  EXPECT_EQ(stats.evicted_idle, 100u);
  EXPECT_EQ(stats.evicted_active, 0u);
  clock_.now += 3600 * kSecond;
  limiter.EvictIdle();
  EXPECT_EQ(limiter.stats().keys, 0u);
  EXPECT_EQ(limiter.stats().bytes, 0u);
}

TEST_F(LocalLimiterTest, BudgetPressureEvictsIdleKeysFirst) {
  // About 35 keys fit in each of the 64 shards: the 1,000 old keys fit, old and new together
  // do not, and there are idle keys enough to make room in every shard.
  constexpr std::size_t kBudget = 512 * 1024;
  auto limiter = MakeLimiter(kBudget);
  for (int i = 0; i < 1000; ++i) limiter.Decide("old-" + std::to_string(i), general_only_);
  ASSERT_EQ(limiter.stats().evicted_active + limiter.stats().evicted_idle, 0u);
  clock_.now += 3600 * kSecond;
  for (int i = 0; i < 1000; ++i) limiter.Decide("new-" + std::to_string(i), general_only_);
  auto stats = limiter.stats();
  std::printf("evicted idle %llu, active %llu\n", (unsigned long long)stats.evicted_idle,
              (unsigned long long)stats.evicted_active);
  EXPECT_LE(stats.bytes, kBudget + LocalLimiter::kShards * 512);
  EXPECT_GT(stats.evicted_idle, 0u);
  EXPECT_EQ(stats.evicted_active, 0u);
}

TEST_F(LocalLimiterTest, MemoryStaysWithinTheBudget) {
  constexpr std::size_t kBudget = 256 * 1024;
  auto limiter = MakeLimiter(kBudget);
  for (int i = 0; i < 20'000; ++i) limiter.Decide("user-" + std::to_string(i), both_);
  auto stats = limiter.stats();
  EXPECT_LE(stats.bytes, kBudget + LocalLimiter::kShards * 512);  // one entry of slack a shard
  EXPECT_LT(stats.keys, 20'000u);
  EXPECT_GT(stats.evicted_active, 0u);
  // The most recent keys are still limited exactly.
  for (int i = 0; i < 2; ++i) limiter.Decide("user-19999", both_);
  EXPECT_FALSE(limiter.Decide("user-19999", both_).admitted);
}

TEST_F(LocalLimiterTest, ClockSteppingBackNeverReordersStamps) {
  auto limiter = MakeLimiter();
  limiter.Decide("u", general_only_);
  clock_.now -= 5 * kSecond;
  Decision d = limiter.Decide("u", general_only_);
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.now_us, clock_.now + 5 * kSecond);
}

// Brute-force model: admitted iff, for each window, fewer than `limit` admitted stamps lie in
// (now - length, now]. Random arrivals, mixed general and AI requests, many rounds.
TEST_F(LocalLimiterTest, MatchesTheExactRuleOnRandomTraffic) {
  auto limiter = MakeLimiter();
  std::mt19937_64 rng(42);
  std::vector<int64_t> general_stamps, ai_stamps;
  auto in_window = [](const std::vector<int64_t>& stamps, int64_t now, int64_t length) {
    return std::count_if(stamps.begin(), stamps.end(), [&](int64_t s) { return s > now - length; });
  };
  int admitted = 0, refused = 0;
  for (int i = 0; i < 20'000; ++i) {
    clock_.now += static_cast<int64_t>(rng() % (2 * kSecond));
    bool ai = rng() % 3 == 0;
    bool expected = in_window(general_stamps, clock_.now, general_.length_us) < general_.limit &&
                    (!ai || in_window(ai_stamps, clock_.now, ai_.length_us) < ai_.limit);
    Decision d = ai ? limiter.Decide("u", both_) : limiter.Decide("u", general_only_);
    ASSERT_EQ(d.admitted, expected) << "request " << i;
    if (d.admitted) {
      general_stamps.push_back(clock_.now);
      if (ai) ai_stamps.push_back(clock_.now);
      ++admitted;
    } else {
      ++refused;
    }
  }
  EXPECT_GT(admitted, 1000);  // the traffic exercised both outcomes
  EXPECT_GT(refused, 1000);
}

TEST_F(LocalLimiterTest, ConcurrentCallersNeverOverAdmit) {
  auto limiter = MakeLimiter();
  WindowSpec big{"general", 1000, 3600 * kSecond};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Decide("shared-user", std::span(&big, 1)).admitted) ++admitted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
}

}  // namespace
}  // namespace vf::ratelimit
