#include "redis/redis_health.hpp"

#include <hiredis/hiredis.h>

#include "redis/connection.hpp"

namespace vf::redis {

PingResult Ping(const RedisEndpoint& e, std::chrono::milliseconds timeout) {
  PingResult result;
  auto start = std::chrono::steady_clock::now();
  try {
    ContextPtr ctx = Connect(e, timeout);
    auto* reply = static_cast<redisReply*>(redisCommand(ctx.get(), "PING"));
    if (reply == nullptr) throw RedisError(std::string("io: ") + ctx->errstr);
    bool ok = reply->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
    if (!ok) throw RedisError("redis refused PING");
  } catch (const RedisError& error) {
    result.error = error.what();
    return result;
  }
  result.ok = true;
  result.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vf::redis
