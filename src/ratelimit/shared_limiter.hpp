#pragma once
// The limiter shared by every instance: the same exact sliding-window logs, kept in Redis as one
// list of microsecond stamps per user and window, decided by one Lua script per request (one
// round trip, atomic across windows, on Redis's own clock so instance clocks never matter).

#include <string>

#include <functional>
#include "ratelimit/decision.hpp"

#include "redis/async_redis.hpp"
#include "redis/script_runner.hpp"

namespace vf::ratelimit {

// The decision script. KEYS: one list per window; ARGV: limit and length (µs) per window.
// Returns {admitted, now_us, used_1, oldest_1, used_2, oldest_2, ...}.
const redis::LuaScript& SlidingLogScript();

class SharedLimiter final : public Limiter {
 public:
  // `prefix` namespaces the keys: "<prefix>{<user>}:<window>"; the braces are a cluster hash
  // tag, so one user's windows share a slot and the script may touch both.
  // A blocking transport (Upstash's REST API): decisions hold the calling thread.
  explicit SharedLimiter(redis::ScriptRunner& runner, std::string prefix = "vf:rl:");
  // The pipelined Redis connection: decisions hold no thread (DecideAsync).
  explicit SharedLimiter(redis::AsyncRedis& redis, std::string prefix = "vf:rl:");

  // Throws redis::RedisError when Redis cannot answer in time.
  Decision Decide(std::string_view key, std::span<const WindowSpec> windows) override;

  // Only with the pipelined connection. `done` runs once, on the Redis client's thread, with the
  // decision or (error set) without one.
  using DecisionDone = std::function<void(const Decision& decision, const char* error)>;
  void DecideAsync(std::string_view key, std::span<const WindowSpec> windows, DecisionDone done);
  bool asynchronous() const { return async_ != nullptr; }

  std::string KeyFor(std::string_view key, std::string_view window) const;
  const char* transport() const { return runner_ != nullptr ? runner_->transport() : "redis"; }

 private:
  void Arguments(std::string_view key, std::span<const WindowSpec> windows,
                 std::vector<std::string>& keys, std::vector<std::string>& args) const;
  // Throws redis::RedisError on a reply of the wrong shape.
  static Decision Parse(const std::vector<long long>& reply, std::span<const WindowSpec> windows);

  redis::ScriptRunner* runner_ = nullptr;
  redis::AsyncRedis* async_ = nullptr;
  std::string prefix_;
};

}  // namespace vf::ratelimit
