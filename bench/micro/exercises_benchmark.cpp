// Naming exercises and parsing spoken logs on the full catalog (data/exercises.json): a mix of
// exact names, aliases, defaults, misspellings and names that match nothing; per-call p50/p99.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "exercises/transcript_parser.hpp"
#include "latency.hpp"

namespace vf::exercises {
namespace {

const Catalog& FullCatalog() {
  static const Catalog catalog = Catalog::Load(VOICEFIT_SOURCE_DIR "/data/exercises.json");
  return catalog;
}

const Matcher& FullMatcher() {
  static const Matcher matcher(FullCatalog());
  return matcher;
}

template <class Call>
void Timed(benchmark::State& state, const std::vector<std::string>& inputs, Call call) {
  vf::bench::Percentiles p;
  vf::bench::TimedCalls(state, p, [&](std::size_t i) { return call(inputs[i % inputs.size()]); });
  p.Report(state, "us");
}

void BM_MatchExerciseName(benchmark::State& state) {
  static const std::vector<std::string> kNames{"bench",
                                               "Barbell Bench Press - Medium Grip",
                                               "RDLs",
                                               "incline db press",
                                               "dumbbell incline press",
                                               "squads",
                                               "skull crushers",
                                               "pull-ups",
                                               "lat pull downs",
                                               "bulgarian split squats",
                                               "hammer curl",
                                               "seated cable rows",
                                               "dead lift",
                                               "zercher carry with chains",
                                               "face pull",
                                               "leg extenshuns"};
  FullMatcher();
  Timed(state, kNames, [](const std::string& n) { return FullMatcher().Match(n); });
}
BENCHMARK(BM_MatchExerciseName);

void BM_ParseTranscript(benchmark::State& state) {
  static const std::vector<std::string> kUtterances{
      "bench three by eight at one eighty five", "squats 5 by 5 at 100 then bench 3 by 8 at 80",
      "uh curls three by twelve with the 30s actually make that ten",
      "dips plus twenty five, 3 sets of 8", "ran 5k in 24 minutes"};
  FullMatcher();
  Timed(state, kUtterances,
        [](const std::string& u) { return ParseTranscript(u, FullMatcher(), {}); });
}
BENCHMARK(BM_ParseTranscript);

}  // namespace
}  // namespace vf::exercises
