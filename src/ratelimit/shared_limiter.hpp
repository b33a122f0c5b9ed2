#pragma once
// The limiter shared by every instance: the same exact sliding-window logs, kept in Redis as one
// list of microsecond stamps per user and window, decided by one Lua script per request (one
// round trip, atomic across windows, on Redis's own clock so instance clocks never matter).

#include <string>

#include "ratelimit/decision.hpp"
#include "redis/script_runner.hpp"

namespace vf::ratelimit {

// The decision script. KEYS: one list per window; ARGV: limit and length (µs) per window.
// Returns {admitted, now_us, used_1, oldest_1, used_2, oldest_2, ...}.
const redis::LuaScript& SlidingLogScript();

class SharedLimiter final : public Limiter {
 public:
  // `prefix` namespaces the keys: "<prefix>{<user>}:<window>"; the braces are a cluster hash
  // tag, so one user's windows share a slot and the script may touch both.
  explicit SharedLimiter(redis::ScriptRunner& runner, std::string prefix = "vf:rl:");
  // Throws redis::RedisError when Redis cannot answer in time.
  Decision Decide(std::string_view key, std::span<const WindowSpec> windows) override;

  std::string KeyFor(std::string_view key, std::string_view window) const;
  const char* transport() const { return runner_.transport(); }

 private:
  redis::ScriptRunner& runner_;
  std::string prefix_;
};

}  // namespace vf::ratelimit
