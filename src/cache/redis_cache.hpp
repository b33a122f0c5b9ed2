#pragma once
// The shared tier: plain GET / SET PX / DEL on Redis through pooled blocking connections with a
// short timeout. Every failure (down, slow, refused) is a miss or a no-op, and counted.

#include <atomic>

#include "cache/cache.hpp"
#include "redis/connection.hpp"

namespace vf::cache {

class RedisCache final : public Cache {
 public:
  explicit RedisCache(redis::ConnectionPool& pool) : pool_(pool) {}
  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  const char* kind() const override { return "redis"; }
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  redis::ConnectionPool& pool_;
  std::atomic<uint64_t> failures_{0};
};

// In-process first, Redis behind it. Reads fill the in-process tier from Redis; writes and
// erases go to both. Entries that depend on data which can change carry a generation in their
// key (see generations.hpp), so neither tier can serve them stale.
class TieredCache final : public Cache {
 public:
  TieredCache(Cache& near, Cache& far, std::chrono::milliseconds near_ttl_cap)
      : near_(near), far_(far), near_ttl_cap_(near_ttl_cap) {}
  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  const char* kind() const override { return "two-tier"; }

 private:
  Cache& near_;
  Cache& far_;
  std::chrono::milliseconds near_ttl_cap_;
};

}  // namespace vf::cache
