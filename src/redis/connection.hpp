#pragma once
// Synchronous hiredis connections with every socket operation under a timeout, so a dead or
// stalled Redis costs at most that long.

#include <chrono>
#include <memory>
#include <stdexcept>

#include "redis/redis_url.hpp"

struct redisContext;

namespace vf::redis {

// A Redis failure; the message is safe to log (never the password or a reply that may echo it).
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ContextDeleter {
  void operator()(redisContext* context) const;
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

// Connects, authenticates and selects the database; throws RedisError.
ContextPtr Connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace vf::redis
