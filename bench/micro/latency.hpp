#pragma once
// Per-call latency percentiles for Google Benchmark: each thread times its own calls, the
// samples are merged, and p50/p99 are reported as counters (the mean alone hides the tail).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace vf::bench {

class Percentiles {
 public:
  void Add(const std::vector<double>& nanos) {
    std::lock_guard lock(mu_);
    all_.insert(all_.end(), nanos.begin(), nanos.end());
    ++added_;
    added_cv_.notify_all();
  }
  // Counters p50_<unit> and p99_<unit>; `unit` is "ns" or "us".
  // Called by one thread; waits for every thread's samples (the others add theirs after the
  // timing loop's closing barrier, so they may not be in yet).
  void Report(benchmark::State& state, const std::string& unit = "ns") {
    std::unique_lock lock(mu_);
    added_cv_.wait(lock, [&] { return added_ >= state.threads(); });
    added_ = 0;
    if (all_.empty()) return;
    std::sort(all_.begin(), all_.end());
    double scale = unit == "us" ? 1e-3 : 1.0;
    state.counters["p50_" + unit] = all_[all_.size() / 2] * scale;
    state.counters["p99_" + unit] = all_[all_.size() * 99 / 100] * scale;
    all_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable added_cv_;
  int added_ = 0;  // threads whose samples are in
  std::vector<double> all_;
};

// The benchmark loop: prepare(i), untimed, then call(i), timed into `p`, for i = 0, 1, 2, ...
template <class Prepare, class Call>
void TimedCalls(benchmark::State& state, Percentiles& p, Prepare prepare, Call call) {
  std::vector<double> nanos;
  nanos.reserve(1 << 20);
  std::size_t i = 0;
  for (auto _ : state) {
    prepare(i);
    auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(call(i++));
    auto stop = std::chrono::steady_clock::now();
    if (nanos.size() < nanos.capacity()) {
      nanos.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
    }
  }
  p.Add(nanos);
}

template <class Call>
void TimedCalls(benchmark::State& state, Percentiles& p, Call call) {
  TimedCalls(
      state, p, [](std::size_t) {}, call);
}

}  // namespace vf::bench
