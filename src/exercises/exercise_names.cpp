#include "exercises/exercise_names.hpp"

#include <nlohmann/json.hpp>

namespace vf::exercises {

using nlohmann::json;

ExerciseNames::ExerciseNames(const Catalog& catalog, const Matcher& matcher, cache::Cache& cache,
                             std::chrono::milliseconds match_ttl,
                             std::chrono::milliseconds miss_ttl, monitoring::CacheMetrics* metrics)
    : catalog_(catalog),
      matcher_(matcher),
      cache_(cache),
      family_{"exercise_match", catalog.version().empty() ? "v1" : catalog.version(), match_ttl},
      miss_ttl_(miss_ttl) {
  if (metrics != nullptr) {
    hits_ = &metrics->lookups.With({"exercise_match", "hit"});
    misses_ = &metrics->lookups.With({"exercise_match", "miss"});
  }
}

MatchResult ExerciseNames::Match(std::string_view spoken) const {
  if (auto exact = matcher_.MatchExact(spoken)) return *exact;  // cheaper than a cache lookup
  std::string key;
  for (const auto& w : Matcher::Words(spoken)) {
    if (!key.empty()) key += ' ';
    key += w;
  }
  if (key.empty()) return matcher_.Match(spoken);
  std::string full = family_.Key(key);
  if (auto cached = cache_.Get(full)) {
    json j = json::parse(*cached, nullptr, false);
    MatchResult r;
    bool ok = j.is_object();
    if (ok && j.contains("candidates")) {
      for (const auto& c : j["candidates"]) {
        if (const Exercise* e = catalog_.Find(c.value("id", ""))) {
          r.candidates.push_back({e, c.value("score", 0.0)});
        }
      }
    }
    if (ok && j.contains("id")) {
      r.exercise = catalog_.Find(j["id"].get<std::string>());
      ok = r.exercise != nullptr;
      r.confidence = j.value("confidence", 0.0);
    }
    if (ok) {
      r.how = j.value("how", "cache");
      if (hits_ != nullptr) hits_->Add();
      return r;
    }
  }
  if (misses_ != nullptr) misses_->Add();
  MatchResult r = matcher_.Match(spoken);
  json stored{{"how", r.how}};
  json candidates = json::array();
  for (const auto& c : r.candidates)
    candidates.push_back({{"id", c.exercise->id}, {"score", c.score}});
  stored["candidates"] = std::move(candidates);
  if (r.matched()) {
    stored["id"] = r.exercise->id;
    stored["confidence"] = r.confidence;
  }
  cache_.Set(full, stored.dump(), cache::Jittered(r.matched() ? family_.ttl : miss_ttl_));
  return r;
}

}  // namespace vf::exercises
