// The questionnaire transformers: what each AI route's request and the user's context become as
// a retrieval query, on the fixtures the evaluation set uses (knowledge/eval).

#include "rag/questionnaire.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace vf::rag {
namespace {

using nlohmann::json;

json Fixtures() {
  std::ifstream in(std::string(VOICEFIT_SOURCE_DIR) + "/knowledge/eval/endpoint-fixtures.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str());
}

RagQuery Transform(const std::string& qid) {
  static const json fixtures = Fixtures();
  for (const auto& f : fixtures["fixtures"]) {
    if (f["qid"] == qid) {
      return TransformRequest(f["endpoint"].get<std::string>(), f["request"],
                              fixtures["contexts"][f["context"].get<std::string>()]);
    }
  }
  throw std::runtime_error("no fixture " + qid);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using Namespaces = std::vector<std::string>;

TEST(Questionnaire, EveryRouteHasATransformerAndAFixture) {
  std::set<std::string> with_fixture;
  json fixtures = Fixtures();  // kept alive: the loop refers into it
  for (const auto& f : fixtures["fixtures"]) with_fixture.insert(f["endpoint"].get<std::string>());
  EXPECT_EQ(TransformerEndpoints().size(), 13u);
  for (const auto& endpoint : TransformerEndpoints()) {
    EXPECT_TRUE(with_fixture.count(endpoint)) << endpoint;
  }
  EXPECT_THROW(TransformRequest("coach/unknown", json::object(), json::object()),
               std::invalid_argument);
}

TEST(Questionnaire, CoachAskCarriesAShortFollowUpsContext) {
  auto plain = Transform("ep-01");
  EXPECT_EQ(plain.text, "How many days a week should a total beginner lift?");
  EXPECT_TRUE(plain.namespaces.empty());
  EXPECT_EQ(plain.k, 5u);
  auto follow_up = Transform("ep-02");
  EXPECT_EQ(follow_up.text, "how long should I rest between heavy squat sets. and for deadlifts?");
}

TEST(Questionnaire, StrengthProgramReadsGoalExperienceEquipmentAndInjuries) {
  auto lifter = Transform("ep-04");
  EXPECT_TRUE(Contains(lifter.text, "strength program periodization"));
  EXPECT_TRUE(Contains(lifter.text, "intermediate undulating"));  // from the profile
  EXPECT_TRUE(Contains(lifter.text, "four days per week"));       // as the passages say it
  EXPECT_TRUE(Contains(lifter.text, "deload week"));
  EXPECT_TRUE(Contains(lifter.text, "training around knee pain"));
  EXPECT_EQ(lifter.namespaces, (Namespaces{"programming", "strength", "injury"}));
  // The active injury's guidance must reach the plan's sources.
  ASSERT_EQ(lifter.required.size(), 1u);
  EXPECT_EQ(lifter.required[0].text, "training around knee pain");
  EXPECT_EQ(lifter.required[0].namespaces, (Namespaces{"injury"}));
  auto novice = Transform("ep-05");
  EXPECT_TRUE(Contains(novice.text, "hypertrophy program weekly sets"));
  EXPECT_TRUE(Contains(novice.text, "beginner linear progression"));
  EXPECT_TRUE(Contains(novice.text, "short time-efficient sessions"));
  EXPECT_EQ(novice.namespaces, (Namespaces{"programming", "hypertrophy"}));
  EXPECT_TRUE(novice.required.empty());  // no injury
  auto home = Transform("ep-06");
  EXPECT_TRUE(Contains(home.text, "home training with dumbbells"));
  EXPECT_FALSE(Contains(home.text, "deload"));  // four weeks
}

TEST(Questionnaire, RunningPlanReadsRaceVolumeAndDays) {
  auto marathon = Transform("ep-07");
  EXPECT_TRUE(Contains(marathon.text, "marathon training plan"));
  EXPECT_FALSE(Contains(marathon.text, "first"));
  EXPECT_TRUE(Contains(marathon.text, "taper"));
  EXPECT_TRUE(Contains(marathon.text, "VDOT"));
  EXPECT_TRUE(Contains(marathon.text, "running with achilles pain"));  // a runner's guidance
  ASSERT_EQ(marathon.required.size(), 1u);
  EXPECT_EQ(marathon.required[0].text, "running with achilles pain");
  auto couch = Transform("ep-08");
  EXPECT_TRUE(Contains(couch.text, "first 5K plan for a beginner"));  // 6 km a week
  EXPECT_TRUE(Contains(couch.text, "beginner building weekly mileage"));
  EXPECT_TRUE(Contains(couch.text, "three runs a week"));
  EXPECT_EQ(couch.namespaces, (Namespaces{"running", "programming"}));
  EXPECT_TRUE(Contains(Transform("ep-09").text, "recovery runs"));
}

TEST(Questionnaire, RunAnalysisReadsPacingHeartRateEffortAndNotes) {
  auto fade = Transform("ep-10");
  EXPECT_TRUE(Contains(fade.text, "positive split"));
  EXPECT_TRUE(Contains(fade.text, "high heart rate"));  // 172 of 188
  EXPECT_TRUE(Contains(fade.text, "hard effort"));
  EXPECT_EQ(fade.namespaces, (Namespaces{"running"}));
  auto walker = Transform("ep-11");
  EXPECT_TRUE(Contains(walker.text, "walk run beginner"));  // 9:00 per km
  EXPECT_TRUE(Contains(walker.text, "shins hurt"));
  // Pain in the notes must find injury guidance.
  ASSERT_EQ(walker.required.size(), 1u);
  EXPECT_TRUE(Contains(walker.required[0].text, "shins hurt"));
  EXPECT_EQ(walker.namespaces, (Namespaces{"running", "injury"}));
  EXPECT_TRUE(fade.required.empty());
  auto long_easy = Transform("ep-12");
  EXPECT_TRUE(Contains(long_easy.text, "long run"));
  EXPECT_TRUE(Contains(long_easy.text, "zone 2"));
  EXPECT_TRUE(Contains(long_easy.text, "left knee ached"));
}

TEST(Questionnaire, InjuryTriageRaisesRedFlagsFromSymptomsAndSeverity) {
  auto back = Transform("ep-16");
  EXPECT_TRUE(Contains(back.text, "lower back pain"));
  EXPECT_TRUE(Contains(back.text, "acute injury first days"));
  EXPECT_FALSE(Contains(back.text, "red flags"));
  auto shoulder = Transform("ep-18");
  EXPECT_TRUE(Contains(shoulder.text, "red flags"));        // night pain
  EXPECT_TRUE(Contains(shoulder.text, "persistent pain"));  // 60 days
  EXPECT_TRUE(Contains(Transform("ep-17").text, "overuse load management tendon"));
  EXPECT_EQ(back.namespaces, (Namespaces{"injury"}));
}

TEST(Questionnaire, SwapReadsReasonEquipmentAndInjuries) {
  auto knee = Transform("ep-19");
  EXPECT_TRUE(Contains(knee.text, "barbell back squat alternatives"));
  EXPECT_TRUE(Contains(knee.text, "barbell back squat with knee pain exercises to avoid"));
  EXPECT_EQ(knee.namespaces, (Namespaces{"exercises", "injury"}));
  ASSERT_EQ(knee.required.size(), 1u);
  EXPECT_EQ(knee.required[0].namespaces, (Namespaces{"injury"}));
  auto home = Transform("ep-21");
  EXPECT_TRUE(Contains(home.text, "dumbbell alternative"));
  EXPECT_TRUE(Contains(home.text, "achilles pain"));  // from the context
  auto bands = Transform("ep-20");
  EXPECT_TRUE(Contains(bands.text, "equipment-free alternative"));
  EXPECT_EQ(bands.namespaces, (Namespaces{"exercises"}));
  EXPECT_TRUE(bands.required.empty());
}

TEST(Questionnaire, AnalyticsAndOnboardingRoutes) {
  EXPECT_TRUE(Contains(Transform("ep-28").text, "running volume spikes"));
  EXPECT_TRUE(Contains(Transform("ep-28").text, "injury risk"));
  EXPECT_FALSE(Contains(Transform("ep-30").text, "running volume"));
  EXPECT_TRUE(Contains(Transform("ep-31").text, "intermediate lifter"));
  EXPECT_EQ(Transform("ep-31").namespaces, (Namespaces{"programming", "recovery"}));
  EXPECT_TRUE(Contains(Transform("ep-34").text, "missed sessions"));
  EXPECT_TRUE(Contains(Transform("ep-13").text, "estimated 1RM progress plateau"));
  EXPECT_FALSE(Contains(Transform("ep-13").text, "Barbell Squat"));  // a how-to, not a trend
  EXPECT_TRUE(Contains(Transform("ep-15").text, "consistency"));
  EXPECT_FALSE(Contains(Transform("ep-15").text, "push pull"));  // the route computes balance
  EXPECT_TRUE(Contains(Transform("ep-25").text, "beginner new to training"));
  // A schedule said in free text is asked for as the split passages say it.
  EXPECT_TRUE(Contains(Transform("ep-22").text, "three days per week training split"));
  EXPECT_TRUE(Contains(Transform("ep-27").text, "four days per week training split"));
  EXPECT_FALSE(Contains(Transform("ep-23").text, "days per week"));  // "25k a week"
  auto said = [](const std::string& message) {
    return TransformRequest("onboarding/conversational", json{{"message", message}}, json{}).text;
  };
  EXPECT_TRUE(Contains(said("I can lift twice a week"), "two days per week"));
  EXPECT_TRUE(Contains(said("gym 5x a week, 20 weeks out from my meet"), "five days per week"));
  EXPECT_TRUE(Contains(said("Three mornings before work"), "three days per week"));
  EXPECT_FALSE(Contains(said("20 weeks pregnant, 12 sessions done"), "days per week"));
  EXPECT_FALSE(Contains(said("I have 9 days off"), "days per week"));
  EXPECT_FALSE(Contains(Transform("ep-25").text, "athlete"));
  EXPECT_TRUE(Contains(Transform("ep-24").text, "Pregnant"));
  EXPECT_TRUE(Contains(Transform("ep-26").text, "high blood pressure"));
  EXPECT_EQ(Transform("ep-37").text, "how much creatine should I take");
  EXPECT_EQ(Transform("ep-37").k, 3u);
}

TEST(Questionnaire, DeterministicAndToleratesMistypedFields) {
  EXPECT_EQ(Transform("ep-10").text, Transform("ep-10").text);
  json junk{{"goal", 7},    {"days_per_week", "four"}, {"splits", "none"},
            {"history", 3}, {"symptoms", {1, 2}},      {"equipment", {{"a", 1}}}};
  json weird_context{{"profile", "x"}, {"active_injuries", {{{"body_part", 5}}}}};
  for (const auto& endpoint : TransformerEndpoints()) {
    EXPECT_NO_THROW(TransformRequest(endpoint, junk, weird_context)) << endpoint;
    EXPECT_NO_THROW(TransformRequest(endpoint, json(nullptr), json(nullptr))) << endpoint;
  }
  // Long free text is cut: a pasted essay must not drown the query.
  std::string essay;
  for (int i = 0; i < 500; ++i) essay += "word ";
  auto q = TransformRequest("onboarding/extract", {{"text", essay}}, json::object());
  EXPECT_LT(q.text.size(), 400u);
}

}  // namespace
}  // namespace vf::rag
