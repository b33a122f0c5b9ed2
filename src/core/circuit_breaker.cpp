#include "core/circuit_breaker.hpp"

namespace vf {

CircuitBreaker::CircuitBreaker(std::chrono::milliseconds open_for, MicrosClock clock)
    : open_for_us_(static_cast<int64_t>(open_for.count()) * 1000), clock_(std::move(clock)) {}

bool CircuitBreaker::MayTry(bool& probe) {
  probe = false;
  int64_t open_until = open_until_us_.load(std::memory_order_acquire);
  if (open_until == 0) return true;
  // Open: skip the dependency until the break is over, then let exactly one caller probe it.
  if (clock_() < open_until || probing_.exchange(true, std::memory_order_acq_rel)) return false;
  probe = true;
  return true;
}

bool CircuitBreaker::Succeeded(bool probe) {
  if (!probe) return false;
  open_until_us_.store(0, std::memory_order_release);
  probing_.store(false, std::memory_order_release);
  // Only the probe decides the dependency is back: a call that started before the failure and
  // finished after it proves nothing.
  return failing_.exchange(false, std::memory_order_acq_rel);
}

bool CircuitBreaker::Failed(bool probe) {
  open_until_us_.store(clock_() + open_for_us_, std::memory_order_release);
  if (probe) probing_.store(false, std::memory_order_release);
  return !failing_.exchange(true, std::memory_order_acq_rel);
}

}  // namespace vf
