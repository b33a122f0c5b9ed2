#include "redis/redis_health.hpp"

#include <hiredis/hiredis.h>

#include <memory>

namespace vf::redis {

PingResult Ping(const RedisEndpoint& e, std::chrono::milliseconds timeout) {
  PingResult result;
  auto start = std::chrono::steady_clock::now();
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  std::unique_ptr<redisContext, decltype(&redisFree)> ctx(
      redisConnectWithTimeout(e.host.c_str(), e.port, tv), &redisFree);
  if (!ctx || ctx->err != 0) {
    result.error = ctx ? std::string("connect: ") + ctx->errstr : "connect: out of memory";
    return result;
  }
  redisSetTimeout(ctx.get(), tv);
  auto command = [&](const char* fmt, auto... args) -> bool {
    auto* reply = static_cast<redisReply*>(redisCommand(ctx.get(), fmt, args...));
    if (reply == nullptr) {
      result.error = std::string("io: ") + ctx->errstr;
      return false;
    }
    bool ok = reply->type != REDIS_REPLY_ERROR;
    if (!ok) result.error = "redis refused a command";  // the reply may echo credentials
    freeReplyObject(reply);
    return ok;
  };
  if (!e.password.empty()) {
    bool ok = e.username.empty() ? command("AUTH %s", e.password.c_str())
                                 : command("AUTH %s %s", e.username.c_str(), e.password.c_str());
    if (!ok) return result;
  }
  if (e.db != 0 && !command("SELECT %d", e.db)) return result;
  if (!command("PING")) return result;
  result.ok = true;
  result.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vf::redis
