#include "ratelimit/local_limiter.hpp"

#include <chrono>

namespace vf::ratelimit {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

LocalLimiter::LocalLimiter(Options options)
    : options_(std::move(options)),
      shard_budget_(std::max<std::size_t>(options_.memory_budget_bytes / kShards, 4096)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

std::size_t LocalLimiter::EntryBytes(const Entry& e) {
  // The list node, the index node (about a pointer pair and a hash), the key and the rings.
  std::size_t bytes = sizeof(Entry) + 4 * sizeof(void*) + 32 + e.key.capacity();
  for (const auto& log : e.logs) bytes += log.capacity_bytes();
  return bytes;
}

Decision LocalLimiter::Decide(std::string_view key, std::span<const WindowSpec> windows) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  return DecideLocked(shard, key, windows, true);
}

Decision LocalLimiter::Peek(std::string_view key, std::span<const WindowSpec> windows) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  return DecideLocked(shard, key, windows, false);
}

Decision LocalLimiter::DecideLocked(Shard& shard, std::string_view key,
                                    std::span<const WindowSpec> windows, bool record) {
  Decision d;
  d.source = DecisionSource::kInProcess;
  d.count = std::min(windows.size(), kMaxWindows);
  int64_t now = options_.clock();
  d.now_us = now;

  auto found = shard.index.find(key);
  Entry* entry = nullptr;
  if (found != shard.index.end()) {
    entry = &*found->second;
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    // Stamps stay ordered even if a clock ever stepped back.
    for (std::size_t i = 0; i < d.count; ++i) {
      if (!entry->logs[i].empty()) now = std::max(now, entry->logs[i].newest());
    }
    d.now_us = now;
  }

  d.admitted = true;
  for (std::size_t i = 0; i < d.count; ++i) {
    WindowOutcome& w = d.windows[i];
    w.limit = windows[i].limit;
    w.length_us = windows[i].length_us;
    if (entry != nullptr) {
      SlidingLog& log = entry->logs[i];
      log.Expire(now, w.length_us);
      w.used = static_cast<int64_t>(log.size());
      if (!log.empty()) w.oldest_us = log.oldest();
    }
    w.refused = w.used >= w.limit;
    if (w.refused) d.admitted = false;
  }
  if (!d.admitted || !record) {
    if (entry != nullptr) {
      std::size_t bytes = EntryBytes(*entry);
      shard.bytes = shard.bytes - entry->bytes + bytes;
      entry->bytes = bytes;
    }
    return d;
  }

  if (entry == nullptr) {
    shard.lru.emplace_front();
    entry = &shard.lru.front();
    entry->key.assign(key);
    shard.index.emplace(entry->key, shard.lru.begin());
  }
  entry->last_admitted_us = now;
  for (std::size_t i = 0; i < d.count; ++i) {
    WindowOutcome& w = d.windows[i];
    entry->logs[i].Push(now, static_cast<std::size_t>(w.limit));
    if (w.used == 0) w.oldest_us = now;
    ++w.used;
  }
  std::size_t bytes = EntryBytes(*entry);
  shard.bytes = shard.bytes - entry->bytes + bytes;
  entry->bytes = bytes;
  EvictCold(shard, now, entry);
  return d;
}

void LocalLimiter::EvictCold(Shard& shard, int64_t now_us, const Entry* keep) {
  while (!shard.lru.empty() && &shard.lru.back() != keep) {
    Entry& cold = shard.lru.back();
    bool idle = cold.last_admitted_us <= now_us - options_.longest_window_us;
    if (!idle && shard.bytes <= shard_budget_) return;
    (idle ? shard.evicted_idle : shard.evicted_active)++;
    shard.bytes -= cold.bytes;
    shard.index.erase(cold.key);
    shard.lru.pop_back();
  }
}

void LocalLimiter::EvictIdle() {
  int64_t now = options_.clock();
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    EvictCold(shards_[i], now, nullptr);
  }
}

LocalLimiter::Stats LocalLimiter::stats() const {
  Stats s;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    s.keys += shards_[i].index.size();
    s.bytes += shards_[i].bytes;
    s.evicted_idle += shards_[i].evicted_idle;
    s.evicted_active += shards_[i].evicted_active;
  }
  return s;
}

}  // namespace vf::ratelimit
