#include "cache/invalidation_listener.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <chrono>

#include "core/log.hpp"
#include "redis/connection.hpp"

namespace vf::cache {

InvalidationListener::InvalidationListener(redis::RedisEndpoint endpoint, std::string channel,
                                           OnNotice on_notice, OnLost on_lost)
    : endpoint_(std::move(endpoint)),
      channel_(std::move(channel)),
      on_notice_(std::move(on_notice)),
      on_lost_(std::move(on_lost)) {}

InvalidationListener::~InvalidationListener() { Stop(); }

void InvalidationListener::Start() {
  thread_ = std::thread([this] { Run(); });
}

void InvalidationListener::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void InvalidationListener::Run() {
  while (!stop_) {
    Listen();  // returns when the connection is lost (or on Stop)
    if (stop_) break;
    if (connected_.exchange(false)) {
      drops_.fetch_add(1, std::memory_order_relaxed);
      on_lost_();
      log::Warn("cache invalidation channel lost: in-process cache flushed");
    }
    for (int i = 0; i < 10 && !stop_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // back off before reconnecting
    }
  }
}

bool InvalidationListener::Listen() {
  redis::ContextPtr ctx;
  try {
    ctx = redis::Connect(endpoint_, std::chrono::milliseconds(500));
  } catch (const redis::RedisError&) {
    return false;
  }
  // Named, so an operator (or a test) can find this connection in CLIENT LIST.
  std::string name = "vf-invalidation:" + channel_;
  redisAppendCommand(ctx.get(), "CLIENT SETNAME %b", name.data(), name.size());
  redisAppendCommand(ctx.get(), "SUBSCRIBE %b", channel_.data(), channel_.size());
  using Clock = std::chrono::steady_clock;
  auto last_heard = Clock::now();
  auto last_ping = Clock::now();
  while (!stop_) {
    int done = 0;
    while (!done) {
      if (redisBufferWrite(ctx.get(), &done) != REDIS_OK) return false;
    }
    // Everything already buffered first, then wait for the socket.
    void* raw = nullptr;
    while (redisGetReplyFromReader(ctx.get(), &raw) == REDIS_OK && raw != nullptr) {
      auto* reply = static_cast<redisReply*>(raw);
      last_heard = Clock::now();
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
          reply->element[0]->type == REDIS_REPLY_STRING) {
        std::string kind(reply->element[0]->str, reply->element[0]->len);
        if (kind == "subscribe") {
          // Messages may have been missed while we were away: start clean.
          on_lost_();
          connected_ = true;
        } else if (kind == "message" && reply->element[2]->type == REDIS_REPLY_STRING) {
          notices_.fetch_add(1, std::memory_order_relaxed);
          on_notice_(std::string(reply->element[2]->str, reply->element[2]->len));
        }
      }
      freeReplyObject(reply);
      raw = nullptr;
    }
    if (ctx->err != 0) return false;
    auto now = Clock::now();
    // Keep-alive: a stalled Redis says nothing, so ask it something every second.
    if (now - last_ping > std::chrono::seconds(1)) {
      redisAppendCommand(ctx.get(), "PING");
      last_ping = now;
    }
    if (now - last_heard > std::chrono::seconds(3)) return false;
    pollfd pfd{ctx->fd, POLLIN, 0};
    int ready = poll(&pfd, 1, 200);
    if (ready > 0 && redisBufferRead(ctx.get()) != REDIS_OK) return false;
  }
  return true;
}

}  // namespace vf::cache
