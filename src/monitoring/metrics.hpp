#pragma once
// The metrics registry: counters, gauges and fixed-bucket histograms with bounded label sets,
// rendered in the Prometheus text format. Recording is lock-free and spread over per-thread
// shards (each on its own cache line), so two network threads never contend on one atomic;
// reading sums the shards. Children of a labelled family are created under the family's lock
// (rare); hot paths look their children up once and keep the pointers.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vf::monitoring {

inline constexpr std::size_t kShards = 8;

// This thread's shard: threads get consecutive indexes as they first record.
std::size_t ThisThreadShard();

class Counter {
 public:
  void Add(uint64_t n = 1) {
    shards_[ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<Shard, kShards> shards_;
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations in base units (seconds, bytes, ...). Bucket upper bounds are inclusive, as
// Prometheus's `le` says. The sum is kept in units of 1e-9 so it can be an atomic integer.
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);
  void Observe(double value);
  // Observes a duration given in nanoseconds (the hot path: no division).
  void ObserveNanos(int64_t nanos);

  struct Snapshot {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; the last is +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

  static constexpr std::size_t kMaxBuckets = 24;

 private:
  void Record(std::size_t bucket, uint64_t sum_nanos);
  struct alignas(64) Shard {
    std::array<std::atomic<uint64_t>, kMaxBuckets> counts{};
    std::atomic<uint64_t> sum_nanos{0};
  };
  std::vector<double> bounds_;
  std::vector<int64_t> bounds_nanos_;
  std::array<Shard, kShards> shards_;
};

// Latency buckets in seconds: 100 µs to 10 s.
std::span<const double> LatencyBuckets();

// The q-quantile (0..1) of a histogram snapshot, interpolated linearly inside the bucket (as
// Prometheus's histogram_quantile); nullopt without observations. Values in the +Inf bucket
// report the highest finite bound.
std::optional<double> Quantile(const Histogram::Snapshot& s, std::span<const double> bounds,
                               double q);
// Bucket-wise a - b (a taken later than b).
Histogram::Snapshot Minus(const Histogram::Snapshot& a, const Histogram::Snapshot& b);

enum class MetricType { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::string>;  // values, in the family's label-name order

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), type_(type), labels_(std::move(labels)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return labels_; }
  virtual void Render(std::string& out) const = 0;

 protected:
  std::string name_, help_;
  MetricType type_;
  std::vector<std::string> labels_;
};

template <class Metric>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<Metric>()>;
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> labels,
         Factory factory)
      : FamilyBase(std::move(name), std::move(help), type, std::move(labels)),
        factory_(std::move(factory)) {}

  // The child for these label values, made on first use. Pointers stay valid for the life of
  // the registry.
  Metric& With(const Labels& values) {
    std::lock_guard lock(mu_);
    auto& slot = children_[values];
    if (!slot) slot = factory_();
    return *slot;
  }
  // Every child with its labels, in label order (for rendering and summaries).
  std::vector<std::pair<Labels, const Metric*>> Children() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<Labels, const Metric*>> out;
    for (const auto& [labels, metric] : children_) out.emplace_back(labels, metric.get());
    return out;
  }
  void Render(std::string& out) const override;

 private:
  Factory factory_;
  mutable std::mutex mu_;
  std::map<Labels, std::unique_ptr<Metric>> children_;
};

// A gauge read when scraped (process figures, queue depths): the callback must be cheap and
// thread-safe.
struct CallbackGauge {
  std::function<double()> read;
};

class Registry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> labels, std::span<const double> bounds);
  Family<CallbackGauge>& AddCallbackGauge(std::string name, std::string help,
                                          std::function<double()> read);
  Family<CallbackGauge>& AddCallbackCounter(std::string name, std::string help,
                                            std::function<double()> read);
  // Labelled gauges read when scraped: set each child's `read` before the server starts.
  Family<CallbackGauge>& AddCallbackGaugeFamily(std::string name, std::string help,
                                                std::vector<std::string> labels);

  // Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  template <class Metric>
  Family<Metric>& Add(std::unique_ptr<Family<Metric>> family);
  Family<CallbackGauge>& AddCallback(std::string name, std::string help, MetricType type,
                                     std::function<double()> read);
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// Text-format helpers, public for tests.
void AppendLabelValue(std::string& out, std::string_view value);  // escapes \ " and newline
void AppendNumber(std::string& out, double value);

}  // namespace vf::monitoring
