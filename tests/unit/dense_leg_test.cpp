// The dense leg's search: passages ranked by exact cosine similarity to the question, within the
// namespaces asked for, however few a namespace holds.
#include "rag/dense_leg.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "test_passages.hpp"

namespace vf::rag {
namespace {

// Stands in for an embeddings model: every text gets a fixed pseudo-random unit vector, of an odd
// length like the local model's 451 (stored padded, so that hnswlib's labels stay aligned: the
// sanitizer build checks).
class HashEmbedderStandIn : public TextEmbedder {
 public:
  static std::vector<float> VectorOf(const std::string& text) {
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(text)));
    std::normal_distribution<float> normal;
    std::vector<float> v(15);
    double norm = 0;
    for (auto& x : v) {
      x = normal(rng);
      norm += double(x) * x;
    }
    for (auto& x : v) x = static_cast<float>(x / std::sqrt(norm));
    return v;
  }
  const std::string& model() const override { return model_; }

 private:
  std::vector<std::vector<float>> EmbedTexts(const std::vector<std::string>& inputs,
                                             std::optional<std::chrono::milliseconds>) override {
    std::vector<std::vector<float>> out;
    for (const auto& text : inputs) out.push_back(VectorOf(text));
    return out;
  }
  std::string model_ = "hash-15";
};

knowledge::KnowledgeBase ThreeNamespaces() {
  knowledge::KnowledgeBase kb;
  auto add = [&](const std::string& ns, int count) {
    for (int i = 0; i < count; ++i) {
      auto id = ns + "-" + std::to_string(i);
      kb.passages.push_back(testing::TestPassage(id, ns, "Title " + id, "Body of " + id + "."));
    }
  };
  add("running", 40);
  add("injury", 25);
  add("nutrition", 3);
  return kb;
}

// Every passage of `namespaces`, most similar first, by a plain loop over all of them.
std::vector<std::string> ExactRanking(const knowledge::KnowledgeBase& kb, const std::string& text,
                                      const std::vector<std::string>& namespaces, size_t k) {
  auto query = HashEmbedderStandIn::VectorOf(text);
  std::vector<std::pair<double, std::string>> scored;
  for (const auto& p : kb.passages) {
    if (std::find(namespaces.begin(), namespaces.end(), p.name_space) == namespaces.end()) continue;
    auto v = HashEmbedderStandIn::VectorOf(DenseLeg::PassageInput(p));
    double dot = 0;
    for (size_t i = 0; i < v.size(); ++i) dot += double(v[i]) * query[i];
    scored.emplace_back(-dot, p.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < std::min(k, scored.size()); ++i) ids.push_back(scored[i].second);
  return ids;
}

TEST(DenseLeg, RanksByExactCosineWithinTheNamespacesAskedFor) {
  auto kb = ThreeNamespaces();
  HashEmbedderStandIn model;
  DenseLeg leg(kb, model, {});
  const std::vector<std::string> all{"running", "injury", "nutrition"};
  for (const std::string question :
       {"knee pain on long runs", "how much protein", "shin splints", "taper week"}) {
    EXPECT_EQ(leg.Rank(question, all, 30), ExactRanking(kb, question, all, 30)) << question;
    EXPECT_EQ(leg.Rank(question, {}, 30), ExactRanking(kb, question, all, 30)) << question;
    const std::vector<std::string> two{"injury", "nutrition"};
    EXPECT_EQ(leg.Rank(question, two, 10), ExactRanking(kb, question, two, 10)) << question;
  }
}

TEST(DenseLeg, ReturnsWhatANamespaceHoldsWhenItHoldsFewerThanAskedFor) {
  auto kb = ThreeNamespaces();
  HashEmbedderStandIn model;
  DenseLeg leg(kb, model, {});
  const std::vector<std::string> nutrition{"nutrition"};
  auto ids = leg.Rank("creatine", nutrition, 30);
  EXPECT_EQ(ids, ExactRanking(kb, "creatine", nutrition, 30));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(leg.Rank("creatine", std::vector<std::string>{"no-such-namespace"}, 5).empty());
}

}  // namespace
}  // namespace vf::rag
