// The Redis tier and the Redis generations against a real redis-server (VOICEFIT_TEST_REDIS_URL,
// started by scripts/test), and what happens when Redis is not there: misses, never errors.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "cache/generations.hpp"
#include "cache/invalidation_listener.hpp"
#include "cache/redis_cache.hpp"
#include "redis/connection.hpp"
#include "redis/redis_url.hpp"

namespace vf::cache {
namespace {

using namespace std::chrono_literals;

class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("VOICEFIT_TEST_REDIS_URL");
    if (url == nullptr) GTEST_SKIP() << "VOICEFIT_TEST_REDIS_URL unset (scripts/test sets it)";
    endpoint_ = redis::ParseRedisUrl(url);
    pool_ = std::make_unique<redis::ConnectionPool>(endpoint_, 500ms);
    prefix_ = "vf:test:cache:" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ":";
  }
  redis::RedisEndpoint endpoint_;
  std::unique_ptr<redis::ConnectionPool> pool_;
  std::string prefix_;
};

TEST_F(RedisCacheTest, StoresBinarySafeValuesWithTheirTtl) {
  RedisCache cache(*pool_);
  std::string value("a\0b\xff", 4);
  cache.Set(prefix_ + "k", value, 2000ms);
  EXPECT_EQ(cache.Get(prefix_ + "k"), value);
  auto ctx = pool_->Acquire();
  auto* reply =
      static_cast<redisReply*>(redisCommand(ctx.get(), "PTTL %s", (prefix_ + "k").c_str()));
  ASSERT_NE(reply, nullptr);
  EXPECT_GT(reply->integer, 1500);
  EXPECT_LE(reply->integer, 2000);
  freeReplyObject(reply);
  cache.Erase(prefix_ + "k");
  EXPECT_FALSE(cache.Get(prefix_ + "k"));
  EXPECT_EQ(cache.failures(), 0u);
}

TEST_F(RedisCacheTest, GenerationsMoveForwardAndAnnounceTheBump) {
  redis::HiredisScriptRunner runner(endpoint_, 500ms);
  RedisGenerations generations(*pool_, runner, prefix_ + "channel", 60s);
  std::string user = prefix_ + "user";
  std::atomic<int> notices{0};
  std::string last_notice;
  std::mutex mu;
  InvalidationListener listener(
      endpoint_, prefix_ + "channel",
      [&](const std::string& n) {
        std::lock_guard lock(mu);
        last_notice = n;
        ++notices;
      },
      [] {});
  listener.Start();
  for (int i = 0; i < 100 && !listener.connected(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(listener.connected());
  EXPECT_EQ(generations.Current(user), 0u);
  ASSERT_TRUE(generations.Bump(user, "user_context:v1:" + user + ":"));
  uint64_t first = *generations.Current(user);
  EXPECT_GT(first, 1'700'000'000'000'000u);  // Redis time in microseconds
  ASSERT_TRUE(generations.Bump(user, "again"));
  EXPECT_GT(*generations.Current(user), first);
  for (int i = 0; i < 100 && notices < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(notices.load(), 2);
  std::lock_guard lock(mu);
  EXPECT_EQ(last_notice, "again");
}

TEST_F(RedisCacheTest, ALostChannelFlushesAndReconnects) {
  std::atomic<int> lost{0};
  InvalidationListener listener(
      endpoint_, prefix_ + "channel", [](const std::string&) {}, [&] { ++lost; });
  listener.Start();
  for (int i = 0; i < 100 && !listener.connected(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(listener.connected());
  int after_connect = lost.load();  // connecting flushes too (announcements may have been missed)
  EXPECT_GE(after_connect, 1);
  // Kill this listener's connection only (other tests may be listening on the same Redis).
  auto ctx = pool_->Acquire();
  auto* list = static_cast<redisReply*>(redisCommand(ctx.get(), "CLIENT LIST TYPE pubsub"));
  ASSERT_NE(list, nullptr);
  std::string clients(list->str, list->len);
  freeReplyObject(list);
  std::string wanted = "name=vf-invalidation:" + prefix_ + "channel ";
  auto at = clients.find(wanted);
  ASSERT_NE(at, std::string::npos) << clients;
  auto line_start = clients.rfind('\n', at);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::string id = clients.substr(line_start + 3, clients.find(' ', line_start) - line_start - 3);
  freeReplyObject(redisCommand(ctx.get(), "CLIENT KILL ID %s", id.c_str()));
  for (int i = 0; i < 200 && listener.drops() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(listener.drops(), 1u);
  for (int i = 0; i < 200 && !listener.connected(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(listener.connected());
  EXPECT_GE(lost.load(), after_connect + 2);  // once for the drop, once on reconnecting
}

TEST(RedisCacheDown, IsAMissNeverAnError) {
  redis::ConnectionPool dead({.host = "127.0.0.1", .port = 1}, 50ms);
  RedisCache cache(dead);
  cache.Set("k", "v", 1s);
  EXPECT_FALSE(cache.Get("k"));
  cache.Erase("k");
  EXPECT_EQ(cache.failures(), 3u);
  redis::HiredisScriptRunner runner({.host = "127.0.0.1", .port = 1}, 50ms);
  RedisGenerations generations(dead, runner, "c", 60s);
  EXPECT_FALSE(generations.Current("u").has_value());  // unknown: the caller must bypass
  EXPECT_FALSE(generations.Bump("u", ""));
}

}  // namespace
}  // namespace vf::cache
