#pragma once
// A circuit breaker around a dependency that can fail or hang (Redis, a hosted search or
// embeddings API): after a failure it is skipped for a while, so no request waits on one that is
// down; when the break is over, exactly one caller tries it again (half-open), and only that
// probe's success closes the breaker. Lock-free; the clock is injectable for tests.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "core/time.hpp"

namespace vf {

class CircuitBreaker {
 public:
  using MicrosClock = std::function<int64_t()>;

  explicit CircuitBreaker(std::chrono::milliseconds open_for, MicrosClock clock = SteadyMicros);

  // Whether a call may go to the dependency now: the breaker is closed, or this caller is the
  // half-open probe (`probe` is set, and Succeeded/Failed must follow with it).
  bool MayTry(bool& probe);
  // Returns true when this closed a breaker that had opened (the dependency is back).
  bool Succeeded(bool probe);
  // Returns true when this opened a closed breaker (the first failure of an outage).
  bool Failed(bool probe);
  // Between a failure and the probe's success.
  bool failing() const { return failing_.load(std::memory_order_relaxed); }

 private:
  int64_t open_for_us_;
  MicrosClock clock_;
  std::atomic<int64_t> open_until_us_{0};  // 0: closed
  std::atomic<bool> probing_{false};
  std::atomic<bool> failing_{false};
};

}  // namespace vf
