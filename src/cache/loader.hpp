#pragma once
// Get-or-compute for one key family: a hit is returned as is; a miss runs the computation once
// per key in this process (single flight), stores its result with a jittered TTL, and is counted
// with its load time. A computation that throws is counted and its exception propagates to every
// caller waiting on it; nothing is stored.

#include <functional>
#include <string>

#include "cache/cache.hpp"
#include "cache/single_flight.hpp"
#include "monitoring/families.hpp"

namespace vf::cache {

class Loader {
 public:
  Loader(Cache& cache, KeyFamily family, SingleFlight& flight,
         monitoring::CacheMetrics* metrics = nullptr,
         std::chrono::milliseconds wait = std::chrono::seconds(5));

  struct Result {
    std::string value;
    bool cached = false;
  };
  // `key` is the part after the family's name and version.
  Result GetOrCompute(std::string_view key, const std::function<std::string()>& compute);
  // A computed value and whether to store it: one computed without a dependency it normally has
  // (a search leg that is down) is returned to its callers but not stored, so a later request
  // computes it again.
  struct Computed {
    std::string value;
    bool keep = true;
  };
  Result GetOrCompute(std::string_view key, const std::function<Computed()>& compute);
  // Stores a value computed elsewhere.
  void Put(std::string_view key, std::string value);

  const KeyFamily& family() const { return family_; }

 private:
  Cache& cache_;
  KeyFamily family_;
  SingleFlight& flight_;
  std::chrono::milliseconds wait_;
  monitoring::Counter* hits_ = nullptr;
  monitoring::Counter* misses_ = nullptr;
  monitoring::Counter* loads_ = nullptr;
  monitoring::Counter* load_errors_ = nullptr;
  monitoring::Histogram* load_seconds_ = nullptr;
};

}  // namespace vf::cache
