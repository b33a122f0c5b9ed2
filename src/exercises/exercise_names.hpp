#pragma once
// The matcher behind the cache (exercise_match family, 7 days; names that matched nothing are
// kept for a shorter time, since the catalog's aliases grow). Keys are the name's normalised
// words under the catalog's version, so "Bench Press" and "bench press" share an entry and a new
// catalog retires every old one.

#include "cache/cache.hpp"
#include "exercises/matcher.hpp"
#include "monitoring/families.hpp"

namespace vf::exercises {

class ExerciseNames final : public NameMatcher {
 public:
  ExerciseNames(const Catalog& catalog, const Matcher& matcher, cache::Cache& cache,
                std::chrono::milliseconds match_ttl, std::chrono::milliseconds miss_ttl,
                monitoring::CacheMetrics* metrics = nullptr);
  MatchResult Match(std::string_view spoken) const override;
  const Catalog& catalog() const { return catalog_; }
  const Matcher& matcher() const { return matcher_; }

 private:
  const Catalog& catalog_;
  const Matcher& matcher_;
  cache::Cache& cache_;
  cache::KeyFamily family_;
  std::chrono::milliseconds miss_ttl_;
  monitoring::Counter* hits_ = nullptr;
  monitoring::Counter* misses_ = nullptr;
};

}  // namespace vf::exercises
