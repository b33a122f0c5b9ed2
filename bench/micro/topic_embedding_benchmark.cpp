// The dense leg's model computed in-process (EMBEDDINGS_LOCAL_DIR): the sentence encoder on the
// evaluation set's questions and on whole passages (read up to 128 pieces), the classifier on
// top of it, and the whole retrieval pipeline uncached with that leg fused in, beside
// retrieval_benchmark.cpp's lexical-only figures. Needs `npm ci` in tools/embeddings-server.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "core/config.hpp"
#include "knowledge/knowledge_base.hpp"
#include "latency.hpp"
#include "rag/evaluation.hpp"
#include "rag/rag_service.hpp"
#include "rag/topic_embedder.hpp"

namespace vf::rag {
namespace {

using vf::bench::Percentiles;
namespace fs = std::filesystem;

const fs::path kSource = VOICEFIT_SOURCE_DIR;
const fs::path kModelDir = kSource / "tools" / "embeddings-server";

struct Setup {
  knowledge::KnowledgeBase kb = knowledge::LoadKnowledgeBase(kSource / "knowledge");
  TopicEmbedder embedder{kModelDir};
  std::vector<RagQuery> queries;
  std::vector<std::string> passage_texts;
  Setup() {
    for (const auto& q : LoadEvalSet(kSource / "knowledge")) queries.push_back(q.query);
    for (const auto& p : kb.passages) passage_texts.push_back(DenseLeg::PassageInput(p));
  }
};

Setup* Shared(benchmark::State& state) {
  try {
    static Setup setup;
    return &setup;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());  // the encoder's weights are not installed
    return nullptr;
  }
}

void BM_SentenceEncoderQuestion(benchmark::State& state) {
  static Percentiles p;
  auto* s = Shared(state);
  if (!s) return;
  SentenceEncoder encoder(kModelDir / "node_modules" / "@energetic-ai" / "model-embeddings-en" /
                          "dist");
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return encoder.Encode(s->queries[i % s->queries.size()].text).size();
  });
  p.Report(state, "us");
}
BENCHMARK(BM_SentenceEncoderQuestion)->UseRealTime();

// Encoder and classifier: what the dense leg asks of the model per uncached question.
void BM_TopicEmbeddingQuestion(benchmark::State& state) {
  static Percentiles p;
  auto* s = Shared(state);
  if (!s) return;
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return s->embedder.Embed({s->queries[i % s->queries.size()].text}).size();
  });
  p.Report(state, "us");
}
BENCHMARK(BM_TopicEmbeddingQuestion)->UseRealTime();

// Once per knowledge-base version, at start-up (the vectors are then kept in the index folder).
void BM_TopicEmbeddingAllPassages(benchmark::State& state) {
  auto* s = Shared(state);
  if (!s) return;
  for (auto _ : state) benchmark::DoNotOptimize(s->embedder.Embed(s->passage_texts).size());
  state.counters["passages"] = static_cast<double>(s->passage_texts.size());
}
BENCHMARK(BM_TopicEmbeddingAllPassages)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// Every question new to the leg: the vectors it remembers are forgotten before each retrieval.
void BM_RetrieveUncachedWithLocalDense(benchmark::State& state) {
  static Percentiles p;
  auto* s = Shared(state);
  if (!s) return;
  static Retriever retriever{s->kb, {}};
  static DenseLeg dense{s->kb, s->embedder, {}};
  static bool attached =
      (retriever.AddExternalLeg(&dense, 0.25, RagConfig{}.leg_breaker_open), true);
  static NamespaceSelector selector{retriever};
  static RagService uncached{retriever, selector};
  benchmark::DoNotOptimize(attached);
  vf::bench::TimedCalls(
      state, p, [&](size_t) { dense.ForgetQuestions(); },
      [&](size_t i) { return uncached.Compute(s->queries[i % s->queries.size()]).sources.size(); });
  p.Report(state, "us");
}
BENCHMARK(BM_RetrieveUncachedWithLocalDense)->UseRealTime();

}  // namespace
}  // namespace vf::rag
