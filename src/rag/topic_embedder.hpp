#pragma once
// Knowledge-topic embeddings computed in-process: a text's Universal Sentence Encoder vector (the
// same vectors tools/embeddings-server serves) or its distilled student's, read by the softmax
// classifier trained on the knowledge base (that folder's train_topics.py), so a text's
// embedding is, for every passage, how likely the passage is to be what the text asks about,
// scaled to unit length.
// Needs no network and no other process: the dense leg's model in the server itself.

#include <Eigen/Dense>
#include <filesystem>
#include <string>
#include <vector>

#include "rag/dense_leg.hpp"
#include "rag/sentence_encoder.hpp"

namespace vf::rag {

class TopicEmbedder : public TextEmbedder {
 public:
  // `dir`: tools/embeddings-server after `npm ci` (the encoder's weights under node_modules) with
  // its trained model/topics.json and model/topics.f32. Throws std::runtime_error.
  enum class Encoder {
    kFull,       // the Universal Sentence Encoder lite, two layers 512 wide
    kDistilled,  // its one-layer student (model/distilled), about a tenth of the products
  };
  explicit TopicEmbedder(const std::filesystem::path& dir, Encoder encoder = Encoder::kFull);
  const std::string& model() const override { return model_; }
  // The passage ids of the classifier's classes, in order.
  const std::vector<std::string>& passages() const { return passages_; }
  static constexpr const char* kModel = "knowledge-topics";  // as the endpoint names it
  // Another name, so that the dense leg keeps the two models' passage vectors apart.
  static constexpr const char* kDistilledModel = "knowledge-topics-distilled";

 private:
  // Spreads a batch over the machine's cores; never times out.
  std::vector<std::vector<float>> EmbedTexts(const std::vector<std::string>& inputs,
                                             std::optional<std::chrono::milliseconds>) override;
  std::vector<float> Topics(const std::string& text) const;

  std::string model_;
  SentenceEncoder encoder_;
  std::vector<std::string> passages_;
  double temperature_ = 1;
  // (encoder dimensions + bias) x passages.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> weights_;
};

}  // namespace vf::rag
