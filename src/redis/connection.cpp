#include "redis/connection.hpp"

#include <hiredis/hiredis.h>

#include <string>

namespace vf::redis {

void ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

ContextPtr Connect(const RedisEndpoint& e, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ContextPtr ctx(redisConnectWithTimeout(e.host.c_str(), e.port, tv));
  if (!ctx) throw RedisError("connect: out of memory");
  if (ctx->err != 0) throw RedisError(std::string("connect: ") + ctx->errstr);
  if (redisSetTimeout(ctx.get(), tv) != REDIS_OK) throw RedisError("connect: cannot set timeout");
  auto command = [&](const char* fmt, auto... args) {
    auto* reply = static_cast<redisReply*>(redisCommand(ctx.get(), fmt, args...));
    if (reply == nullptr) throw RedisError(std::string("io: ") + ctx->errstr);
    bool ok = reply->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
    if (!ok) throw RedisError("redis refused AUTH or SELECT");  // the reply may echo secrets
  };
  if (!e.password.empty()) {
    if (e.username.empty()) {
      command("AUTH %s", e.password.c_str());
    } else {
      command("AUTH %s %s", e.username.c_str(), e.password.c_str());
    }
  }
  if (e.db != 0) command("SELECT %d", e.db);
  return ctx;
}

ContextPtr ConnectionPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      ContextPtr c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return Connect(endpoint_, timeout_);
}

void ConnectionPool::Release(ContextPtr context) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(context));
}

}  // namespace vf::redis
