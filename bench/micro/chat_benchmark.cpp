// Classifying a chat message (features + model) and extracting its entities, per-call p50/p99.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>

#include "chat/entities.hpp"
#include "chat/intent_classifier.hpp"
#include "latency.hpp"

namespace vf::chat {
namespace {

const IntentClassifier& Model() {
  static const IntentClassifier model =
      IntentClassifier::Train(LoadMessages(VOICEFIT_SOURCE_DIR "/data/chat-intents.json"));
  return model;
}

const std::vector<std::string>& Messages() {
  static const std::vector<std::string> kMessages{
      "bench 3x8 at 185 lbs",
      "my knee hurts when i squat, what can i do instead",
      "make me a 12 week strength program for 4 days a week",
      "show my squat progress",
      "hi coach",
      "so today i did uh squats five by five at one forty and my lower back felt a bit tight"};
  return kMessages;
}

template <class Call>
void Timed(benchmark::State& state, Call call) {
  vf::bench::Percentiles p;
  vf::bench::TimedCalls(state, p,
                        [&](std::size_t i) { return call(Messages()[i % Messages().size()]); });
  p.Report(state, "us");
}

void BM_ClassifyIntent(benchmark::State& state) {
  Model();
  Timed(state, [](const std::string& m) { return Model().Classify(m); });
}
BENCHMARK(BM_ClassifyIntent);

void BM_ChatEntities(benchmark::State& state) {
  static const exercises::Catalog catalog =
      exercises::Catalog::Load(VOICEFIT_SOURCE_DIR "/data/exercises.json");
  static const exercises::Matcher matcher(catalog);
  Timed(state, [](const std::string& m) { return ExtractEntities(m, matcher, matcher); });
}
BENCHMARK(BM_ChatEntities);

}  // namespace
}  // namespace vf::chat
