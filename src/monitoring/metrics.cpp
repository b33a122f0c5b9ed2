#include "monitoring/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace vf::monitoring {

std::size_t ThisThreadShard() {
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const auto& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

void Gauge::Add(double d) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::span<const double> bounds) : bounds_(bounds.begin(), bounds.end()) {
  if (bounds_.size() + 1 > kMaxBuckets) throw std::invalid_argument("too many histogram buckets");
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::invalid_argument("histogram bounds must ascend");
  }
  for (double b : bounds_) bounds_nanos_.push_back(static_cast<int64_t>(std::llround(b * 1e9)));
}

void Histogram::Record(std::size_t bucket, uint64_t sum_nanos) {
  Shard& s = shards_[ThisThreadShard()];
  s.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum_nanos.fetch_add(sum_nanos, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);  // first bound >= value
  Record(static_cast<std::size_t>(it - bounds_.begin()),
         static_cast<uint64_t>(std::llround(std::max(0.0, value) * 1e9)));
}

void Histogram::ObserveNanos(int64_t nanos) {
  auto it = std::lower_bound(bounds_nanos_.begin(), bounds_nanos_.end(), nanos);
  Record(static_cast<std::size_t>(it - bounds_nanos_.begin()),
         static_cast<uint64_t>(std::max<int64_t>(0, nanos)));
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snap;
  snap.counts.assign(bounds_.size() + 1, 0);
  uint64_t sum_nanos = 0;
  for (const auto& s : shards_) {
    for (std::size_t i = 0; i < snap.counts.size(); ++i) {
      snap.counts[i] += s.counts[i].load(std::memory_order_relaxed);
    }
    sum_nanos += s.sum_nanos.load(std::memory_order_relaxed);
  }
  for (uint64_t c : snap.counts) snap.count += c;
  snap.sum = static_cast<double>(sum_nanos) / 1e9;
  return snap;
}

std::span<const double> LatencyBuckets() {
  static constexpr std::array<double, 16> kBounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                  1,      2.5,     5,      10};
  return kBounds;
}

std::optional<double> Quantile(const Histogram::Snapshot& s, std::span<const double> bounds,
                               double q) {
  if (s.count == 0 || bounds.empty()) return std::nullopt;
  double rank = q * static_cast<double>(s.count);
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < s.counts.size(); ++i) {
    uint64_t before = cumulative;
    cumulative += s.counts[i];
    if (static_cast<double>(cumulative) >= rank && s.counts[i] > 0) {
      if (i >= bounds.size()) return bounds.back();  // +Inf bucket
      double lower = i == 0 ? 0.0 : bounds[i - 1];
      double fraction = (rank - static_cast<double>(before)) / static_cast<double>(s.counts[i]);
      return lower + (bounds[i] - lower) * std::clamp(fraction, 0.0, 1.0);
    }
  }
  return bounds.back();
}

Histogram::Snapshot Minus(const Histogram::Snapshot& a, const Histogram::Snapshot& b) {
  Histogram::Snapshot d = a;
  if (b.counts.size() != a.counts.size()) return d;
  d.count = 0;
  for (std::size_t i = 0; i < d.counts.size(); ++i) {
    d.counts[i] = a.counts[i] >= b.counts[i] ? a.counts[i] - b.counts[i] : 0;
    d.count += d.counts[i];
  }
  d.sum = std::max(0.0, a.sum - b.sum);
  return d;
}

// --- exposition --------------------------------------------------------------------------------

void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    out += std::to_string(static_cast<long long>(value));
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
    out.append(buf, end);
  }
}

namespace {

void AppendHelp(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      break;
  }
  return "histogram";
}

void AppendHeader(std::string& out, const FamilyBase& f) {
  out += "# HELP ";
  out += f.name();
  out += ' ';
  AppendHelp(out, f.help());
  out += "\n# TYPE ";
  out += f.name();
  out += ' ';
  out += TypeName(f.type());
  out += '\n';
}

// name{a="x",b="y"[,extra]} value
void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const Labels& values, std::string_view extra, double value) {
  out += name;
  if (!names.empty() || !extra.empty()) {
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += ',';
      out += names[i];
      out += "=\"";
      AppendLabelValue(out, values[i]);
      out += '"';
    }
    if (!extra.empty()) {
      if (!names.empty()) out += ',';
      out += extra;
    }
    out += '}';
  }
  out += ' ';
  AppendNumber(out, value);
  out += '\n';
}

}  // namespace

template <>
void Family<Counter>::Render(std::string& out) const {
  AppendHeader(out, *this);
  for (const auto& [labels, c] : Children()) {
    AppendSample(out, name_, labels_, labels, "", static_cast<double>(c->Value()));
  }
}

template <>
void Family<Gauge>::Render(std::string& out) const {
  AppendHeader(out, *this);
  for (const auto& [labels, g] : Children())
    AppendSample(out, name_, labels_, labels, "", g->Value());
}

template <>
void Family<CallbackGauge>::Render(std::string& out) const {
  AppendHeader(out, *this);
  for (const auto& [labels, g] : Children()) {
    AppendSample(out, name_, labels_, labels, "", g->read());
  }
}

template <>
void Family<Histogram>::Render(std::string& out) const {
  AppendHeader(out, *this);
  for (const auto& [labels, h] : Children()) {
    Histogram::Snapshot s = h->Read();
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < s.counts.size(); ++i) {
      cumulative += s.counts[i];
      std::string le = "le=\"";
      if (i < h->bounds().size()) {
        AppendNumber(le, h->bounds()[i]);
      } else {
        le += "+Inf";
      }
      le += '"';
      AppendSample(out, name_ + "_bucket", labels_, labels, le, static_cast<double>(cumulative));
    }
    AppendSample(out, name_ + "_sum", labels_, labels, "", s.sum);
    AppendSample(out, name_ + "_count", labels_, labels, "", static_cast<double>(s.count));
  }
}

template <class Metric>
Family<Metric>& Registry::Add(std::unique_ptr<Family<Metric>> family) {
  std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    if (f->name() == family->name())
      throw std::logic_error("metric registered twice: " + f->name());
  }
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> labels) {
  return Add(std::make_unique<Family<Counter>>(std::move(name), std::move(help),
                                               MetricType::kCounter, std::move(labels),
                                               [] { return std::make_unique<Counter>(); }));
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> labels) {
  return Add(std::make_unique<Family<Gauge>>(std::move(name), std::move(help), MetricType::kGauge,
                                             std::move(labels),
                                             [] { return std::make_unique<Gauge>(); }));
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> labels,
                                          std::span<const double> bounds) {
  std::vector<double> owned(bounds.begin(), bounds.end());
  return Add(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), MetricType::kHistogram, std::move(labels),
      [owned] { return std::make_unique<Histogram>(owned); }));
}

Family<CallbackGauge>& Registry::AddCallback(std::string name, std::string help, MetricType type,
                                             std::function<double()> read) {
  auto& f = Add(std::make_unique<Family<CallbackGauge>>(
      std::move(name), std::move(help), type, std::vector<std::string>{},
      [read] { return std::make_unique<CallbackGauge>(CallbackGauge{read}); }));
  f.With({});
  return f;
}

Family<CallbackGauge>& Registry::AddCallbackGauge(std::string name, std::string help,
                                                  std::function<double()> read) {
  return AddCallback(std::move(name), std::move(help), MetricType::kGauge, std::move(read));
}

Family<CallbackGauge>& Registry::AddCallbackCounter(std::string name, std::string help,
                                                    std::function<double()> read) {
  return AddCallback(std::move(name), std::move(help), MetricType::kCounter, std::move(read));
}

Family<CallbackGauge>& Registry::AddCallbackGaugeFamily(std::string name, std::string help,
                                                        std::vector<std::string> labels) {
  return Add(std::make_unique<Family<CallbackGauge>>(
      std::move(name), std::move(help), MetricType::kGauge, std::move(labels),
      [] { return std::make_unique<CallbackGauge>(CallbackGauge{[] { return 0.0; }}); }));
}

std::string Registry::Render() const {
  std::string out;
  out.reserve(16 * 1024);
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->Render(out);
  return out;
}

}  // namespace vf::monitoring
