// The exercise-substitutes leg on a knowledge base written here: it fires only when a query both
// names an exercise and asks for something in its place, links the longest name, ranks the other
// exercises by likeness to the named one, and the retriever fuses it only where exercises may be
// searched.

#include "rag/exercise_substitutes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "rag/analyzer.hpp"
#include "rag/retriever.hpp"
#include "test_passages.hpp"

namespace vf::rag {
namespace {

using knowledge::KnowledgeBase;

KnowledgeBase Exercises() {
  KnowledgeBase kb;
  auto add = [&](std::string id, std::string ns, std::string title, std::string body,
                 std::vector<std::string> tags = {}) {
    kb.passages.push_back(testing::TestPassage(id, ns, title, body, tags));
  };
  // The bench press comes first so that, on a tie, it would lead: the hack squat has to earn its
  // place by likeness to the leg press.
  add("exercises-bench-press", "exercises", "Bench press",
      "Works the chest, front delts and triceps. Lower the bar to the chest and press it up.",
      {"bench press", "barbell bench"});
  add("exercises-leg-press", "exercises", "Leg press",
      "Works the quadriceps and glutes on a sled machine with the back supported; feet mid "
      "platform, knees track the toes.",
      {"leg press", "quads and glutes"});
  add("exercises-hack-squat", "exercises", "Hack squat",
      "A sled machine squat that works the quadriceps and glutes with the back supported; knees "
      "track the toes.",
      {"hack squat", "machine squat"});
  add("exercises-front-squat", "exercises", "Front squat",
      "A barbell squat with the bar on the front of the shoulders; works the quadriceps.",
      {"front squat", "front rack"});
  add("exercises-squat", "exercises", "Barbell back squat",
      "A barbell squat with the bar on the upper back; works the quadriceps and glutes.",
      {"back squat", "squats"});
  // Not an exercise passage, though it reads like one: never a substitute.
  add("hypertrophy-quads", "hypertrophy", "Building the quadriceps",
      "Machine squats and presses with the back supported work the quadriceps and glutes.",
      {"quads"});
  for (size_t i = 0; i < kb.passages.size(); ++i) kb.index_by_id[kb.passages[i].id] = i;
  kb.version = "substitutes-test";
  return kb;
}

using Strings = std::vector<std::string>;

std::vector<std::string> StemsOf(const Analyzer& analyzer, std::string_view text) {
  std::vector<std::string> stems;
  for (const auto& token : analyzer.Analyze(text)) stems.push_back(token.stem);
  return stems;
}

std::vector<std::string> Ids(const KnowledgeBase& kb, const std::vector<uint32_t>& passages) {
  std::vector<std::string> ids;
  for (auto p : passages) ids.push_back(kb.passages[p].id);
  return ids;
}

std::vector<std::string> Ids(const KnowledgeBase& kb, const std::vector<Candidate>& ranked) {
  std::vector<std::string> ids;
  for (const auto& c : ranked) ids.push_back(kb.passages[c.passage].id);
  return ids;
}

// Linking names needs no similarities.
struct Linker {
  KnowledgeBase kb = Exercises();
  Analyzer analyzer;
  ExerciseSubstitutes substitutes{kb, analyzer, [](uint32_t, uint32_t) { return 0.0; }};
  Strings Named(std::string_view query) const {
    return Ids(kb, substitutes.NamedForReplacement(StemsOf(analyzer, query)));
  }
};

TEST(ExerciseSubstitutes, NeedsBothANamedExerciseAndAnAskForAReplacement) {
  Linker linker;
  EXPECT_EQ(linker.Named("whats a good sub for leg press, my gym has none"),
            Strings{"exercises-leg-press"});
  EXPECT_EQ(linker.Named("what can I do instead of the Leg Press"), Strings{"exercises-leg-press"});
  // Naming an exercise alone asks about that exercise.
  EXPECT_TRUE(linker.Named("how deep should I go on leg press").empty());
  // Asking for an alternative to nothing named links nothing.
  EXPECT_TRUE(linker.Named("an alternative to running").empty());
}

TEST(ExerciseSubstitutes, LinksTheLongestNameAndEveryExerciseNamed) {
  Linker linker;
  // "front squat" is one exercise, not the front squat and the squats of the first tag "squats".
  EXPECT_EQ(linker.Named("front squat alternatives for my wrists"),
            Strings{"exercises-front-squat"});
  // The first tag names as well as the title does ("back squat" beside "Barbell back squat").
  auto both = linker.Named("swap back squats and bench press for machines");
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (Strings{"exercises-bench-press", "exercises-squat"}));
}

TEST(ExerciseSubstitutes, RanksTheNamedExerciseThenTheMostAlike) {
  auto kb = Exercises();
  Analyzer analyzer;
  Retriever retriever(kb, {});
  ExerciseSubstitutes substitutes(
      kb, analyzer, [&](uint32_t a, uint32_t b) { return retriever.Similarity(a, b); });
  auto ranked = Ids(kb, substitutes.Rank(StemsOf(analyzer, "a substitute for leg press"), 10));
  ASSERT_GE(ranked.size(), 3u);
  EXPECT_EQ(ranked[0], "exercises-leg-press");
  EXPECT_EQ(ranked[1], "exercises-hack-squat");
  EXPECT_EQ(std::count(ranked.begin(), ranked.end(), "hypertrophy-quads"), 0);
  EXPECT_EQ(ranked.size(), 5u);  // every exercise passage shares a word with the leg press
  EXPECT_EQ(substitutes.Rank(StemsOf(analyzer, "a substitute for leg press"), 2).size(), 2u);
  EXPECT_TRUE(substitutes.Rank(StemsOf(analyzer, "leg press depth"), 10).empty());
}

TEST(ExerciseSubstitutes, TheRetrieverFusesTheLegOnlyWhereExercisesAreSearched) {
  auto kb = Exercises();
  RetrievalSettings on;
  // Only the lexical synonyms leg beside it: the feedback and latent legs can reach the hack squat
  // through the leg press's own words.
  on.feedback_weight = 0;
  on.latent_weight = 0;
  on.latent_dimensions = 0;
  auto off = on;
  off.substitutes_weight = 0;
  Retriever with(kb, {}, on);
  Retriever without(kb, {}, off);
  const std::string query = "what can i use instead of the leg press";
  auto found = [&](const Retriever& r, std::span<const std::string> namespaces) {
    auto ids = Ids(kb, r.Search(query, namespaces, 10));
    return std::count(ids.begin(), ids.end(), "exercises-hack-squat") > 0;
  };
  // The query shares no word with the hack squat's passage; the leg brings it in.
  EXPECT_FALSE(found(without, {}));
  EXPECT_TRUE(found(with, {}));
  Strings exercises{"exercises"};
  EXPECT_TRUE(found(with, exercises));
  Strings elsewhere{"hypertrophy"};
  EXPECT_FALSE(found(with, elsewhere));
  EXPECT_EQ(Ids(kb, with.Search(query, {}, 1)), Strings{"exercises-leg-press"});
  EXPECT_NE(with.settings().Fingerprint(), without.settings().Fingerprint());
}

}  // namespace
}  // namespace vf::rag
