#pragma once
// A spoken workout log -> sets (or a run). Pure: no I/O, no clock; the matcher names exercises.
//   "bench three by eight at one eighty five"        3 sets of 8 at 185 (in the utterance's unit)
//   "squats 5x5 at 100 kilos then bench 3 by 8 at 80" two exercises
//   "five reps at 100 then 3 at 110"                  two sets of one exercise
//   "dips plus twenty five", "curls with the 30s", "RPE eight", "two in the tank"
//   "ran 5k in 24 minutes"                            a run
// Fillers ("uh", "I mean") are dropped and corrections ("actually make that 6") applied. What is
// not understood is returned in `unparsed`, never guessed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exercises/matcher.hpp"

namespace vf::exercises {

enum class WeightUnit { kKg, kLb };

struct ParseOptions {
  std::optional<WeightUnit> request_unit;  // the request's "unit"
  std::optional<WeightUnit> profile_unit;  // the athlete's preferred unit
};

struct ParsedSet {
  std::string spoken;  // the words that named the exercise
  const Exercise* exercise = nullptr;
  double confidence = 0;
  int reps = 0;
  std::optional<double> weight_kg;  // null: no load (bodyweight moves) or not said
  std::optional<double> rpe, rir;
  bool per_side = false;  // "each leg": reps are per side
};

struct ParsedRun {
  std::optional<double> distance_m;
  std::optional<double> duration_s;
};

struct ParsedLog {
  std::vector<ParsedSet> sets;
  std::optional<ParsedRun> run;
  std::vector<std::string> unparsed;  // fragments not understood
  std::vector<std::string> warnings;
  bool empty() const { return sets.empty() && !run; }
};

inline constexpr double kKgPerPound = 0.45359237;

ParsedLog ParseTranscript(std::string_view transcript, const NameMatcher& matcher,
                          const ParseOptions& options = {});

// "kg", "kilos", "lbs", "pounds", ... -> the unit; nullopt for any other word.
std::optional<WeightUnit> WeightUnitOf(std::string_view word);

// Lowercase words with punctuation as "," separators, mixed tokens split ("3x8" -> 3 x 8,
// "140kg" -> 140 kg, "5k" -> 5 k), fillers dropped. Public for tests.
std::vector<std::string> SpokenWords(std::string_view transcript);

}  // namespace vf::exercises
