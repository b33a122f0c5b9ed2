#pragma once
// The cache every feature uses. Values are strings (each feature serialises its own, compactly);
// keys are built by a KeyFamily, which puts the family's name and version first so a new
// knowledge base, catalog or prompt template makes every old entry unreachable without a scan.
// A cache that is down or slow answers a miss, never an error.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vf::cache {

class Cache {
 public:
  virtual ~Cache() = default;
  virtual std::optional<std::string> Get(std::string_view key) = 0;
  virtual void Set(std::string_view key, std::string value, std::chrono::milliseconds ttl) = 0;
  virtual void Erase(std::string_view key) = 0;
  virtual const char* kind() const = 0;
};

// A family of keys (SPEC.md §2): its name (the metrics label), a version and a time to live.
struct KeyFamily {
  std::string name;     // "user_context", "rag_context", "ai_response", "exercise_match"
  std::string version;  // bump to retire every entry of the family at once
  std::chrono::milliseconds ttl{3'600'000};

  // "<name>:<version>:<key>"
  std::string Key(std::string_view key) const;
};

// TTL with a small random jitter (up to ±5%), so entries written together do not all expire in
// the same instant and stampede their loaders.
std::chrono::milliseconds Jittered(std::chrono::milliseconds ttl);

}  // namespace vf::cache
