#include "ratelimit/failover_limiter.hpp"

#include "core/log.hpp"

namespace vf::ratelimit {

FailoverLimiter::FailoverLimiter(SharedLimiter* shared, LocalLimiter& local,
                                 std::chrono::milliseconds open_for, MicrosClock clock)
    : shared_(shared),
      local_(local),
      open_for_us_(static_cast<int64_t>(open_for.count()) * 1000),
      clock_(std::move(clock)) {}

Decision FailoverLimiter::FailOpen(std::string_view key, std::span<const WindowSpec> windows) {
  fail_open_decisions_.fetch_add(1, std::memory_order_relaxed);
  Decision d = local_.Decide(key, windows);
  d.source = DecisionSource::kFailOpen;
  return d;
}

bool FailoverLimiter::MayTryShared(bool& probe) {
  probe = false;
  int64_t open_until = open_until_us_.load(std::memory_order_acquire);
  if (open_until == 0) return true;
  // Open: skip Redis until the break is over, then let exactly one request probe it.
  if (clock_() < open_until || probing_.exchange(true, std::memory_order_acq_rel)) return false;
  probe = true;
  return true;
}

void FailoverLimiter::SharedSucceeded(bool probe) {
  shared_decisions_.fetch_add(1, std::memory_order_relaxed);
  if (!probe) return;
  open_until_us_.store(0, std::memory_order_release);
  probing_.store(false, std::memory_order_release);
  // Only the probe decides Redis is back: a request that started before the failure and
  // finished after it proves nothing.
  if (failing_.exchange(false, std::memory_order_acq_rel)) {
    log::Write(log::Level::kInfo, "rate limiter: Redis is back; shared limits resume",
               {{"transport", shared_->transport()}});
  }
}

void FailoverLimiter::SharedFailed(const char* error, bool probe) {
  shared_errors_.fetch_add(1, std::memory_order_relaxed);
  open_until_us_.store(clock_() + open_for_us_, std::memory_order_release);
  if (probe) probing_.store(false, std::memory_order_release);
  if (!failing_.exchange(true, std::memory_order_acq_rel)) {
    breaker_opened_.fetch_add(1, std::memory_order_relaxed);
    log::Write(log::Level::kWarn,
               "rate limiter: Redis failed; deciding in-process (fail-open, still limited)",
               {{"transport", shared_->transport()}, {"error", error}});
  }
}

Decision FailoverLimiter::Decide(std::string_view key, std::span<const WindowSpec> windows) {
  if (shared_ == nullptr) {
    local_decisions_.fetch_add(1, std::memory_order_relaxed);
    return local_.Decide(key, windows);
  }
  bool probe = false;
  if (!MayTryShared(probe)) return FailOpen(key, windows);
  try {
    Decision d = shared_->Decide(key, windows);
    SharedSucceeded(probe);
    return d;
  } catch (const std::exception& error) {
    SharedFailed(error.what(), probe);
    return FailOpen(key, windows);
  }
}

void FailoverLimiter::DecideAsync(std::string_view key, std::span<const WindowSpec> windows,
                                  DecisionDone done) {
  if (!asynchronous()) return done(Decide(key, windows));
  bool probe = false;
  if (!MayTryShared(probe)) return done(FailOpen(key, windows));
  shared_->DecideAsync(key, windows,
                       [this, probe, windows, owned_key = std::string(key), done = std::move(done)](
                           const Decision& d, const char* error) {
                         if (error == nullptr) {
                           SharedSucceeded(probe);
                           return done(d);
                         }
                         SharedFailed(error, probe);
                         done(FailOpen(owned_key, windows));
                       });
}

FailoverLimiter::Stats FailoverLimiter::stats() const {
  return {shared_decisions_.load(), local_decisions_.load(), fail_open_decisions_.load(),
          shared_errors_.load(), breaker_opened_.load()};
}

}  // namespace vf::ratelimit
