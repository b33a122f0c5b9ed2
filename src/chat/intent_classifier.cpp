#include "chat/intent_classifier.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

#include "core/text.hpp"

namespace vf::chat {
namespace {

// FNV-1a: a stable hash, the same on every build and machine (std::hash is not promised to be).
uint64_t Fnv1a(std::string_view text, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

void Add(std::vector<Feature>& out, std::string_view feature, uint64_t kind, float weight) {
  out.push_back(
      {static_cast<uint32_t>(Fnv1a(feature, kind) % IntentClassifier::kDimensions), weight});
}

}  // namespace

std::vector<std::string> Tokens(std::string_view message) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    bool digits = std::all_of(current.begin(), current.end(),
                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    tokens.push_back(digits ? "<num>" : current);
    current.clear();
  };
  for (char raw : message) {
    auto c = static_cast<unsigned char>(raw);
    if (raw == '\'') continue;  // "what's" -> "whats"
    if (std::isalnum(c)) {
      // "3x8", "185lb": digits and letters become separate tokens.
      if (!current.empty() && (std::isdigit(c) != 0) !=
                                  (std::isdigit(static_cast<unsigned char>(current.back())) != 0)) {
        flush();
      }
      current += static_cast<char>(std::tolower(c));
    } else {
      flush();
      if (raw == '?') tokens.push_back("?");
    }
  }
  flush();
  return tokens;
}

std::vector<Feature> Features(std::string_view message) {
  std::vector<Feature> f;
  auto tokens = Tokens(message);
  f.reserve(tokens.size() * 12 + 4);
  Add(f, "<bias>", 0, 1.0f);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    Add(f, tokens[i], 1, 1.0f);
    if (i + 1 < tokens.size()) Add(f, tokens[i] + " " + tokens[i + 1], 2, 1.0f);
    if (i == 0) Add(f, tokens[i], 5, 1.0f);  // the first word: "how", "show", "make", "swap"
    // Character n-grams inside a word bounded by '#': robust to typos ("benhc", "kness").
    std::string w = "#";
    w += tokens[i];
    w += '#';
    if (tokens[i] == "<num>" || tokens[i] == "?") continue;
    for (std::size_t n = 3; n <= 5; ++n) {
      for (std::size_t k = 0; k + n <= w.size(); ++k)
        Add(f, std::string_view(w).substr(k, n), 3 + n, 0.5f);
    }
  }
  // Merge repeated indices, then L2-normalise.
  std::sort(f.begin(), f.end(),
            [](const Feature& a, const Feature& b) { return a.index < b.index; });
  std::vector<Feature> merged;
  for (const auto& x : f) {
    if (!merged.empty() && merged.back().index == x.index) {
      merged.back().value += x.value;
    } else {
      merged.push_back(x);
    }
  }
  double norm = 0;
  for (const auto& x : merged) norm += static_cast<double>(x.value) * x.value;
  norm = std::sqrt(norm);
  for (auto& x : merged) x.value = static_cast<float>(x.value / norm);
  return merged;
}

std::vector<LabelledMessage> LoadMessages(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) throw std::runtime_error("chat intents: cannot open " + path);
  auto doc = nlohmann::json::parse(*text);
  std::vector<LabelledMessage> out;
  for (const auto& m : doc.at("messages")) {
    std::string intent = m.at("intent").get<std::string>();
    auto it = std::find(kIntents.begin(), kIntents.end(), intent);
    if (it == kIntents.end()) throw std::runtime_error("chat intents: unknown intent " + intent);
    out.push_back({m.at("text").get<std::string>(), static_cast<std::size_t>(it - kIntents.begin()),
                   m.value("split", "train") == "heldout"});
  }
  return out;
}

std::array<double, kIntentCount> IntentClassifier::Logits(
    const std::vector<Feature>& features) const {
  std::array<double, kIntentCount> z = bias_;
  for (const auto& f : features) {
    const float* row = &weights_[static_cast<std::size_t>(f.index) * kIntentCount];
    for (std::size_t c = 0; c < kIntentCount; ++c) z[c] += static_cast<double>(row[c]) * f.value;
  }
  return z;
}

namespace {

std::array<double, kIntentCount> Softmax(std::array<double, kIntentCount> z, double temperature) {
  double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (auto& v : z) {
    v = std::exp((v - top) / temperature);
    sum += v;
  }
  for (auto& v : z) v /= sum;
  return z;
}

}  // namespace

IntentClassifier IntentClassifier::Train(const std::vector<LabelledMessage>& messages,
                                         Options options) {
  IntentClassifier model;
  model.weights_.assign(static_cast<std::size_t>(kDimensions) * kIntentCount, 0.0f);
  std::vector<std::pair<std::vector<Feature>, std::size_t>> train, heldout;
  for (const auto& m : messages) {
    (m.heldout ? heldout : train).emplace_back(Features(m.text), m.intent);
  }
  // Stochastic gradient descent in a fixed order (interleaved by a stride, so consecutive steps
  // see different intents), with a learning rate that decays per epoch: the same data always
  // gives the same weights.
  // Averaged SGD: the returned weights are the mean over all steps, which generalises better
  // than the last iterate. Kept lazily: u accumulates step-weighted updates, mean = w - u / c.
  std::vector<float> u(model.weights_.size(), 0.0f);
  std::array<double, kIntentCount> u_bias{};
  double c = 1;
  std::size_t n = train.size();
  std::size_t stride = 7;
  while (n > 0 && std::gcd(stride, n) != 1) ++stride;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    double rate = options.learning_rate / (1.0 + epoch * 0.1);
    for (std::size_t step = 0; step < n; ++step) {
      const auto& [features, label] = train[(step * stride + static_cast<std::size_t>(epoch)) % n];
      auto p = Softmax(model.Logits(features), 1.0);
      for (std::size_t k = 0; k < kIntentCount; ++k) {
        double g = p[k] - (k == label ? 1.0 : 0.0);
        double db = rate * g * 0.1;
        model.bias_[k] -= db;
        u_bias[k] -= c * db;
        for (const auto& f : features) {
          std::size_t at = static_cast<std::size_t>(f.index) * kIntentCount + k;
          float& w = model.weights_[at];
          double dw = rate * (g * f.value + options.l2 * w);
          w -= static_cast<float>(dw);
          u[at] -= static_cast<float>(c * dw);
        }
      }
      c += 1;
    }
  }
  for (std::size_t i = 0; i < model.weights_.size(); ++i) {
    model.weights_[i] -= static_cast<float>(u[i] / c);
  }
  for (std::size_t k = 0; k < kIntentCount; ++k) model.bias_[k] -= u_bias[k] / c;
  // Temperature scaling on the held-out split: the one parameter that makes the confidences
  // match how often the model is right.
  if (!heldout.empty()) {
    double best_t = 1.0, best_nll = 1e300;
    for (double t = 0.25; t <= 4.0001; t += 0.05) {
      double nll = 0;
      for (const auto& [features, label] : heldout) {
        nll -= std::log(std::max(1e-12, Softmax(model.Logits(features), t)[label]));
      }
      if (nll < best_nll) {
        best_nll = nll;
        best_t = t;
      }
    }
    model.temperature_ = best_t;
  }
  return model;
}

IntentClassifier::Scores IntentClassifier::Classify(std::string_view message) const {
  Scores s;
  s.probability = Softmax(Logits(Features(message)), temperature_);
  s.best = static_cast<std::size_t>(std::max_element(s.probability.begin(), s.probability.end()) -
                                    s.probability.begin());
  return s;
}

uint64_t IntentClassifier::Fingerprint() const {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      h ^= bytes[i];
      h *= 1099511628211ULL;
    }
  };
  mix(weights_.data(), weights_.size() * sizeof(float));
  mix(bias_.data(), sizeof(bias_));
  mix(&temperature_, sizeof(temperature_));
  return h;
}

}  // namespace vf::chat
