#pragma once
// The in-process cache: sharded (a lock per shard), least-recently-used order and a time to live
// per entry, and a byte budget shared evenly by the shards. Expired entries are misses and are
// dropped when seen or pushed out by the budget.

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "cache/cache.hpp"

namespace vf::cache {

class MemoryCache final : public Cache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::size_t budget_bytes = 64u << 20;
    Clock clock = [] { return std::chrono::steady_clock::now(); };
  };
  explicit MemoryCache(Options options);

  std::optional<std::string> Get(std::string_view key) override;
  void Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) override;
  void Erase(std::string_view key) override;
  const char* kind() const override { return "in-process"; }

  // Drops everything (the invalidation channel was lost: nothing held can be trusted).
  void Clear();
  // Drops every key starting with `prefix`.
  void ErasePrefix(std::string_view prefix);

  struct Stats {
    std::size_t entries = 0, bytes = 0;
    uint64_t hits = 0, misses = 0, expired = 0, evicted = 0;
  };
  Stats stats() const;

  static constexpr std::size_t kShards = 16;

 private:
  struct Entry {
    std::string key, value;
    std::chrono::steady_clock::time_point expires;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // front: most recently used
    std::unordered_map<std::string_view, std::list<Entry>::iterator, StringHash, std::equal_to<>>
        index;
    std::size_t bytes = 0;
    uint64_t hits = 0, misses = 0, expired = 0, evicted = 0;
  };
  Shard& ShardFor(std::string_view key) {
    return shards_[std::hash<std::string_view>{}(key) % kShards];
  }
  static std::size_t Bytes(const Entry& e) { return e.key.size() + e.value.size() + 96; }
  void EraseLocked(Shard& s, std::list<Entry>::iterator it);

  Options options_;
  std::size_t shard_budget_;
  std::array<Shard, kShards> shards_;
};

}  // namespace vf::cache
