#pragma once
// The in-process limiter: exact sliding-window logs per key, in shards that each have their own
// lock (no global lock). Idle keys (nothing left in any window) are dropped by a periodic sweep
// and whenever a shard is over its share of the memory budget; if that is not enough, the least
// recently used of a sample of keys goes even if active (as Redis's approximated LRU does),
// which can only ever admit more, never refuse wrongly. No LRU list: keeping one ordered cost
// three extra cache misses per decision.

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/time.hpp"
#include "ratelimit/decision.hpp"
#include "ratelimit/key_table.hpp"
#include "ratelimit/sliding_log.hpp"

namespace vf::ratelimit {

using MicrosClock = std::function<int64_t()>;
using vf::SteadyMicros;  // wall-clock steps must not open or close windows

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
    InlineKey key;
    int64_t last_used_us = 0;
    int64_t last_admitted_us = 0;
    std::array<SlidingLog, kMaxWindows> logs;
    std::size_t bytes = 0;
  };
  using Map = KeyTable<Entry>;
  struct Shard {
    mutable std::mutex mu;
    Map entries;
    std::size_t bytes = 0;
    std::size_t sample_cursor = 0;  // slot where the next eviction sample starts
    uint64_t evicted_idle = 0, evicted_active = 0;
  };

  Decision DecideLocked(Shard& shard, const InlineKey& key, std::span<const WindowSpec> windows,
                        bool record);
  void EvictForBudget(Shard& shard, int64_t now_us, const Entry* keep);
  bool Idle(const Entry& e, int64_t now_us) const {
    return e.last_admitted_us <= now_us - options_.longest_window_us;
  }
  static std::size_t EntryBytes(const Entry& e);

  Options options_;
  std::size_t shard_budget_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace vf::ratelimit
