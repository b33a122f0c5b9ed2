#include "cache/single_flight.hpp"

namespace vf::cache {

std::string SingleFlight::Do(const std::string& key, const std::function<std::string()>& compute,
                             std::chrono::milliseconds wait) {
  std::promise<std::string> promise;
  std::shared_future<std::string> theirs;
  {
    std::lock_guard lock(mu_);
    auto it = calls_.find(key);
    if (it != calls_.end()) {
      theirs = it->second;
    } else {
      calls_.emplace(key, promise.get_future().share());
    }
  }
  if (theirs.valid()) {
    if (theirs.wait_for(wait) == std::future_status::ready) return theirs.get();  // may rethrow
    return compute();  // the leader is stuck: do not wait any longer
  }
  // Leader: compute, publish to the waiters, and forget the call either way.
  auto finish = [&] {
    std::lock_guard lock(mu_);
    calls_.erase(key);
  };
  try {
    std::string value = compute();
    promise.set_value(value);
    finish();
    return value;
  } catch (...) {
    promise.set_exception(std::current_exception());
    finish();
    throw;
  }
}

std::size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}

}  // namespace vf::cache
