#include "cache/generations.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>

namespace vf::cache {
namespace {

uint64_t NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

const redis::LuaScript& BumpScript() {
  // KEYS[1]: the generation key; ARGV: key TTL (ms), channel, notice. Redis's own clock, so
  // instances with skewed clocks still only ever move forward.
  static const redis::LuaScript kScript(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
if g < now then g = now else g = g + 1 end
redis.call('SET', KEYS[1], string.format('%.0f', g), 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {g}
)lua");
  return kScript;
}

}  // namespace

std::optional<uint64_t> LocalGenerations::Current(const std::string& scope) {
  std::lock_guard lock(mu_);
  auto it = current_.find(scope);
  return it == current_.end() ? 0 : it->second;
}

bool LocalGenerations::Bump(const std::string& scope, const std::string&) {
  std::lock_guard lock(mu_);
  uint64_t& g = current_[scope];
  g = std::max(g + 1, NowMicros());
  return true;
}

RedisGenerations::RedisGenerations(redis::ConnectionPool& pool, redis::ScriptRunner& runner,
                                   std::string channel, std::chrono::milliseconds key_ttl)
    : pool_(pool), runner_(runner), channel_(std::move(channel)), key_ttl_(key_ttl) {}

std::optional<uint64_t> RedisGenerations::Current(const std::string& scope) {
  try {
    auto ctx = pool_.Acquire();
    std::string key = KeyOf(scope);
    auto* reply =
        static_cast<redisReply*>(redisCommand(ctx.get(), "GET %b", key.data(), key.size()));
    if (reply == nullptr) throw redis::RedisError("io");
    pool_.Release(std::move(ctx));
    std::optional<uint64_t> g;
    if (reply->type == REDIS_REPLY_NIL) g = 0;
    if (reply->type == REDIS_REPLY_STRING) {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(reply->str, reply->str + reply->len, v);
      if (ec == std::errc{} && end == reply->str + reply->len) g = v;
    }
    freeReplyObject(reply);
    if (g) return g;
  } catch (const redis::RedisError&) {
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

bool RedisGenerations::Bump(const std::string& scope, const std::string& notice) {
  try {
    std::vector<std::string> keys{KeyOf(scope)};
    std::vector<std::string> args{std::to_string(key_ttl_.count()), channel_, notice};
    runner_.Run(BumpScript(), keys, args);
    return true;
  } catch (const redis::RedisError&) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
}

}  // namespace vf::cache
