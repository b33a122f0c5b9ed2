#include "rag/topic_embedder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "core/text.hpp"
#include "core/worker_pool.hpp"
#include "rag/matrix_library.hpp"

namespace vf::rag {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
SentenceEncoder LoadEncoder(const fs::path& dir, TopicEmbedder::Encoder encoder) {
  const fs::path published =
      dir / "node_modules" / "@energetic-ai" / "model-embeddings-en" / "dist";
  if (encoder == TopicEmbedder::Encoder::kDistilled) {
    return SentenceEncoder(published, dir / "model" / "distilled");
  }
  return SentenceEncoder(published);
}
}  // namespace

TopicEmbedder::TopicEmbedder(const fs::path& dir, Encoder encoder)
    : model_(encoder == Encoder::kDistilled ? kDistilledModel : kModel),
      encoder_(LoadEncoder(dir, encoder)) {
  const fs::path meta_path = dir / "model" / "topics.json",
                 weights_path = dir / "model" / "topics.f32";
  auto meta = json::parse(ReadFile(meta_path).value_or(""), nullptr, false);
  if (!meta.is_object() || !meta.contains("passages") || !meta["passages"].is_array()) {
    throw std::runtime_error(meta_path.string() + ": unreadable");
  }
  passages_ = meta["passages"].get<std::vector<std::string>>();
  temperature_ = meta.value("temperature", 1.0);
  if (meta.value("encoder_dimensions", 0) != SentenceEncoder::kDimensions || temperature_ <= 0) {
    throw std::runtime_error("topics.json: another encoder or no temperature");
  }
  auto raw = ReadFile(weights_path);
  if (!raw) throw std::runtime_error("cannot read " + weights_path.string());
  size_t expected = (SentenceEncoder::kDimensions + 1) * passages_.size();
  if (raw->size() != expected * sizeof(float)) {
    throw std::runtime_error("topics.f32: " + std::to_string(raw->size() / 4) + " weights, " +
                             std::to_string(expected) + " expected");
  }
  std::vector<float> values(expected);
  std::memcpy(values.data(), raw->data(), raw->size());
  // In double, as the endpoint computes the logits (the temperature magnifies their rounding).
  weights_ =
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          values.data(), SentenceEncoder::kDimensions + 1, Eigen::Index(passages_.size()))
          .cast<double>();
}

std::vector<float> TopicEmbedder::Topics(const std::string& text) const {
  auto sentence = encoder_.Encode(text);
  const size_t classes = passages_.size();
  Eigen::RowVectorXd input(weights_.rows());
  input.head(Eigen::Index(sentence.size())) =
      Eigen::Map<const Eigen::RowVectorXf>(sentence.data(), Eigen::Index(sentence.size()))
          .cast<double>();
  input(Eigen::Index(sentence.size())) = 1.0;  // the last row is the bias
  Eigen::RowVectorXd product;
  {
    auto exclusive = ExclusiveMatrixProducts();
    product = input * weights_;
  }
  std::vector<double> logits(product.data(), product.data() + product.size());
  // Softmax scaled to unit length: its sum's division cancels in the norm's.
  double top = *std::max_element(logits.begin(), logits.end()) / temperature_;
  double norm = 0;
  for (auto& z : logits) {
    z = std::exp(z / temperature_ - top);
    norm += z * z;
  }
  norm = std::sqrt(norm);
  std::vector<float> out(classes);
  for (size_t j = 0; j < classes; ++j) out[j] = static_cast<float>(logits[j] / norm);
  return out;
}

std::vector<std::vector<float>> TopicEmbedder::EmbedTexts(
    const std::vector<std::string>& inputs, std::optional<std::chrono::milliseconds>) {
  std::vector<std::vector<float>> out(inputs.size());
  size_t workers = std::min<size_t>(CoreCount(), inputs.size());
  if (workers <= 1) {
    for (size_t i = 0; i < inputs.size(); ++i) out[i] = Topics(inputs[i]);
    return out;
  }
  std::vector<std::exception_ptr> errors(workers);
  {
    std::vector<std::jthread> threads;
    for (size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        try {
          for (size_t i = w; i < inputs.size(); i += workers) out[i] = Topics(inputs[i]);
        } catch (...) {
          errors[w] = std::current_exception();
        }
      });
    }
  }  // joined here
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return out;
}

}  // namespace vf::rag
