#include "ratelimit/failover_limiter.hpp"

#include "core/log.hpp"

namespace vf::ratelimit {

FailoverLimiter::FailoverLimiter(SharedLimiter* shared, LocalLimiter& local,
                                 std::chrono::milliseconds open_for, MicrosClock clock)
    : shared_(shared), local_(local), breaker_(open_for, std::move(clock)) {}

Decision FailoverLimiter::FailOpen(std::string_view key, std::span<const WindowSpec> windows) {
  fail_open_decisions_.fetch_add(1, std::memory_order_relaxed);
  Decision d = local_.Decide(key, windows);
  d.source = DecisionSource::kFailOpen;
  return d;
}

void FailoverLimiter::SharedSucceeded(bool probe) {
  shared_decisions_.fetch_add(1, std::memory_order_relaxed);
  if (breaker_.Succeeded(probe)) {
    log::Write(log::Level::kInfo, "rate limiter: Redis is back; shared limits resume",
               {{"transport", shared_->transport()}});
  }
}

void FailoverLimiter::SharedFailed(const char* error, bool probe) {
  shared_errors_.fetch_add(1, std::memory_order_relaxed);
  if (breaker_.Failed(probe)) {
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
  if (!breaker_.MayTry(probe)) return FailOpen(key, windows);
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
  if (!breaker_.MayTry(probe)) return done(FailOpen(key, windows));
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
