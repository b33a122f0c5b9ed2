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

void MemoryCache::EraseLocked(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= Bytes(*it);
  s.index.erase(it->key);
  s.lru.erase(it);
}

std::optional<std::string> MemoryCache::Get(std::string_view key) {
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto found = s.index.find(key);
  if (found == s.index.end()) {
    ++s.misses;
    return std::nullopt;
  }
  if (found->second->expires <= options_.clock()) {
    ++s.expired;
    ++s.misses;
    EraseLocked(s, found->second);
    return std::nullopt;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, found->second);
  return found->second->value;
}

void MemoryCache::Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  if (auto found = s.index.find(key); found != s.index.end()) EraseLocked(s, found->second);
  Entry e{std::string(key), std::move(value), options_.clock() + ttl};
  std::size_t bytes = Bytes(e);
  if (bytes > shard_budget_) return;  // larger than the shard's share: never cached
  s.lru.push_front(std::move(e));
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += bytes;
  while (s.bytes > shard_budget_) {
    ++s.evicted;
    EraseLocked(s, std::prev(s.lru.end()));
  }
}

void MemoryCache::Erase(std::string_view key) {
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  if (auto found = s.index.find(key); found != s.index.end()) EraseLocked(s, found->second);
}

void MemoryCache::Clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    s.index.clear();
    s.lru.clear();
    s.bytes = 0;
  }
}

void MemoryCache::ErasePrefix(std::string_view prefix) {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    for (auto it = s.lru.begin(); it != s.lru.end();) {
      auto next = std::next(it);
      if (std::string_view(it->key).substr(0, prefix.size()) == prefix) EraseLocked(s, it);
      it = next;
    }
  }
}

MemoryCache::Stats MemoryCache::stats() const {
  Stats out;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    out.entries += s.index.size();
    out.bytes += s.bytes;
    out.hits += s.hits;
    out.misses += s.misses;
    out.expired += s.expired;
    out.evicted += s.evicted;
  }
  return out;
}

}  // namespace vf::cache
