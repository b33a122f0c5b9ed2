// General vs personal questions: only general ones may come from the shared AI-response cache.
// Labelled examples of both kinds, as athletes phrase them to a voice coach.

#include "cache/question_scope.hpp"

#include "cache/ai_response_cache.hpp"
#include "cache/memory_cache.hpp"

#include <gtest/gtest.h>

namespace vf::cache {
namespace {

TEST(QuestionScope, GeneralQuestionsAreGeneral) {
  for (const char* q : {
           "What is RPE?",
           "How much protein do lifters need per day?",
           "What's the difference between a Romanian deadlift and a stiff-leg deadlift?",
           "How long should you rest between heavy sets?",
           "Is creatine safe for teenagers?",
           "What does progressive overload mean",
           "How do you breathe during a heavy squat?",
           "Why do runners do strides?",
           "What is a tempo run",
           "Are compound lifts better than isolation work for hypertrophy?",
           "how many rest days does a beginner need",
           "What muscles does the hip thrust work?",
       }) {
    auto v = ClassifyQuestion(q);
    EXPECT_EQ(v.scope, QuestionScope::kGeneral) << q << " -> " << v.reason;
  }
}

TEST(QuestionScope, PersonalQuestionsArePersonal) {
  for (const char* q : {
           "How much protein do I need?",
           "Is my squat stalling?",
           "Should I deload this week?",
           "What did we do last session?",
           "Can you adjust my program for a sore knee",
           "I'm 80 kg, how much should I bench?",
           "Is 140kg a good squat",
           "Is 5x5 at 100 kilos enough",
           "What's my best deadlift",
           "Why was yesterday's run so hard",
           "How many workouts have I logged",
           "Plan something for tomorrow",
           "Did I hit a PR today?",
           "ran 10 km at 150 bpm, is that easy",
           "Give me a plan for next week",
           "",
       }) {
    auto v = ClassifyQuestion(q);
    EXPECT_EQ(v.scope, QuestionScope::kPersonal) << '"' << q << '"';
    EXPECT_FALSE(v.reason.empty()) << q;
  }
}

TEST(QuestionScope, NormalisedKeysIgnoreCasePunctuationAndSpacing) {
  EXPECT_EQ(NormalizedQuestionKey("What is RPE?"), NormalizedQuestionKey("  what   is rpe "));
  EXPECT_NE(NormalizedQuestionKey("What is RPE?"), NormalizedQuestionKey("What is RIR?"));
  EXPECT_EQ(NormalizedQuestionKey("x").size(), 64u);
}

}  // namespace
}  // namespace vf::cache

namespace vf::cache {
namespace {

TEST(AiResponseCache, SharesGeneralAnswersAndNeverPersonalOnes) {
  MemoryCache memory({});
  SingleFlight flight;
  Loader loader(memory, {"ai_response", "v1", std::chrono::hours(24)}, flight);
  AiResponseCache answers(loader);
  int model_calls = 0;
  auto model = [&] {
    ++model_calls;
    return std::string("answer ") + std::to_string(model_calls);
  };
  auto first = answers.GetOrAnswer("What is RPE?", model);
  auto again = answers.GetOrAnswer("what is rpe", model);  // another user, same question
  EXPECT_FALSE(first.cached);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(model_calls, 1);
  auto mine = answers.GetOrAnswer("What is my RPE trend?", model);
  auto mine_again = answers.GetOrAnswer("What is my RPE trend?", model);
  EXPECT_EQ(mine.scope, QuestionScope::kPersonal);
  EXPECT_FALSE(mine_again.cached);
  EXPECT_EQ(model_calls, 3);
  EXPECT_EQ(memory.stats().entries, 1u);  // only the general answer was stored
}

}  // namespace
}  // namespace vf::cache
