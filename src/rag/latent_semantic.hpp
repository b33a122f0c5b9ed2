#pragma once
// Latent semantic indexing (Deerwester et al. 1990): a truncated SVD of the knowledge base's
// tf-idf term-passage matrix (passage text, tags and expansion questions) places words that occur
// in the same passages near each other, so a passage can rank for a question that shares few of
// its words ("how much can I bump my mileage" -> the load-spikes passage). One of the
// retriever's legs; computed in-process, no model and no network. The decomposition is the
// costly part (an eigensolver over passages x passages): it is saved with a prebuilt index and
// read back by every retriever of that version.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "knowledge/knowledge_base.hpp"

namespace vf::rag {

struct Candidate;
class Analyzer;

class LatentSemanticIndex {
 public:
  // `dimensions`: how many singular vectors are kept (at most the passage count). `saved`: a
  // file written by Save for this knowledge base; used when it holds these dimensions,
  // otherwise (missing, other dimensions, unreadable) the decomposition is computed.
  LatentSemanticIndex(const knowledge::KnowledgeBase& kb, const Analyzer& analyzer,
                      size_t dimensions, const std::filesystem::path& saved = {});
  ~LatentSemanticIndex();
  LatentSemanticIndex(const LatentSemanticIndex&) = delete;
  LatentSemanticIndex& operator=(const LatentSemanticIndex&) = delete;

  // Passages by cosine with the query's stems in the latent space, best first, at most `limit`;
  // `namespaces` empty means all. Empty when no stem is one the index knows.
  std::vector<Candidate> Rank(std::span<const std::string> stems,
                              std::span<const std::string> namespaces, size_t limit) const;
  size_t dimensions() const;
  bool loaded() const { return loaded_; }  // read from a saved file rather than computed
  // Writes the decomposition (singular values and right singular vectors) to `file`.
  void Save(const std::filesystem::path& file) const;
  // The file a prebuilt index keeps it in.
  static std::string FileName(size_t dimensions);

 private:
  struct Model;
  const knowledge::KnowledgeBase& kb_;
  std::unique_ptr<Model> model_;
  bool loaded_ = false;
};

}  // namespace vf::rag
