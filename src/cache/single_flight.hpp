#pragma once
// One computation per key at a time within this process: concurrent callers for a key that is
// already being computed wait for that result (or its exception) instead of computing again.
// A caller that has waited `wait` computes on its own, so a stuck loader holds nobody forever.
// Nothing is remembered after the computation ends: errors are never cached.

#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vf::cache {

class SingleFlight {
 public:
  std::string Do(const std::string& key, const std::function<std::string()>& compute,
                 std::chrono::milliseconds wait);
  std::size_t in_flight() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_future<std::string>> calls_;
};

}  // namespace vf::cache
