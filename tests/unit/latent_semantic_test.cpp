// The latent semantic leg on knowledge bases written here: it ranks a passage for words it does
// not contain but its neighbours do, keeps to the namespaces asked for, and knows nothing of
// words outside the knowledge base.

#include "rag/latent_semantic.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "rag/analyzer.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {
namespace {

using knowledge::KnowledgeBase;
using knowledge::Passage;

KnowledgeBase Topics() {
  KnowledgeBase kb;
  auto add = [&](std::string id, std::string ns, std::string body) {
    Passage p;
    p.id = std::move(id);
    p.name_space = std::move(ns);
    p.title = "";
    p.body = std::move(body);
    p.cite = "test";
    kb.passages.push_back(std::move(p));
  };
  // Two topics. "tibia" occurs only in shin-splints; shin-load shares its other words. The
  // protein passages come first, so a scorer that only counted shared words would rank them
  // before shin-running on a tie.
  add("protein-meals", "nutrition", "protein meals muscle grams dose");
  add("protein-timing", "nutrition", "protein muscle grams after training dose");
  add("protein-plants", "nutrition", "plant protein muscle grams soy");
  add("shin-splints", "injury", "shin splints tibia pain runners mileage shin");
  add("shin-load", "injury", "shin pain runners mileage too fast shin");
  add("shin-running", "running", "runners mileage shin build weekly");
  for (size_t i = 0; i < kb.passages.size(); ++i) kb.index_by_id[kb.passages[i].id] = i;
  return kb;
}

std::vector<std::string> Ids(const KnowledgeBase& kb, const std::vector<Candidate>& ranked) {
  std::vector<std::string> ids;
  for (const auto& c : ranked) ids.push_back(kb.passages[c.passage].id);
  return ids;
}

std::vector<std::string> StemsOf(const Analyzer& analyzer, std::string_view text) {
  std::vector<std::string> stems;
  for (const auto& token : analyzer.Analyze(text)) {
    if (!token.stopword) stems.push_back(token.stem);
  }
  return stems;
}

TEST(LatentSemanticIndex, RanksAPassageForWordsOnlyItsNeighboursUse) {
  auto kb = Topics();
  Analyzer analyzer;
  LatentSemanticIndex index(kb, analyzer, 2);
  // shin-running has neither "tibia" nor "pain", only the shin topic's other words: it must
  // still rank with the shin passages, above every protein passage.
  auto ranked = Ids(kb, index.Rank(StemsOf(analyzer, "tibia pain"), {}, 6));
  ASSERT_EQ(ranked.size(), 6u);
  std::vector<std::string> top3(ranked.begin(), ranked.begin() + 3);
  EXPECT_NE(std::find(top3.begin(), top3.end(), "shin-running"), top3.end())
      << "shin-running shares no word with the query but its topic";
  for (const auto& id : top3) EXPECT_EQ(id.rfind("shin-", 0), 0u) << id;
}

TEST(LatentSemanticIndex, KeepsToTheNamespacesAskedForAndTheLimit) {
  auto kb = Topics();
  Analyzer analyzer;
  LatentSemanticIndex index(kb, analyzer, 2);
  std::vector<std::string> running{"running"};
  EXPECT_EQ(Ids(kb, index.Rank(StemsOf(analyzer, "shin pain"), running, 5)),
            std::vector<std::string>{"shin-running"});
  EXPECT_EQ(index.Rank(StemsOf(analyzer, "protein muscle"), {}, 2).size(), 2u);
}

TEST(LatentSemanticIndex, WordsOutsideTheKnowledgeBaseFindNothing) {
  auto kb = Topics();
  Analyzer analyzer;
  LatentSemanticIndex index(kb, analyzer, 2);
  EXPECT_TRUE(index.Rank(StemsOf(analyzer, "basketball rebound"), {}, 5).empty());
  // "soy" is in one passage only: it links to nothing and is not part of the index.
  EXPECT_TRUE(index.Rank(StemsOf(analyzer, "soy"), {}, 5).empty());
}

// A prebuilt index carries the decomposition; a retriever reads it back instead of computing it,
// and ranks exactly as if it had. A file of other dimensions or cut short is not used.
TEST(LatentSemanticIndex, ReadsBackASavedDecompositionAndIgnoresAWrongOne) {
  auto kb = Topics();
  Analyzer analyzer;
  auto dir = std::filesystem::temp_directory_path() / "voicefit-latent-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto file = dir / LatentSemanticIndex::FileName(2);
  LatentSemanticIndex computed(kb, analyzer, 2);
  EXPECT_FALSE(computed.loaded());
  computed.Save(file);

  LatentSemanticIndex read(kb, analyzer, 2, file);
  EXPECT_TRUE(read.loaded());
  auto query = StemsOf(analyzer, "tibia pain");
  auto a = computed.Rank(query, {}, 6), b = read.Rank(query, {}, 6);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].passage, b[i].passage);
    EXPECT_FLOAT_EQ(static_cast<float>(a[i].score), static_cast<float>(b[i].score));
  }

  EXPECT_FALSE(LatentSemanticIndex(kb, analyzer, 3, file).loaded());  // saved with 2
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 4);
  LatentSemanticIndex cut_short(kb, analyzer, 2, file);
  EXPECT_FALSE(cut_short.loaded());
  EXPECT_EQ(Ids(kb, cut_short.Rank(query, {}, 6)), Ids(kb, a));
  std::filesystem::remove_all(dir);
}

TEST(LatentSemanticIndex, AnEmptyKnowledgeBaseFindsNothing) {
  KnowledgeBase empty;
  Analyzer analyzer;
  LatentSemanticIndex index(empty, analyzer, 100);
  EXPECT_EQ(index.dimensions(), 0u);
  EXPECT_TRUE(index.Rank(StemsOf(analyzer, "shin pain"), {}, 5).empty());
}

TEST(LatentSemanticIndex, KeepsAtMostAsManyDimensionsAsPassages) {
  auto kb = Topics();
  Analyzer analyzer;
  EXPECT_EQ(LatentSemanticIndex(kb, analyzer, 100).dimensions(), kb.passages.size());
  EXPECT_EQ(LatentSemanticIndex(kb, analyzer, 3).dimensions(), 3u);
}

}  // namespace
}  // namespace vf::rag
