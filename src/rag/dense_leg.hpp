#pragma once
// Dense retrieval as an optional leg: passages and queries embedded by any OpenAI-compatible
// embeddings endpoint (POST {base}/embeddings), passages searched by cosine similarity in
// hnswlib graphs, one per namespace so a namespace filter is applied inside the index rather
// than by dropping results afterwards. Fused with the lexical legs by reciprocal rank fusion.
// Passage vectors are embedded once per knowledge-base version and model, and kept in the index
// folder when there is one.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_http.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

// An OpenAI-compatible embeddings client.
class EmbeddingClient {
 public:
  EmbeddingClient(std::string base_url, std::string api_key, std::string model,
                  std::chrono::milliseconds timeout);
  // One unit-length vector per input, in order. Throws HttpError. `timeout` replaces the
  // configured deadline (which is meant for a question a user waits on).
  std::vector<std::vector<float>> Embed(
      const std::vector<std::string>& inputs,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  const std::string& model() const { return model_; }

 private:
  std::string url_;
  std::string model_;
  JsonHttpClient http_;
};

class DenseLeg : public ExternalLeg {
 public:
  // Embeds every passage (or reads the vectors saved in `index_dir` for this knowledge base and
  // model). Throws HttpError when the endpoint cannot embed them.
  DenseLeg(const knowledge::KnowledgeBase& kb, EmbeddingClient& client,
           const std::filesystem::path& index_dir);
  ~DenseLeg() override;

  std::vector<std::string> Rank(const std::string& text, std::span<const std::string> namespaces,
                                size_t k) override;
  std::string name() const override { return "dense:" + client_.model(); }
  bool loaded_from_disk() const { return loaded_from_disk_; }

  // What an embedding input is made of: the title, then the text.
  static std::string PassageInput(const knowledge::Passage& p);
  // Embedded at start-up and kept beside the saved vectors, to tell whether the model changed.
  static constexpr std::string_view kProbeText =
      "how many sets should i do this week if my knees ache after running";

 private:
  struct Graph;
  const knowledge::KnowledgeBase& kb_;
  EmbeddingClient& client_;
  size_t dimensions_ = 0;
  bool loaded_from_disk_ = false;
  std::map<std::string, std::unique_ptr<Graph>> graphs_;  // by namespace
};

}  // namespace vf::rag
