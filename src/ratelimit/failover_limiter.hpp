#pragma once
// Fail-open that still limits. Decisions go to the shared (Redis) limiter; when it fails or is
// slower than its timeout, the request is decided by the in-process limiter instead, and the
// shared one is skipped for a while (circuit breaker) so no request waits on a dead Redis. When
// the break is over, one request probes Redis (half-open); success closes the breaker and
// shared limits resume by themselves.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/circuit_breaker.hpp"
#include "ratelimit/local_limiter.hpp"
#include "ratelimit/shared_limiter.hpp"

namespace vf::ratelimit {

class FailoverLimiter final : public Limiter {
 public:
  // `shared` may be null: in-process only.
  FailoverLimiter(SharedLimiter* shared, LocalLimiter& local, std::chrono::milliseconds open_for,
                  MicrosClock clock = SteadyMicros);

  Decision Decide(std::string_view key, std::span<const WindowSpec> windows) override;

  // The same decision without holding the calling thread while Redis answers (pipelined
  // transport only; otherwise decided right away). `done` runs exactly once, on this thread or
  // on the Redis client's. `windows` must outlive the call (they live in the Policy).
  using DecisionDone = std::function<void(const Decision& decision)>;
  void DecideAsync(std::string_view key, std::span<const WindowSpec> windows, DecisionDone done);

  bool remote() const { return shared_ != nullptr; }
  bool asynchronous() const { return shared_ != nullptr && shared_->asynchronous(); }
  bool failing_open() const { return breaker_.failing(); }

  struct Stats {
    uint64_t shared_decisions = 0;
    uint64_t local_decisions = 0;      // in-process by configuration (no Redis)
    uint64_t fail_open_decisions = 0;  // in-process because Redis failed or was skipped
    uint64_t shared_errors = 0;
    uint64_t breaker_opened = 0;
  };
  Stats stats() const;

 private:
  Decision FailOpen(std::string_view key, std::span<const WindowSpec> windows);
  void SharedSucceeded(bool probe);
  void SharedFailed(const char* error, bool probe);

  SharedLimiter* shared_;
  LocalLimiter& local_;
  CircuitBreaker breaker_;
  std::atomic<uint64_t> shared_decisions_{0}, local_decisions_{0}, fail_open_decisions_{0},
      shared_errors_{0}, breaker_opened_{0};
};

}  // namespace vf::ratelimit
