#include "cache/loader.hpp"

namespace vf::cache {

Loader::Loader(Cache& cache, KeyFamily family, SingleFlight& flight,
               monitoring::CacheMetrics* metrics, std::chrono::milliseconds wait)
    : cache_(cache), family_(std::move(family)), flight_(flight), wait_(wait) {
  if (metrics == nullptr) return;
  hits_ = &metrics->lookups.With({family_.name, "hit"});
  misses_ = &metrics->lookups.With({family_.name, "miss"});
  loads_ = &metrics->loads.With({family_.name});
  load_errors_ = &metrics->errors.With({family_.name});
  load_seconds_ = &metrics->load_seconds.With({family_.name});
}

Loader::Result Loader::GetOrCompute(std::string_view key,
                                    const std::function<std::string()>& compute) {
  return GetOrCompute(key, [&] { return Computed{compute(), true}; });
}

Loader::Result Loader::GetOrCompute(std::string_view key,
                                    const std::function<Computed()>& compute) {
  std::string full = family_.Key(key);
  if (auto hit = cache_.Get(full)) {
    if (hits_ != nullptr) hits_->Add();
    return {std::move(*hit), true};
  }
  if (misses_ != nullptr) misses_->Add();
  std::string value = flight_.Do(
      full,
      [&] {
        auto start = std::chrono::steady_clock::now();
        Computed computed;
        try {
          computed = compute();
        } catch (...) {
          if (load_errors_ != nullptr) load_errors_->Add();
          throw;
        }
        if (loads_ != nullptr) loads_->Add();
        if (load_seconds_ != nullptr) {
          load_seconds_->ObserveNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
        }
        if (computed.keep) cache_.Set(full, computed.value, Jittered(family_.ttl));
        return std::move(computed.value);
      },
      wait_);
  return {std::move(value), false};
}

void Loader::Put(std::string_view key, std::string value) {
  cache_.Set(family_.Key(key), std::move(value), Jittered(family_.ttl));
}

}  // namespace vf::cache
