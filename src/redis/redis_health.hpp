#pragma once
// A one-shot Redis probe for the health route: connect, AUTH/SELECT when configured, PING, each
// under a short timeout. The rate limiter and cache bring their own long-lived connections.

#include <chrono>
#include <string>

#include "redis/redis_url.hpp"

namespace vf::redis {

struct PingResult {
  bool ok = false;
  double latency_ms = 0;
  std::string error;  // safe to show: never contains the password
};

PingResult Ping(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace vf::redis
