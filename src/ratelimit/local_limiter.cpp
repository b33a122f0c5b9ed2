#include "ratelimit/local_limiter.hpp"

#include <chrono>

#include "core/digest.hpp"

namespace vf::ratelimit {

InlineKey InlineKey::From(std::string_view key) {
  InlineKey k;
  std::array<unsigned char, 32> digest{};
  if (key.size() > k.text.size()) {
    digest = Sha256(key);
    key = std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  k.size = static_cast<uint8_t>(key.size());
  std::copy(key.begin(), key.end(), k.text.begin());
  k.hash = std::hash<std::string_view>{}(key);
  return k;
}

LocalLimiter::LocalLimiter(Options options)
    : options_(std::move(options)),
      shard_budget_(std::max<std::size_t>(options_.memory_budget_bytes / kShards, 4096)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

std::size_t LocalLimiter::EntryBytes(const Entry& e) {
  // The entry, its two table slots (the table is kept at most half full) and the rings.
  std::size_t bytes = sizeof(Entry) + 32;
  for (const auto& log : e.logs) bytes += log.capacity_bytes();
  return bytes;
}

Decision LocalLimiter::Decide(std::string_view key, std::span<const WindowSpec> windows) {
  InlineKey k = InlineKey::From(key);
  // High bits pick the shard; the shard's table uses the low bits.
  Shard& shard = shards_[(k.hash >> 48) % kShards];
  std::lock_guard lock(shard.mu);
  return DecideLocked(shard, k, windows, true);
}

Decision LocalLimiter::Peek(std::string_view key, std::span<const WindowSpec> windows) {
  InlineKey k = InlineKey::From(key);
  Shard& shard = shards_[(k.hash >> 48) % kShards];
  std::lock_guard lock(shard.mu);
  return DecideLocked(shard, k, windows, false);
}

Decision LocalLimiter::DecideLocked(Shard& shard, const InlineKey& key,
                                    std::span<const WindowSpec> windows, bool record) {
  Decision d;
  d.source = DecisionSource::kInProcess;
  d.count = std::min(windows.size(), kMaxWindows);
  int64_t now = options_.clock();

  Entry* entry = shard.entries.Find(key);
  if (entry != nullptr) {
    // Stamps stay ordered even if a clock ever stepped back.
    for (std::size_t i = 0; i < d.count; ++i) {
      if (!entry->logs[i].empty()) now = std::max(now, entry->logs[i].newest());
    }
    entry->last_used_us = now;
  }
  d.now_us = now;

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
  if (!d.admitted || !record) return d;

  bool inserted = false;
  if (entry == nullptr) {
    entry = shard.entries.Insert(key);
    entry->last_used_us = now;
    inserted = true;
  }
  entry->last_admitted_us = now;
  std::size_t capacity_before = entry->logs[0].capacity_bytes() + entry->logs[1].capacity_bytes();
  for (std::size_t i = 0; i < d.count; ++i) {
    WindowOutcome& w = d.windows[i];
    entry->logs[i].Push(now, static_cast<std::size_t>(w.limit));
    if (w.used == 0) w.oldest_us = now;
    ++w.used;
  }
  // Sizes change only when an entry is made or a ring grows: skip the bookkeeping otherwise.
  if (inserted ||
      entry->logs[0].capacity_bytes() + entry->logs[1].capacity_bytes() != capacity_before) {
    std::size_t bytes = EntryBytes(*entry);
    shard.bytes = shard.bytes - entry->bytes + bytes;
    entry->bytes = bytes;
    if (shard.bytes > shard_budget_) EvictForBudget(shard, now, entry);
  }
  return d;
}

void LocalLimiter::EvictForBudget(Shard& shard, int64_t now_us, const Entry* keep) {
  constexpr int kSample = 8;
  while (shard.bytes > shard_budget_ && shard.entries.size() > 1) {
    // Look at a few keys from a rotating slot: drop an idle one, else the least recently used.
    Entry* victim = nullptr;
    int seen = 0;
    for (std::size_t n = 0; n < shard.entries.slot_count() && seen < kSample; ++n) {
      Entry* e = shard.entries.SlotValue(shard.sample_cursor++);
      if (e == nullptr || e == keep) continue;
      ++seen;
      if (Idle(*e, now_us)) {
        victim = e;
        break;
      }
      if (victim == nullptr || e->last_used_us < victim->last_used_us) victim = e;
    }
    if (victim == nullptr) return;
    (Idle(*victim, now_us) ? shard.evicted_idle : shard.evicted_active)++;
    shard.bytes -= victim->bytes;
    shard.entries.Erase(victim);
  }
}

void LocalLimiter::EvictIdle() {
  int64_t now = options_.clock();
  for (std::size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    shard.entries.EraseIf([&](const Entry& e) {
      if (!Idle(e, now)) return false;
      shard.bytes -= e.bytes;
      ++shard.evicted_idle;
      return true;
    });
  }
}

LocalLimiter::Stats LocalLimiter::stats() const {
  Stats s;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    s.keys += shards_[i].entries.size();
    s.bytes += shards_[i].bytes;
    s.evicted_idle += shards_[i].evicted_idle;
    s.evicted_active += shards_[i].evicted_active;
  }
  return s;
}

}  // namespace vf::ratelimit
