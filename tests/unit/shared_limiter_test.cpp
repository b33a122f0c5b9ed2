// The shared limiter against a real redis-server (VOICEFIT_TEST_REDIS_URL, started by
// scripts/test): the Lua script's decisions checked against the exact rule on Redis's own clock,
// with concurrent callers and both windows; NOSCRIPT recovery; TTLs; memory per user; and the
// circuit breaker around a Redis that is not there.

#include "ratelimit/shared_limiter.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include "ratelimit/failover_limiter.hpp"
#include "redis/connection.hpp"
#include "redis/redis_url.hpp"

namespace vf::ratelimit {
namespace {

constexpr int64_t kSecond = 1'000'000;

// Every test runs over both transports: pooled blocking connections ("blocking") and the
// pipelined asynchronous connection the server uses for REDIS_URL ("pipelined").
class SharedLimiterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* url = std::getenv("VOICEFIT_TEST_REDIS_URL");
    if (url == nullptr) GTEST_SKIP() << "VOICEFIT_TEST_REDIS_URL unset (scripts/test sets it)";
    endpoint_ = redis::ParseRedisUrl(url);
    runner_ =
        std::make_unique<redis::HiredisScriptRunner>(endpoint_, std::chrono::milliseconds(500));
    async_ = std::make_unique<redis::AsyncRedis>(endpoint_, std::chrono::milliseconds(500));
    // Each test gets keys of its own.
    prefix_ =
        "vf:test:" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
        ":" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ":";
    limiter_ = GetParam() == "pipelined" ? std::make_unique<SharedLimiter>(*async_, prefix_)
                                         : std::make_unique<SharedLimiter>(*runner_, prefix_);
    admin_ = redis::Connect(endpoint_, std::chrono::milliseconds(500));
  }

  long long Command(const char* fmt, const std::string& arg = "") {
    auto* reply = static_cast<redisReply*>(redisCommand(admin_.get(), fmt, arg.c_str()));
    EXPECT_NE(reply, nullptr);
    if (reply == nullptr) return -1;
    long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    freeReplyObject(reply);
    return value;
  }

  redis::RedisEndpoint endpoint_;
  std::unique_ptr<redis::HiredisScriptRunner> runner_;
  std::unique_ptr<redis::AsyncRedis> async_;
  std::string prefix_;
  std::unique_ptr<SharedLimiter> limiter_;
  redis::ContextPtr admin_;
};

TEST_P(SharedLimiterTest, KeysShareAHashTagPerUser) {
  EXPECT_EQ(limiter_->KeyFor("user-1", "ai"), prefix_ + "{user-1}:ai");
}

TEST_P(SharedLimiterTest, AdmitsUpToTheLimitAndRefusalChargesNeither) {
  std::array<WindowSpec, 2> both{WindowSpec{"general", 5, 3600 * kSecond},
                                 WindowSpec{"ai", 2, 60 * kSecond}};
  ASSERT_TRUE(limiter_->Decide("u", both).admitted);
  Decision second = limiter_->Decide("u", both);
  ASSERT_TRUE(second.admitted);
  EXPECT_EQ(second.source, DecisionSource::kShared);
  EXPECT_EQ(second.windows[0].used, 2);
  EXPECT_EQ(second.windows[1].used, 2);
  Decision refused = limiter_->Decide("u", both);
  EXPECT_FALSE(refused.admitted);
  EXPECT_FALSE(refused.windows[0].refused);
  EXPECT_TRUE(refused.windows[1].refused);
  EXPECT_GT(refused.RetryAfterUs(), 59 * kSecond);
  EXPECT_LE(refused.RetryAfterUs(), 60 * kSecond);
  // Nothing was recorded for the refusal: three general-only requests still fit (2 + 3 = 5).
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter_->Decide("u", std::span(both.data(), 1)).admitted);
  EXPECT_FALSE(limiter_->Decide("u", std::span(both.data(), 1)).admitted);
  EXPECT_EQ(Command("LLEN %s", limiter_->KeyFor("u", "general")), 5);
  EXPECT_EQ(Command("LLEN %s", limiter_->KeyFor("u", "ai")), 2);
}

TEST_P(SharedLimiterTest, EveryKeyHasATtlOfItsWindow) {
  std::array<WindowSpec, 2> both{WindowSpec{"general", 5, 3600 * kSecond},
                                 WindowSpec{"ai", 2, 60 * kSecond}};
  limiter_->Decide("u", both);
  long long general_ttl = Command("PTTL %s", limiter_->KeyFor("u", "general"));
  long long ai_ttl = Command("PTTL %s", limiter_->KeyFor("u", "ai"));
  EXPECT_GT(general_ttl, 3590'000);
  EXPECT_LE(general_ttl, 3600'000);
  EXPECT_GT(ai_ttl, 50'000);
  EXPECT_LE(ai_ttl, 60'000);
}

TEST_P(SharedLimiterTest, ReloadsTheScriptAfterNoScript) {
  WindowSpec w{"general", 10, 60 * kSecond};
  ASSERT_TRUE(limiter_->Decide("u", std::span(&w, 1)).admitted);
  Command("SCRIPT FLUSH");
  Decision d = limiter_->Decide("u", std::span(&w, 1));
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.windows[0].used, 2);
}

// A premium user at both full limits (300 per hour + 50 per minute) in Redis's own accounting,
// with the production key names and a Supabase user id (a UUID).
TEST_P(SharedLimiterTest, PremiumUserAtFullLimitsFitsInFourKilobytes) {
  SharedLimiter production =
      GetParam() == "pipelined" ? SharedLimiter(*async_) : SharedLimiter(*runner_);
  std::string user =
      "6f1c2d3e-4b5a-4789-9abc-" +
      std::to_string(100000000000 +
                     std::chrono::steady_clock::now().time_since_epoch().count() % 100000000000);
  std::array<WindowSpec, 2> premium{WindowSpec{"general", 300, 3600 * kSecond},
                                    WindowSpec{"ai", 50, 60 * kSecond}};
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(production.Decide(user, premium).admitted);
  for (int i = 0; i < 250; ++i)
    ASSERT_TRUE(production.Decide(user, std::span(premium.data(), 1)).admitted);
  ASSERT_FALSE(production.Decide(user, std::span(premium.data(), 1)).admitted);
  long long general = Command("MEMORY USAGE %s", production.KeyFor(user, "general"));
  long long ai = Command("MEMORY USAGE %s", production.KeyFor(user, "ai"));
  Command("DEL %s", production.KeyFor(user, "general"));
  Command("DEL %s", production.KeyFor(user, "ai"));
  RecordProperty("memory_usage_bytes", std::to_string(general + ai));
  std::printf("premium user at full limits: general %lld B + ai %lld B = %lld B\n", general, ai,
              general + ai);
  EXPECT_GT(general, 300 * 8);  // it really holds 300 stamps
  EXPECT_LE(general + ai, 4096);
}

// 16 threads, each with its own connection, hammer one user on both windows. Every decision
// carries Redis's clock; the admitted stamps must satisfy the rule exactly, and every refusal
// must be justified by a full window at that instant.
TEST_P(SharedLimiterTest, ConcurrentDecisionsFollowTheExactRule) {
  std::array<WindowSpec, 2> both{WindowSpec{"general", 40, 2 * kSecond},
                                 WindowSpec{"ai", 15, kSecond / 2}};
  struct Record {
    int64_t now;
    bool ai, admitted;
  };
  std::mutex mu;
  std::vector<Record> records;
  std::vector<std::thread> threads;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Record> mine;
      for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
        bool ai = (i + t) % 2 == 0;
        Decision d =
            ai ? limiter_->Decide("c", both) : limiter_->Decide("c", std::span(both.data(), 1));
        mine.push_back({d.now_us, ai, d.admitted});
      }
      std::lock_guard lock(mu);
      records.insert(records.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) { return a.now < b.now; });
  std::vector<int64_t> general, ai;
  int over = 0, wrongly_refused = 0, refused = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    auto count = [&](const std::vector<int64_t>& stamps, int64_t length) {
      return std::count_if(stamps.begin(), stamps.end(),
                           [&](int64_t s) { return s > r.now - length; });
    };
    bool room = count(general, both[0].length_us) < both[0].limit &&
                (!r.ai || count(ai, both[1].length_us) < both[1].limit);
    if (r.admitted && !room) ++over;
    if (!r.admitted && room) ++wrongly_refused;
    if (r.admitted) {
      general.push_back(r.now);
      if (r.ai) ai.push_back(r.now);
    } else {
      ++refused;
    }
  }
  std::printf("%zu decisions, %zu admitted, %d refused\n", records.size(), general.size(), refused);
  EXPECT_EQ(over, 0);
  EXPECT_EQ(wrongly_refused, 0);
  EXPECT_GT(refused, 100);             // the limits were actually reached
  EXPECT_GT(general.size(), 40u * 1);  // and windows rolled over
}

TEST(FailoverLimiterTest, FailsOpenToTheLocalLimiterAndSkipsRedisForAWhile) {
  // Nothing listens on this port: every connection is refused at once.
  redis::HiredisScriptRunner dead({.host = "127.0.0.1", .port = 1}, std::chrono::milliseconds(50));
  SharedLimiter shared(dead);
  int64_t now = 1000 * kSecond;
  auto clock = [&] { return now; };
  LocalLimiter local({.clock = clock});
  FailoverLimiter limiter(&shared, local, std::chrono::milliseconds(1000), clock);
  WindowSpec w{"general", 3, 60 * kSecond};
  Decision first = limiter.Decide("u", std::span(&w, 1));
  EXPECT_TRUE(first.admitted);
  EXPECT_EQ(first.source, DecisionSource::kFailOpen);
  EXPECT_TRUE(limiter.failing_open());
  // Still limited, in-process; and Redis is not tried while the breaker is open.
  limiter.Decide("u", std::span(&w, 1));
  limiter.Decide("u", std::span(&w, 1));
  EXPECT_FALSE(limiter.Decide("u", std::span(&w, 1)).admitted);
  auto stats = limiter.stats();
  EXPECT_EQ(stats.shared_errors, 1u);
  EXPECT_EQ(stats.fail_open_decisions, 4u);
  EXPECT_EQ(stats.breaker_opened, 1u);
  // After the break one request probes Redis again (and fails again here).
  now += 1001 * 1000;
  limiter.Decide("v", std::span(&w, 1));
  EXPECT_EQ(limiter.stats().shared_errors, 2u);
  EXPECT_EQ(limiter.stats().breaker_opened, 1u);  // still the same outage: logged once
}

TEST_P(SharedLimiterTest, SharedLimitsResumeWhenRedisAnswersAgain) {
  // Start on a dead address, then point at the live Redis (as a restart would look).
  std::atomic<bool> alive{false};
  struct Switching final : redis::ScriptRunner {
    redis::ScriptRunner* live;
    std::atomic<bool>* alive;
    redis::HiredisScriptRunner dead{{.host = "127.0.0.1", .port = 1},
                                    std::chrono::milliseconds(50)};
    std::vector<long long> Run(const redis::LuaScript& s, std::span<const std::string> k,
                               std::span<const std::string> a) override {
      return (*alive ? *live : static_cast<redis::ScriptRunner&>(dead)).Run(s, k, a);
    }
    const char* transport() const override { return "redis"; }
  } runner;
  runner.live = runner_.get();
  runner.alive = &alive;
  SharedLimiter shared(runner, prefix_);
  int64_t now = 1000 * kSecond;
  auto clock = [&] { return now; };
  LocalLimiter local({.clock = clock});
  FailoverLimiter limiter(&shared, local, std::chrono::milliseconds(1000), clock);
  WindowSpec w{"general", 100, 60 * kSecond};
  EXPECT_EQ(limiter.Decide("u", std::span(&w, 1)).source, DecisionSource::kFailOpen);
  alive = true;
  EXPECT_EQ(limiter.Decide("u", std::span(&w, 1)).source, DecisionSource::kFailOpen);  // open
  now += 1001 * 1000;
  EXPECT_EQ(limiter.Decide("u", std::span(&w, 1)).source, DecisionSource::kShared);  // probe
  EXPECT_FALSE(limiter.failing_open());
  EXPECT_EQ(limiter.Decide("u", std::span(&w, 1)).source, DecisionSource::kShared);
}

INSTANTIATE_TEST_SUITE_P(Transports, SharedLimiterTest, ::testing::Values("blocking", "pipelined"),
                         [](const auto& param_info) { return param_info.param; });

// A peer that accepts connections and never answers: a stalled Redis.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPeer() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(AsyncRedisTest, AStalledRedisFailsEveryWaitingCommandAtTheTimeout) {
  SilentPeer peer;
  redis::AsyncRedis stalled({.host = "127.0.0.1", .port = peer.port()},
                            std::chrono::milliseconds(50));
  SharedLimiter shared(stalled);
  WindowSpec w{"general", 3, 60 * kSecond};
  std::atomic<int> answered{0};
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> started(8), failed(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      started[i] = Clock::now();
      EXPECT_THROW(shared.Decide("u", std::span(&w, 1)), redis::RedisError);
      failed[i] = Clock::now();
      ++answered;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), 8);
  // Replies come in order, so when the first command's time is up the connection is stalled and
  // every command behind it fails with it: none before the first one's timeout, none hangs.
  auto first_sent = *std::min_element(started.begin(), started.end());
  for (int i = 0; i < 8; ++i) {
    EXPECT_GE(failed[i] - first_sent, std::chrono::milliseconds(45));
    EXPECT_LT(failed[i] - started[i], std::chrono::milliseconds(400));
  }
}

TEST(FailoverLimiterTest, AsyncDecisionsFailOpenWhenRedisStalls) {
  SilentPeer peer;
  redis::AsyncRedis stalled({.host = "127.0.0.1", .port = peer.port()},
                            std::chrono::milliseconds(50));
  SharedLimiter shared(stalled);
  LocalLimiter local({});
  FailoverLimiter limiter(&shared, local, std::chrono::milliseconds(1000));
  static const WindowSpec w{"general", 2, 60 * kSecond};
  auto decide = [&] {
    std::promise<Decision> answer;
    limiter.DecideAsync("u", std::span(&w, 1), [&](const Decision& d) { answer.set_value(d); });
    return answer.get_future().get();
  };
  auto start = std::chrono::steady_clock::now();
  Decision first = decide();
  EXPECT_EQ(first.source, DecisionSource::kFailOpen);
  EXPECT_TRUE(first.admitted);
  // The breaker is open now: the next decisions do not wait for Redis at all, and still limit.
  auto second_start = std::chrono::steady_clock::now();
  EXPECT_TRUE(decide().admitted);
  EXPECT_FALSE(decide().admitted);
  // Waiting on the stalled Redis would take its 50 ms timeout twice: well over this bound, which
  // leaves room for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - second_start, std::chrono::milliseconds(90));
  EXPECT_LT(second_start - start, std::chrono::milliseconds(400));
  EXPECT_EQ(limiter.stats().shared_errors, 1u);
}

}  // namespace
}  // namespace vf::ratelimit
