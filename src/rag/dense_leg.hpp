#pragma once
// Dense retrieval as an optional leg: passages and queries embedded by any OpenAI-compatible
// embeddings endpoint (POST {base}/embeddings) or a model run in-process, passages searched by
// cosine similarity in hnswlib indexes, one per namespace so a namespace filter is applied inside
// the index rather than by dropping results afterwards. Fused with the lexical legs by reciprocal
// rank fusion. Passage vectors are embedded once per knowledge-base version and model, and kept in
// the index folder when there is one.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/memory_cache.hpp"
#include "core/json_http.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

// What turns texts into vectors for the dense leg: an endpoint, or a model run in-process.
class TextEmbedder {
 public:
  virtual ~TextEmbedder() = default;
  // One unit-length vector per input, in order. Throws (HttpError from an endpoint). `timeout`
  // replaces an endpoint's configured deadline (which is meant for a question a user waits on).
  std::vector<std::vector<float>> Embed(
      const std::vector<std::string>& inputs,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    return EmbedTexts(inputs, timeout);
  }
  virtual const std::string& model() const = 0;

 protected:
  virtual std::vector<std::vector<float>> EmbedTexts(
      const std::vector<std::string>& inputs, std::optional<std::chrono::milliseconds> timeout) = 0;
};

// An OpenAI-compatible embeddings client.
class EmbeddingClient : public TextEmbedder {
 public:
  EmbeddingClient(std::string base_url, std::string api_key, std::string model,
                  std::chrono::milliseconds timeout);
  const std::string& model() const override { return model_; }

 private:
  std::vector<std::vector<float>> EmbedTexts(
      const std::vector<std::string>& inputs,
      std::optional<std::chrono::milliseconds> timeout) override;

  std::string url_;
  std::string model_;
  JsonHttpClient http_;
};

class DenseLeg : public ExternalLeg {
 public:
  // Room for the vectors of recent questions and route phrases: about 4,000 of the local model's
  // 451 dimensions, 1,300 of a 1,536-dimension hosted model's.
  static constexpr size_t kQuestionMemoryBytes = size_t{8} << 20;

  // Embeds every passage (or reads the vectors saved in `index_dir` for this knowledge base and
  // model). Throws HttpError when the endpoint cannot embed them.
  DenseLeg(const knowledge::KnowledgeBase& kb, TextEmbedder& client,
           const std::filesystem::path& index_dir);
  ~DenseLeg() override;

  std::vector<std::string> Rank(const std::string& text, std::span<const std::string> namespaces,
                                size_t k) override;
  // Embeds the texts not remembered yet in one request (a route's query and the required facets
  // searched beside it: one round trip instead of one each). A route's phrases ("training around
  // knee pain") recur across athletes, so they are mostly remembered already.
  void Prepare(std::span<const std::string> texts) override;
  // Forgets every question vector (a benchmark's cold start).
  void ForgetQuestions();
  std::string name() const override { return "dense:" + client_.model(); }
  bool loaded_from_disk() const { return loaded_from_disk_; }

  // What an embedding input is made of: the title, then the text.
  static std::string PassageInput(const knowledge::Passage& p);
  // Embedded at start-up and kept beside the saved vectors, to tell whether the model changed.
  static constexpr std::string_view kProbeText =
      "how many sets should i do this week if my knees ache after running";

 private:
  struct Shelf;  // one namespace's passage vectors
  std::vector<float> QuestionVector(const std::string& text);

  const knowledge::KnowledgeBase& kb_;
  TextEmbedder& client_;
  size_t dimensions_ = 0;
  bool loaded_from_disk_ = false;
  std::map<std::string, std::unique_ptr<Shelf>> shelves_;  // by namespace
  // Question vectors by text (float32 bytes).
  cache::MemoryCache questions_{{.budget_bytes = kQuestionMemoryBytes}};
};

}  // namespace vf::rag
