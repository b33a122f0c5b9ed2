// The transcript parser and matcher on the project's labelled utterances
// (tests/data/voice-utterances.json) with the real catalog (data/exercises.json). Reports the
// exact-match accuracy (exercise, set count, reps, weight within 0.5 kg, RPE/RIR, per side), lists
// every failure, and requires 95%. Separately: the matcher never picks a wrong exercise above its
// threshold on the set.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exercises/transcript_parser.hpp"

namespace vf::exercises {
namespace {

using nlohmann::json;

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::optional<WeightUnit> Unit(const json& j) {
  if (!j.is_string()) return std::nullopt;
  return j.get<std::string>() == "lb" ? std::optional(WeightUnit::kLb)
                                      : std::optional(WeightUnit::kKg);
}

bool Near(const json& expected, const std::optional<double>& actual, double tolerance) {
  if (expected.is_null()) return !actual.has_value();
  return actual && std::fabs(expected.get<double>() - *actual) <= tolerance;
}

// Empty when the parse is what the utterance expects; otherwise what differs.
std::string Compare(const json& expect, const ParsedLog& log) {
  std::ostringstream why;
  if (expect.value("none", false)) {
    if (!log.empty())
      why << "expected nothing, got " << log.sets.size() << " sets"
          << (log.run ? " and a run" : "");
    return why.str();
  }
  if (expect.contains("run")) {
    const json& r = expect["run"];
    if (!log.run) return "expected a run, got " + std::to_string(log.sets.size()) + " sets";
    if (!Near(r.value("distance_m", json()), log.run->distance_m, 1.0)) why << "distance ";
    if (!Near(r.value("duration_s", json()), log.run->duration_s, 1.0)) why << "duration ";
    return why.str();
  }
  const json& sets = expect["sets"];
  if (log.run) return "expected sets, got a run";
  if (sets.size() != log.sets.size()) {
    why << "expected " << sets.size() << " sets, got " << log.sets.size();
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(sets.size(), log.sets.size()); ++i) {
    const json& e = sets[i];
    const ParsedSet& a = log.sets[i];
    std::string at = " [set " + std::to_string(i + 1) + "]";
    if (e["exercise_id"].get<std::string>() != a.exercise->id) {
      why << at << " exercise " << a.exercise->id << " != " << e["exercise_id"].get<std::string>();
    }
    if (e["reps"].get<int>() != a.reps) why << at << " reps " << a.reps;
    if (!Near(e.value("weight_kg", json()), a.weight_kg, 0.5)) {
      why << at << " weight " << (a.weight_kg ? std::to_string(*a.weight_kg) : "null");
    }
    if (!Near(e.value("rpe", json()), a.rpe, 0.01)) why << at << " rpe";
    if (!Near(e.value("rir", json()), a.rir, 0.01)) why << at << " rir";
    if (e.value("per_side", false) != a.per_side) why << at << " per_side";
  }
  return why.str();
}

struct Score {
  double accuracy = 0;
  int wrong_exercise_matches = 0;
  int expected_sets = 0;
};

Score Measure(const std::string& file, std::size_t minimum) {
  Catalog catalog = Catalog::Load(VOICEFIT_SOURCE_DIR "/data/exercises.json");
  Matcher matcher(catalog);
  json data = ReadJson(file);
  const json& utterances = data["utterances"];
  EXPECT_GE(utterances.size(), minimum);
  std::printf("== %s\n", file.c_str());
  int passed = 0, wrong_exercise_matches = 0, expected_sets = 0;
  std::map<std::string, std::pair<int, int>> by_tag;  // tag -> passed, total
  std::ostringstream failures;
  for (const auto& u : utterances) {
    ParseOptions options{Unit(u.value("unit", json())), Unit(u.value("profile_unit", json()))};
    ParsedLog log = ParseTranscript(u["text"].get<std::string>(), matcher, options);
    std::string why = Compare(u["expect"], log);
    bool ok = why.empty();
    passed += ok ? 1 : 0;
    for (const auto& tag : u.value("tags", json::array())) {
      auto& t = by_tag[tag.get<std::string>()];
      t.first += ok ? 1 : 0;
      ++t.second;
    }
    if (!ok) {
      failures << "  " << u["id"].get<std::string>() << " \"" << u["text"].get<std::string>()
               << "\": " << why << '\n';
    }
    // Precision: a set named with an exercise other than the expected one is a wrong match.
    if (u["expect"].contains("sets")) {
      expected_sets += static_cast<int>(u["expect"]["sets"].size());
      std::set<std::string> expected;
      for (const auto& s : u["expect"]["sets"])
        expected.insert(s["exercise_id"].get<std::string>());
      for (const auto& s : log.sets) {
        if (!expected.count(s.exercise->id)) ++wrong_exercise_matches;
      }
    }
  }
  double accuracy = static_cast<double>(passed) / static_cast<double>(utterances.size());
  std::printf("voice log accuracy: %d / %zu = %.1f%%\n", passed, utterances.size(), accuracy * 100);
  for (const auto& [tag, t] : by_tag)
    std::printf("  %-22s %d / %d\n", tag.c_str(), t.first, t.second);
  std::printf("sets named with a wrong exercise: %d\n", wrong_exercise_matches);
  if (passed != static_cast<int>(utterances.size()))
    std::printf("failures:\n%s", failures.str().c_str());
  return {accuracy, wrong_exercise_matches, expected_sets};
}

// The set the parser was developed against.
TEST(VoiceAccuracy, LabelledUtterancesParseExactly) {
  Score s = Measure(VOICEFIT_SOURCE_DIR "/tests/data/voice-utterances.json", 150);
  EXPECT_GE(s.accuracy, 0.95);
  EXPECT_EQ(s.wrong_exercise_matches, 0);
}

// Written afterwards, with new phrasings and exercises: how well the parser generalises.
TEST(VoiceAccuracy, HeldOutUtterances) {
  Score s = Measure(VOICEFIT_SOURCE_DIR "/tests/data/voice-utterances-heldout.json", 80);
  // Bars for unseen phrasings (measured 2026-11-26: 86.2% exact, 6 of 200 sets misnamed).
  EXPECT_GE(s.accuracy, 0.80);
  EXPECT_LE(s.wrong_exercise_matches, s.expected_sets / 20);
}

}  // namespace
}  // namespace vf::exercises
