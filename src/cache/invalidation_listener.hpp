#pragma once
// Keeps this instance's in-process tier in step with the others: listens on the Redis
// invalidation channel and drops the key prefixes other instances announce. If the channel
// drops (or goes quiet past its keep-alive), everything in the in-process tier is dropped, since
// announcements may have been missed, and again when it reconnects.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "redis/redis_url.hpp"

namespace vf::cache {

class InvalidationListener {
 public:
  using OnNotice = std::function<void(const std::string& notice)>;
  using OnLost = std::function<void()>;
  InvalidationListener(redis::RedisEndpoint endpoint, std::string channel, OnNotice on_notice,
                       OnLost on_lost);
  ~InvalidationListener();
  void Start();
  void Stop();
  bool connected() const { return connected_.load(std::memory_order_relaxed); }
  uint64_t notices() const { return notices_.load(std::memory_order_relaxed); }
  uint64_t drops() const { return drops_.load(std::memory_order_relaxed); }

 private:
  void Run();
  bool Listen();  // one connection's life; false when it was lost
  redis::RedisEndpoint endpoint_;
  std::string channel_;
  OnNotice on_notice_;
  OnLost on_lost_;
  std::atomic<bool> stop_{false}, connected_{false};
  std::atomic<uint64_t> notices_{0}, drops_{0};
  std::thread thread_;
};

}  // namespace vf::cache
