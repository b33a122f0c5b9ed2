#include "cache/memory_cache.hpp"

#include <random>

namespace vf::cache {

std::string KeyFamily::Key(std::string_view key) const {
  std::string out;
  out.reserve(name.size() + version.size() + key.size() + 2);
  out += name;
  out += ':';
  out += version;
  out += ':';
  out += key;
  return out;
}

std::chrono::milliseconds Jittered(std::chrono::milliseconds ttl) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t spread = ttl.count() / 20;
  if (spread <= 0) return ttl;
  std::uniform_int_distribution<int64_t> jitter(-spread, spread);
  return ttl + std::chrono::milliseconds(jitter(rng));
}

MemoryCache::MemoryCache(Options options)
    : options_(std::move(options)),
      shard_budget_(std::max<std::size_t>(options_.budget_bytes / kShards, 1024)) {}

std::size_t MemoryCache::Find(const Shard& s, uint64_t hash, std::string_view key) {
  std::size_t mask = s.slots.size() - 1;
  for (std::size_t i = hash & mask; s.slots[i].entry != nullptr; i = (i + 1) & mask) {
    if (s.slots[i].hash == hash && s.slots[i].entry->key() == key) return i;
  }
  return std::string::npos;
}

void MemoryCache::Place(Shard& s, Entry* e) {
  std::size_t mask = s.slots.size() - 1;
  std::size_t i = e->hash & mask;
  while (s.slots[i].entry != nullptr) i = (i + 1) & mask;
  s.slots[i] = {e->hash, e};
}

void MemoryCache::EraseAt(Shard& s, std::size_t slot) {
  std::size_t mask = s.slots.size() - 1;
  s.bytes -= Bytes(*s.slots[slot].entry);
  delete s.slots[slot].entry;
  s.slots[slot] = {};
  --s.size;
  // Backward-shift deletion keeps every probe run unbroken without tombstones.
  for (std::size_t hole = slot, j = (slot + 1) & mask; s.slots[j].entry != nullptr;
       j = (j + 1) & mask) {
    std::size_t home = s.slots[j].hash & mask;
    bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      s.slots[hole] = s.slots[j];
      s.slots[j] = {};
      hole = j;
    }
  }
}

std::optional<std::string> MemoryCache::Get(std::string_view key) {
  uint64_t hash = Hash(key);
  Shard& s = ShardFor(hash);
  std::lock_guard lock(s.mu);
  std::size_t at = Find(s, hash, key);
  if (at == std::string::npos) {
    ++s.misses;
    return std::nullopt;
  }
  Entry* e = s.slots[at].entry;
  if (e->expires <= options_.clock()) {
    ++s.expired;
    ++s.misses;
    EraseAt(s, at);
    return std::nullopt;
  }
  ++s.hits;
  e->last_used = ++s.tick;
  return std::string(e->value());
}

void MemoryCache::Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  uint64_t hash = Hash(key);
  Shard& s = ShardFor(hash);
  std::lock_guard lock(s.mu);
  if (std::size_t at = Find(s, hash, key); at != std::string::npos) EraseAt(s, at);
  auto e = std::make_unique<Entry>();
  e->hash = hash;
  e->expires = options_.clock() + ttl;
  e->last_used = ++s.tick;
  e->key_size = key.size();
  e->data.reserve(key.size() + value.size());
  e->data.append(key);
  e->data.append(value);
  std::size_t bytes = Bytes(*e);
  if (bytes > shard_budget_) return;  // larger than the shard's share: never cached
  if ((s.size + 1) * 2 > s.slots.size()) {
    std::vector<Slot> old(s.slots.size() * 2);
    old.swap(s.slots);
    for (const auto& slot : old) {
      if (slot.entry != nullptr) Place(s, slot.entry);
    }
  }
  Entry* placed = e.release();
  Place(s, placed);
  ++s.size;
  s.bytes += bytes;
  auto now = options_.clock();
  while (s.bytes > shard_budget_ && s.size > 1) {
    // Sample a few entries from a rotating position: an expired one goes first, else the least
    // recently used of them.
    std::size_t victim = std::string::npos;
    int seen = 0;
    for (std::size_t n = 0; n < s.slots.size() && seen < 8; ++n) {
      std::size_t i = s.sample_cursor++ & (s.slots.size() - 1);
      Entry* candidate = s.slots[i].entry;
      if (candidate == nullptr || candidate == placed) continue;
      ++seen;
      if (candidate->expires <= now) {
        victim = i;
        break;
      }
      if (victim == std::string::npos || candidate->last_used < s.slots[victim].entry->last_used) {
        victim = i;
      }
    }
    if (victim == std::string::npos) break;
    ++s.evicted;
    EraseAt(s, victim);
  }
}

void MemoryCache::Erase(std::string_view key) {
  uint64_t hash = Hash(key);
  Shard& s = ShardFor(hash);
  std::lock_guard lock(s.mu);
  if (std::size_t at = Find(s, hash, key); at != std::string::npos) EraseAt(s, at);
}

void MemoryCache::Clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (auto& slot : s.slots) {
      delete slot.entry;
      slot = {};
    }
    s.size = 0;
    s.bytes = 0;
  }
}

void MemoryCache::ErasePrefix(std::string_view prefix) {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (std::size_t i = 0; i < s.slots.size();) {
      Entry* e = s.slots[i].entry;
      if (e != nullptr && e->key().substr(0, prefix.size()) == prefix) {
        EraseAt(s, i);  // a later entry may shift into i: look at it again
      } else {
        ++i;
      }
    }
  }
}

MemoryCache::Stats MemoryCache::stats() const {
  Stats out;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    out.entries += s.size;
    out.bytes += s.bytes;
    out.hits += s.hits;
    out.misses += s.misses;
    out.expired += s.expired;
    out.evicted += s.evicted;
  }
  return out;
}

}  // namespace vf::cache
