#pragma once
// Synchronous hiredis connections with every socket operation under a timeout, so a dead or
// stalled Redis costs at most that long.

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

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

// Blocking connections for any thread: take one (made on demand), use it, give it back. A
// connection that failed is dropped rather than returned (a late reply would be misread).
class ConnectionPool {
 public:
  ConnectionPool(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}
  ContextPtr Acquire();
  void Release(ContextPtr context);
  const RedisEndpoint& endpoint() const { return endpoint_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::vector<ContextPtr> idle_;
};

}  // namespace vf::redis
