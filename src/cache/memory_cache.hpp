#pragma once
// The in-process cache: sharded (a lock per shard), least-recently-used order and a time to live
// per entry, and a byte budget shared evenly by the shards. Expired entries are misses and are
// dropped when seen or pushed out by the budget.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

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
  // One allocation per entry holds its key and value together, and the shard's open-addressing
  // table holds the hash beside the pointer: a hit costs the table slot and the entry, where a
  // node-based map and an LRU list cost about six cache misses (docs/BENCHMARKS.md). Recency is
  // a per-shard tick; under budget pressure the least recent of a few sampled entries goes.
  struct Entry {
    uint64_t hash = 0;
    std::chrono::steady_clock::time_point expires;
    uint64_t last_used = 0;
    std::size_t key_size = 0;
    std::string data;  // key, then value
    std::string_view key() const { return std::string_view(data).substr(0, key_size); }
    std::string_view value() const { return std::string_view(data).substr(key_size); }
  };
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;
  };
  struct Shard {
    mutable std::mutex mu;
    std::vector<Slot> slots = std::vector<Slot>(16);
    std::size_t size = 0;
    std::size_t bytes = 0;
    uint64_t tick = 0;
    std::size_t sample_cursor = 0;
    uint64_t hits = 0, misses = 0, expired = 0, evicted = 0;
    ~Shard() {
      for (auto& s : slots) delete s.entry;
    }
  };
  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  Shard& ShardFor(uint64_t hash) { return shards_[(hash >> 56) % kShards]; }
  static std::size_t Bytes(const Entry& e) { return e.data.capacity() + sizeof(Entry) + 32; }
  static std::size_t Find(const Shard& s, uint64_t hash, std::string_view key);  // slot or npos
  static void Place(Shard& s, Entry* e);
  void EraseAt(Shard& s, std::size_t slot);

  Options options_;
  std::size_t shard_budget_;
  std::array<Shard, kShards> shards_;
};

}  // namespace vf::cache
