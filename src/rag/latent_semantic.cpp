#include "rag/latent_semantic.hpp"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <unordered_map>

#include "rag/analyzer.hpp"
#include "rag/matrix_library.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

struct LatentSemanticIndex::Model {
  Eigen::VectorXf sigma;  // the kept singular values, largest last
  Eigen::MatrixXf v;      // passages x dimensions: the right singular vectors
  std::unordered_map<std::string, uint32_t> term_ids;
  std::vector<float> idf;
  // Per term, the passages it occurs in with its tf-idf weight there: the sparse matrix A.
  std::vector<std::vector<std::pair<uint32_t, float>>> postings;
  Eigen::MatrixXf passages;  // passages x dimensions: rows of V S (= U^T d), unit length
  Eigen::MatrixXf fold_in;   // passages x dimensions: V S^-1, takes A^T q to U^T q
};

namespace {

constexpr uint32_t kMagic = 0x31534c56;  // "VLS1": passages, dimensions, then S and V

// Reads S and V as Save wrote them when the file holds `passages` x `dimensions`.
bool ReadDecomposition(const std::filesystem::path& file, Eigen::Index passages,
                       Eigen::Index dimensions, Eigen::VectorXf& sigma, Eigen::MatrixXf& v) {
  std::ifstream in(file, std::ios::binary);
  uint32_t header[3] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header) || header[0] != kMagic ||
      header[1] != passages || header[2] != dimensions) {
    return false;
  }
  sigma.resize(dimensions);
  v.resize(passages, dimensions);
  in.read(reinterpret_cast<char*>(sigma.data()),
          static_cast<std::streamsize>(sigma.size() * sizeof(float)));
  in.read(reinterpret_cast<char*>(v.data()),
          static_cast<std::streamsize>(v.size() * sizeof(float)));
  return static_cast<bool>(in) && in.peek() == std::char_traits<char>::eof();
}

float TermWeight(int count, float idf) { return (1 + std::log(static_cast<float>(count))) * idf; }

}  // namespace

LatentSemanticIndex::LatentSemanticIndex(const knowledge::KnowledgeBase& kb,
                                         const Analyzer& analyzer, size_t dimensions,
                                         const std::filesystem::path& saved)
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
  auto kept = static_cast<Eigen::Index>(std::min(dimensions, n));
  if (!saved.empty())
    loaded_ = ReadDecomposition(saved, static_cast<Eigen::Index>(n), kept, m.sigma, m.v);
  if (!loaded_) {
    // The SVD through the small side: A^T A (passages x passages) = V S^2 V^T.
    auto size = static_cast<Eigen::Index>(n);
    Eigen::MatrixXf gram = Eigen::MatrixXf::Zero(size, size);
    for (const auto& list : m.postings) {
      for (auto [a, wa] : list) {
        for (auto [b, wb] : list) gram(a, b) += wa * wb;
      }
    }
    auto exclusive = ExclusiveMatrixProducts();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> solver(gram);
    // Eigenvalues come in increasing order: the last columns belong to the largest.
    m.sigma = solver.eigenvalues().tail(kept).cwiseMax(1e-6f).cwiseSqrt();
    m.v = solver.eigenvectors().rightCols(kept);
  }
  m.passages = m.v * m.sigma.asDiagonal();
  m.passages.rowwise().normalize();
  m.fold_in = m.v * m.sigma.cwiseInverse().asDiagonal();
}

LatentSemanticIndex::~LatentSemanticIndex() = default;

std::string LatentSemanticIndex::FileName(size_t dimensions) {
  return "latent-" + std::to_string(dimensions) + ".f32";
}

void LatentSemanticIndex::Save(const std::filesystem::path& file) const {
  const auto& m = *model_;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  uint32_t header[3] = {kMagic, static_cast<uint32_t>(m.v.rows()),
                        static_cast<uint32_t>(m.v.cols())};
  out.write(reinterpret_cast<const char*>(header), sizeof header);
  out.write(reinterpret_cast<const char*>(m.sigma.data()),
            static_cast<std::streamsize>(m.sigma.size() * sizeof(float)));
  out.write(reinterpret_cast<const char*>(m.v.data()),
            static_cast<std::streamsize>(m.v.size() * sizeof(float)));
  if (!out) throw knowledge::KnowledgeError("cannot write " + file.string());
}

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
  Eigen::VectorXf scores;
  {
    auto exclusive = ExclusiveMatrixProducts();
    Eigen::VectorXf query = (m.fold_in.transpose() * projected).normalized();
    scores = m.passages * query;
  }
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
