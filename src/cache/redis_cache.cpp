#include "cache/redis_cache.hpp"

#include <hiredis/hiredis.h>

namespace vf::cache {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

std::optional<std::string> RedisCache::Get(std::string_view key) {
  try {
    auto ctx = pool_.Acquire();
    ReplyPtr reply(
        static_cast<redisReply*>(redisCommand(ctx.get(), "GET %b", key.data(), key.size())));
    if (!reply) throw redis::RedisError("io");
    pool_.Release(std::move(ctx));
    if (reply->type == REDIS_REPLY_STRING) return std::string(reply->str, reply->len);
    if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
  } catch (const redis::RedisError&) {
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void RedisCache::Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  try {
    auto ctx = pool_.Acquire();
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommand(ctx.get(), "SET %b %b PX %lld", key.data(), key.size(), value.data(),
                     value.size(), static_cast<long long>(std::max<int64_t>(1, ttl.count())))));
    if (!reply) throw redis::RedisError("io");
    pool_.Release(std::move(ctx));
    if (reply->type != REDIS_REPLY_ERROR) return;
  } catch (const redis::RedisError&) {
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
}

void RedisCache::Erase(std::string_view key) {
  try {
    auto ctx = pool_.Acquire();
    ReplyPtr reply(
        static_cast<redisReply*>(redisCommand(ctx.get(), "DEL %b", key.data(), key.size())));
    if (!reply) throw redis::RedisError("io");
    pool_.Release(std::move(ctx));
    return;
  } catch (const redis::RedisError&) {
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
}

std::optional<std::string> TieredCache::Get(std::string_view key) {
  if (auto v = near_.Get(key)) return v;
  auto v = far_.Get(key);
  if (v) near_.Set(key, *v, near_ttl_cap_);
  return v;
}

void TieredCache::Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  far_.Set(key, value, ttl);
  near_.Set(key, std::move(value), std::min(ttl, near_ttl_cap_));
}

void TieredCache::Erase(std::string_view key) {
  far_.Erase(key);
  near_.Erase(key);
}

}  // namespace vf::cache
