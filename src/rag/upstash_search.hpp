#pragma once
// Upstash Search (REST) as an optional retrieval leg beside the embedded index: its hybrid
// semantic + full-text ranking is fused with the lexical legs by reciprocal rank fusion. The
// hosted index mirrors the knowledge base: a document per passage (content: title, text, tags;
// metadata: namespace) plus one holding the knowledge-base version, so a restart with the same
// knowledge base uploads nothing. Queries ask for no LLM rewriting ("inputEnrichment": false) so
// results stay deterministic and cacheable.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/json_http.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

class UpstashSearch : public ExternalLeg {
 public:
  UpstashSearch(std::string rest_url, std::string token, std::string index,
                std::chrono::milliseconds timeout);

  // Makes the hosted index hold `kb`: nothing when its stored version matches, else a reset and
  // an upload in batches. Returns how many passages were uploaded. Throws HttpError.
  size_t Sync(const knowledge::KnowledgeBase& kb);

  std::vector<std::string> Rank(const std::string& text, std::span<const std::string> namespaces,
                                size_t k) override;
  std::string name() const override { return "upstash:" + index_; }

  // The filter expression for a set of namespaces (Upstash's SQL-like syntax).
  static std::string NamespaceFilter(std::span<const std::string> namespaces);
  static constexpr const char* kVersionId = "_kb_version";

 private:
  nlohmann::json Call(const std::string& command, const nlohmann::json& body,
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  std::string base_url_;
  std::string index_;
  JsonHttpClient http_;
};

}  // namespace vf::rag
