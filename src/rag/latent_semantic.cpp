#include "rag/latent_semantic.hpp"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "rag/analyzer.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

struct LatentSemanticIndex::Model {
  std::unordered_map<std::string, uint32_t> term_ids;
  std::vector<float> idf;
  // Per term, the passages it occurs in with its tf-idf weight there: the sparse matrix A.
  std::vector<std::vector<std::pair<uint32_t, float>>> postings;
  Eigen::MatrixXf passages;  // passages x dimensions: rows of V S (= U^T d), unit length
  Eigen::MatrixXf fold_in;   // passages x dimensions: V S^-1, takes A^T q to U^T q
};

namespace {

float TermWeight(int count, float idf) { return (1 + std::log(static_cast<float>(count))) * idf; }

}  // namespace

LatentSemanticIndex::LatentSemanticIndex(const knowledge::KnowledgeBase& kb,
                                         const Analyzer& analyzer, size_t dimensions)
    : kb_(kb), model_(std::make_unique<Model>()) {
  auto& m = *model_;
  const size_t n = kb_.passages.size();
  if (n == 0) return;  // nothing to decompose; Rank finds nothing
  std::vector<std::map<uint32_t, int>> counts(n);
  std::vector<int> document_frequency;
  for (size_t i = 0; i < n; ++i) {
    const auto& p = kb_.passages[i];
    std::string text = p.title + "\n" + p.body;
    for (const auto& phrase : p.tags) (text += "\n") += phrase;
    for (const auto& question : p.questions) (text += "\n") += question;
    for (const auto& token : analyzer.Analyze(text)) {
      if (token.stopword || Analyzer::IsNumber(token.word)) continue;
      auto [it, inserted] = m.term_ids.emplace(token.stem, static_cast<uint32_t>(m.idf.size()));
      if (inserted) {
        document_frequency.push_back(0);
        m.idf.push_back(0);
      }
      if (counts[i][it->second]++ == 0) ++document_frequency[it->second];
    }
  }
  m.postings.resize(m.idf.size());
  for (size_t t = 0; t < m.idf.size(); ++t) {
    // A word of one passage links it to no other: it carries no co-occurrence, only noise.
    int df = document_frequency[t];
    m.idf[t] = df < 2 ? 0.f : static_cast<float>(std::log(static_cast<double>(n) / df));
  }
  for (size_t i = 0; i < n; ++i) {
    for (auto [term, count] : counts[i]) {
      if (m.idf[term] > 0) {
        m.postings[term].emplace_back(static_cast<uint32_t>(i), TermWeight(count, m.idf[term]));
      }
    }
  }
  // The SVD through the small side: A^T A (passages x passages) = V S^2 V^T.
  auto size = static_cast<Eigen::Index>(n);
  Eigen::MatrixXf gram = Eigen::MatrixXf::Zero(size, size);
  for (const auto& list : m.postings) {
    for (auto [a, wa] : list) {
      for (auto [b, wb] : list) gram(a, b) += wa * wb;
    }
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> solver(gram);
  auto kept = static_cast<Eigen::Index>(std::min(dimensions, n));
  // Eigenvalues come in increasing order: the last columns belong to the largest.
  Eigen::VectorXf sigma = solver.eigenvalues().tail(kept).cwiseMax(1e-6f).cwiseSqrt();
  Eigen::MatrixXf v = solver.eigenvectors().rightCols(kept);
  m.passages = v * sigma.asDiagonal();
  m.passages.rowwise().normalize();
  m.fold_in = v * sigma.cwiseInverse().asDiagonal();
}

LatentSemanticIndex::~LatentSemanticIndex() = default;

size_t LatentSemanticIndex::dimensions() const {
  return static_cast<size_t>(model_->passages.cols());
}

std::vector<Candidate> LatentSemanticIndex::Rank(std::span<const std::string> stems,
                                                 std::span<const std::string> namespaces,
                                                 size_t limit) const {
  const auto& m = *model_;
  std::map<uint32_t, int> counts;
  for (const auto& stem : stems) {
    if (auto it = m.term_ids.find(stem); it != m.term_ids.end() && m.idf[it->second] > 0) {
      ++counts[it->second];
    }
  }
  if (counts.empty()) return {};
  // A^T q, then U^T q = S^-1 V^T A^T q: the query in the same coordinates as the passages.
  Eigen::VectorXf projected = Eigen::VectorXf::Zero(m.passages.rows());
  for (auto [term, count] : counts) {
    float w = TermWeight(count, m.idf[term]);
    for (auto [passage, weight] : m.postings[term]) projected[passage] += w * weight;
  }
  Eigen::VectorXf query = (m.fold_in.transpose() * projected).normalized();
  Eigen::VectorXf scores = m.passages * query;
  std::vector<Candidate> ranked;
  for (size_t i = 0; i < kb_.passages.size(); ++i) {
    const auto& ns = kb_.passages[i].name_space;
    if (namespaces.empty() ||
        std::find(namespaces.begin(), namespaces.end(), ns) != namespaces.end()) {
      ranked.push_back({static_cast<uint32_t>(i), scores[static_cast<Eigen::Index>(i)]});
    }
  }
  size_t keep = std::min(limit, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(keep), ranked.end(),
                    [](const Candidate& a, const Candidate& b) {
                      return a.score != b.score ? a.score > b.score : a.passage < b.passage;
                    });
  ranked.resize(keep);
  return ranked;
}

}  // namespace vf::rag
