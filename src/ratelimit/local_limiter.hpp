#pragma once
// The in-process limiter: exact sliding-window logs per key, in shards that each have their own
// lock (no global lock), with a least-recently-used order per shard. Idle keys (nothing left in
// any window) are dropped as they reach the cold end; when the memory budget is reached the
// coldest key goes even if active, which can only ever admit more, never refuse wrongly.

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ratelimit/decision.hpp"
#include "ratelimit/sliding_log.hpp"

namespace vf::ratelimit {

using MicrosClock = std::function<int64_t()>;

// Monotonic microseconds (steady clock): wall-clock steps must not open or close windows.
int64_t SteadyMicros();

class LocalLimiter final : public Limiter {
 public:
  struct Options {
    std::size_t memory_budget_bytes = 64u << 20;
    int64_t longest_window_us = 3600LL * 1'000'000;  // keys idle this long hold nothing
    MicrosClock clock = SteadyMicros;
  };
  explicit LocalLimiter(Options options);

  Decision Decide(std::string_view key, std::span<const WindowSpec> windows) override;
  // The decision Decide would take now, without recording anything.
  Decision Peek(std::string_view key, std::span<const WindowSpec> windows);

  // Drops idle keys in every shard (decisions only sweep the shard they touch); run on a timer.
  void EvictIdle();

  struct Stats {
    std::size_t keys = 0;
    std::size_t bytes = 0;
    uint64_t evicted_idle = 0;
    uint64_t evicted_active = 0;  // budget pressure: should stay 0; a metric to watch
  };
  Stats stats() const;

  static constexpr std::size_t kShards = 64;

 private:
  struct Entry {
    std::string key;
    int64_t last_admitted_us = 0;
    std::array<SlidingLog, kMaxWindows> logs;
    std::size_t bytes = 0;
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
    uint64_t evicted_idle = 0, evicted_active = 0;
  };

  Decision DecideLocked(Shard& shard, std::string_view key, std::span<const WindowSpec> windows,
                        bool record);
  void EvictCold(Shard& shard, int64_t now_us, const Entry* keep);
  static std::size_t EntryBytes(const Entry& e);

  Options options_;
  std::size_t shard_budget_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace vf::ratelimit
