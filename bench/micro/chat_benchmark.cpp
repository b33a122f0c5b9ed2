// Classifying a chat message (features + model) and extracting its entities, per-call p50/p99.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>

#include "chat/entities.hpp"
#include "chat/intent_classifier.hpp"

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
  std::vector<double> ns;
  ns.reserve(1 << 20);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& m = Messages()[i++ % Messages().size()];
    auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(call(m));
    auto stop = std::chrono::steady_clock::now();
    if (ns.size() < ns.capacity())
      ns.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
  }
  std::sort(ns.begin(), ns.end());
  if (!ns.empty()) {
    state.counters["p50_us"] = ns[ns.size() / 2] / 1000;
    state.counters["p99_us"] = ns[ns.size() * 99 / 100] / 1000;
  }
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
