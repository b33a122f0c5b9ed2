#pragma once
// Per-scope (per-user) generations: the exact invalidation scheme. Keys that depend on a user's
// data carry the user's current generation; a committed write moves the user to a generation
// never used before. A reader that read the old generation and finishes computing after the
// write installs its value under the old key, which nobody asks for any more: the stale-refill
// race of delete-on-write cannot happen. New generations come from the clock (microseconds, or
// one more than the last if that is larger), so an expired generation key never brings an old
// number back.

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "redis/connection.hpp"
#include "redis/script_runner.hpp"

namespace vf::cache {

class Generations {
 public:
  virtual ~Generations() = default;
  // nullopt when it cannot be known now (Redis down): then the cache must not be used.
  virtual std::optional<uint64_t> Current(const std::string& scope) = 0;
  // After a committed write, before its reply. `notice` is published to the other instances
  // (the key prefix their in-process tier should drop). False if it could not be done.
  virtual bool Bump(const std::string& scope, const std::string& notice) = 0;
};

class LocalGenerations final : public Generations {
 public:
  std::optional<uint64_t> Current(const std::string& scope) override;
  bool Bump(const std::string& scope, const std::string& notice) override;

 private:
  std::mutex mu_;
  std::unordered_map<std::string, uint64_t> current_;
};

// Generations in Redis ("vf:gen:{scope}"), read on every lookup so every instance agrees; bumped
// and announced on the invalidation channel by one script. Each key lives `key_ttl` after its
// last bump (longer than any value keyed by it).
class RedisGenerations final : public Generations {
 public:
  RedisGenerations(redis::ConnectionPool& pool, redis::ScriptRunner& runner, std::string channel,
                   std::chrono::milliseconds key_ttl);
  std::optional<uint64_t> Current(const std::string& scope) override;
  bool Bump(const std::string& scope, const std::string& notice) override;
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  std::string KeyOf(const std::string& scope) const { return "vf:gen:{" + scope + "}"; }
  redis::ConnectionPool& pool_;
  redis::ScriptRunner& runner_;
  std::string channel_;
  std::chrono::milliseconds key_ttl_;
  std::atomic<uint64_t> failures_{0};
};

}  // namespace vf::cache
