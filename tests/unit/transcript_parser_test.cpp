// The spoken-number reader, the matcher and the transcript parser on a small catalog written
// here (the full catalog's accuracy is measured by voice_accuracy_test on the labelled set).

#include "exercises/transcript_parser.hpp"

#include <gtest/gtest.h>

#include "exercises/spoken_numbers.hpp"

namespace vf::exercises {
namespace {

const Catalog& SmallCatalog() {
  static const Catalog catalog = Catalog::FromJson(R"({
    "version": "test",
    "exercises": [
      {"id": "barbell-bench-press-medium-grip", "name": "Barbell Bench Press - Medium Grip",
       "aliases": ["bench press", "flat bench"], "pattern": "horizontal_push"},
      {"id": "barbell-full-squat", "name": "Barbell Full Squat", "aliases": ["back squat"],
       "pattern": "squat"},
      {"id": "barbell-deadlift", "name": "Barbell Deadlift", "aliases": [], "pattern": "hinge"},
      {"id": "romanian-deadlift", "name": "Romanian Deadlift", "aliases": ["rdl"],
       "pattern": "hinge"},
      {"id": "barbell-curl", "name": "Barbell Curl", "aliases": [], "pattern": "isolation_biceps"},
      {"id": "dumbbell-bicep-curl", "name": "Dumbbell Bicep Curl", "aliases": [],
       "pattern": "isolation_biceps"},
      {"id": "incline-dumbbell-press", "name": "Incline Dumbbell Press", "aliases": [],
       "pattern": "horizontal_push"},
      {"id": "dips-triceps-version", "name": "Dips - Triceps Version", "aliases": ["dips"],
       "pattern": "vertical_push", "bodyweight": true},
      {"id": "pullups", "name": "Pullups", "aliases": ["pull ups"], "pattern": "vertical_pull",
       "bodyweight": true},
      {"id": "bodyweight-walking-lunge", "name": "Bodyweight Walking Lunge", "aliases": [],
       "pattern": "lunge", "bodyweight": true}
    ],
    "defaults": {"bench": "barbell-bench-press-medium-grip", "squat": "barbell-full-squat",
                 "deadlift": "barbell-deadlift", "curls": "barbell-curl",
                 "lunges": "bodyweight-walking-lunge"}
  })");
  return catalog;
}

const Matcher& SmallMatcher() {
  static const Matcher matcher(SmallCatalog());
  return matcher;
}

std::vector<double> Numbers(const std::string& text) {
  std::vector<double> out;
  for (const auto& t : CollapseNumbers(SpokenWords(text))) {
    if (t.number) out.push_back(*t.number);
  }
  return out;
}

TEST(SpokenNumbers, AsPeopleSayThem) {
  EXPECT_EQ(Numbers("one eighty-five"), std::vector<double>{185});
  EXPECT_EQ(Numbers("two oh five"), std::vector<double>{205});
  EXPECT_EQ(Numbers("a hundred and forty"), std::vector<double>{140});
  EXPECT_EQ(Numbers("one hundred twenty"), std::vector<double>{120});
  EXPECT_EQ(Numbers("seven and a half"), std::vector<double>{7.5});
  EXPECT_EQ(Numbers("twenty-two point five"), std::vector<double>{22.5});
  EXPECT_EQ(Numbers("two twenty five"), std::vector<double>{225});
  EXPECT_EQ(Numbers("one fifteen"), std::vector<double>{115});
  EXPECT_EQ(Numbers("three by eight"), (std::vector<double>{3, 8}));
  EXPECT_EQ(Numbers("3x8 at 22.5"), (std::vector<double>{3, 8, 22.5}));
  EXPECT_EQ(Numbers("five five five"), (std::vector<double>{5, 5, 5}));
  auto eights = CollapseNumbers(SpokenWords("three eights"));
  ASSERT_EQ(eights.size(), 2u);
  EXPECT_TRUE(eights[1].plural);
  EXPECT_EQ(*eights[1].number, 8);
}

TEST(Matcher, NamesAliasesDefaultsOrderAndSlips) {
  const Matcher& m = SmallMatcher();
  auto id = [&](const std::string& spoken) {
    auto r = m.Match(spoken);
    return r.matched()
               ? r.exercise->id
               : "(none: best " +
                     (r.candidates.empty() ? std::string("-") : r.candidates[0].exercise->id) + ")";
  };
  EXPECT_EQ(id("bench"), "barbell-bench-press-medium-grip");
  EXPECT_EQ(id("Bench Press"), "barbell-bench-press-medium-grip");
  EXPECT_EQ(id("RDLs"), "romanian-deadlift");
  EXPECT_EQ(id("rdl's"), "romanian-deadlift");
  EXPECT_EQ(id("dumbbell incline press"), "incline-dumbbell-press");
  EXPECT_EQ(id("incline db press"), "incline-dumbbell-press");
  EXPECT_EQ(id("dead lift"), "barbell-deadlift");
  EXPECT_EQ(id("pull-ups"), "pullups");
  EXPECT_EQ(id("squats"), "barbell-full-squat");
  EXPECT_EQ(id("squads"), "barbell-full-squat");  // a speech-recognition slip
  EXPECT_EQ(id("curls"), "barbell-curl");
  EXPECT_FALSE(m.Match("what time is it").matched());
  EXPECT_FALSE(m.Match("").matched());
}

ParsedLog Parse(const std::string& text, ParseOptions options = {}) {
  return ParseTranscript(text, SmallMatcher(), options);
}

TEST(TranscriptParser, SetsRepsAndWeightsInEveryForm) {
  auto log = Parse("bench three by eight at one eighty five", {.request_unit = WeightUnit::kLb});
  ASSERT_EQ(log.sets.size(), 3u);
  EXPECT_EQ(log.sets[0].exercise->id, "barbell-bench-press-medium-grip");
  EXPECT_EQ(log.sets[0].reps, 8);
  EXPECT_NEAR(*log.sets[0].weight_kg, 83.91, 0.01);

  for (const char* text : {"squat 3x5 at 100", "squat 3 by 5 at 100 kilos",
                           "squats three sets of five at a hundred", "squat three fives at 100"}) {
    auto l = Parse(text);
    ASSERT_EQ(l.sets.size(), 3u) << text;
    EXPECT_EQ(l.sets[2].reps, 5) << text;
    EXPECT_EQ(*l.sets[2].weight_kg, 100) << text;
  }
}

TEST(TranscriptParser, SeveralExercisesAndGroups) {
  auto log = Parse("squats 5 by 5 at 100 then bench 3 by 8 at 80");
  ASSERT_EQ(log.sets.size(), 8u);
  EXPECT_EQ(log.sets[0].exercise->id, "barbell-full-squat");
  EXPECT_EQ(log.sets[7].exercise->id, "barbell-bench-press-medium-grip");
  EXPECT_EQ(*log.sets[7].weight_kg, 80);

  auto groups = Parse("deadlift five reps at 140 then 3 at 150");
  ASSERT_EQ(groups.sets.size(), 2u);
  EXPECT_EQ(groups.sets[0].reps, 5);
  EXPECT_EQ(*groups.sets[0].weight_kg, 140);
  EXPECT_EQ(groups.sets[1].reps, 3);
  EXPECT_EQ(*groups.sets[1].weight_kg, 150);
}

TEST(TranscriptParser, UnitsFillersCorrectionsEffort) {
  auto lb = Parse("bench 5 reps at 225 pounds");
  ASSERT_EQ(lb.sets.size(), 1u);
  EXPECT_NEAR(*lb.sets[0].weight_kg, 102.06, 0.01);
  // Spoken unit beats the request's, which beats the profile's.
  EXPECT_EQ(*Parse("bench 5 at 100 kilos", {.request_unit = WeightUnit::kLb}).sets[0].weight_kg,
            100);
  EXPECT_NEAR(*Parse("bench 5 at 100", {.profile_unit = WeightUnit::kLb}).sets[0].weight_kg, 45.36,
              0.01);
  auto corrected = Parse("uh bench um three by eight at 80 actually make that 6 reps");
  ASSERT_EQ(corrected.sets.size(), 3u);
  EXPECT_EQ(corrected.sets[0].reps, 6);
  auto effort = Parse("squat 5 at 120 at rpe eight and a half");
  ASSERT_EQ(effort.sets.size(), 1u);
  EXPECT_EQ(*effort.sets[0].rpe, 8.5);
  auto tank = Parse("bench 8 at 80 two in the tank");
  EXPECT_EQ(*tank.sets[0].rir, 2);
}

TEST(TranscriptParser, BodyweightLoadsAndSides) {
  auto dips = Parse("dips 3 by 10 plus twenty five pounds");
  ASSERT_EQ(dips.sets.size(), 3u);
  EXPECT_NEAR(*dips.sets[0].weight_kg, 11.34, 0.01);
  auto pullups = Parse("pull ups 3 sets of 8");
  ASSERT_EQ(pullups.sets.size(), 3u);
  EXPECT_FALSE(pullups.sets[0].weight_kg.has_value());
  auto lunges = Parse("lunges 3 by 10 each leg");
  ASSERT_EQ(lunges.sets.size(), 3u);
  EXPECT_TRUE(lunges.sets[0].per_side);
  auto curls = Parse("dumbbell curls 3 by 12 with the 30s", {.request_unit = WeightUnit::kLb});
  ASSERT_EQ(curls.sets.size(), 3u);
  EXPECT_EQ(curls.sets[0].exercise->id, "dumbbell-bicep-curl");
  EXPECT_NEAR(*curls.sets[0].weight_kg, 13.61, 0.01);
}

TEST(TranscriptParser, RunsAreRuns) {
  auto run = Parse("ran 5k in 24 minutes");
  ASSERT_TRUE(run.run.has_value());
  EXPECT_EQ(*run.run->distance_m, 5000);
  EXPECT_EQ(*run.run->duration_s, 1440);
  auto miles = Parse("easy 8 mile run");
  ASSERT_TRUE(miles.run.has_value());
  EXPECT_NEAR(*miles.run->distance_m, 12875, 1);
  EXPECT_FALSE(miles.run->duration_s.has_value());
  auto split = Parse("10 k in fifty two thirty");  // a distance and a time: a run, unsaid
  ASSERT_TRUE(split.run.has_value());
  EXPECT_EQ(*split.run->duration_s, 52 * 60 + 30);
  auto spoken = Parse("ran 10 k in fifty two thirty");
  ASSERT_TRUE(spoken.run.has_value());
  EXPECT_EQ(*spoken.run->duration_s, 52 * 60 + 30);
}

TEST(TranscriptParser, WhatIsNotALogIsNotParsed) {
  for (const char* text : {"what time is it", "how much should I bench", "five five five", "um", "",
                           "I did some squats", "\x01\x02\xff\xfe"}) {
    auto log = Parse(text);
    EXPECT_TRUE(log.sets.empty()) << text;
    EXPECT_FALSE(log.run.has_value()) << text;
  }
}

}  // namespace
}  // namespace vf::exercises
