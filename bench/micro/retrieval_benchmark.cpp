// Retrieval over the shipped knowledge base: the whole pipeline uncached (selector, fused legs,
// diversity) on every evaluation query in turn, the same through the RAG cache once warm, one
// leg alone, the latent semantic and exercise-substitutes legs alone, and building the index and
// the latent leg (time, and resident memory of an opened retriever).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <filesystem>

#include "cache/loader.hpp"
#include "cache/memory_cache.hpp"
#include "knowledge/knowledge_base.hpp"
#include "latency.hpp"
#include "monitoring/process_stats.hpp"
#include "rag/evaluation.hpp"
#include "rag/exercise_substitutes.hpp"
#include "rag/latent_semantic.hpp"
#include "rag/rag_service.hpp"

namespace vf::rag {
namespace {

using vf::bench::Percentiles;

const std::filesystem::path& KnowledgeDir() {
  static const std::filesystem::path dir = std::filesystem::path(VOICEFIT_SOURCE_DIR) / "knowledge";
  return dir;
}

struct Setup {
  knowledge::KnowledgeBase kb = knowledge::LoadKnowledgeBase(KnowledgeDir());
  Retriever retriever{kb, {}};
  NamespaceSelector selector{retriever};
  cache::MemoryCache memory{{.budget_bytes = 64u << 20}};
  cache::SingleFlight flight;
  cache::Loader loader{
      memory,
      {"rag_context", RagService::FamilyVersion(retriever, selector, {}), std::chrono::hours(1)},
      flight};
  RagService uncached{retriever, selector};
  RagService cached{retriever, selector, &loader};
  std::vector<RagQuery> queries;
  std::vector<AnalyzedQuery> analyzed;  // the same queries, analysed once for the legs alone
  Setup() {
    for (const auto& q : LoadEvalSet(KnowledgeDir())) queries.push_back(q.query);
    for (const auto& q : queries) analyzed.push_back(retriever.Analyze(q.text));
  }
};

Setup& Shared() {
  static Setup setup;
  return setup;
}

void BM_RetrieveUncached(benchmark::State& state) {
  static Percentiles p;
  auto& s = Shared();
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return s.uncached.Compute(s.queries[i % s.queries.size()]).sources.size();
  });
  if (state.thread_index() == 0) p.Report(state, "us");
  state.counters["queries"] = static_cast<double>(s.queries.size());
}
BENCHMARK(BM_RetrieveUncached)->Threads(1)->Threads(2)->UseRealTime();

void BM_RetrieveCached(benchmark::State& state) {
  static Percentiles p;
  auto& s = Shared();
  if (state.thread_index() == 0) {
    for (const auto& q : s.queries) s.cached.Retrieve(q);
  }
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return s.cached.Retrieve(s.queries[i % s.queries.size()]).sources.size();
  });
  if (state.thread_index() == 0) p.Report(state, "us");
}
BENCHMARK(BM_RetrieveCached)->Threads(1)->Threads(2)->UseRealTime();

// One BM25 leg, no selector or fusion: what Xapian itself costs per query.
void BM_OneLexicalLeg(benchmark::State& state) {
  static Percentiles p;
  auto& s = Shared();
  const auto& analyzed = s.analyzed;
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return s.retriever.SearchLeg(analyzed[i % analyzed.size()], Retriever::Leg::kSynonyms, {}, 30)
        .size();
  });
  p.Report(state, "us");
}
BENCHMARK(BM_OneLexicalLeg);

// The latent semantic leg alone: fold the query in, cosine with every passage, sort.
void BM_LatentLeg(benchmark::State& state) {
  static Percentiles p;
  auto& s = Shared();
  Analyzer analyzer;
  static LatentSemanticIndex latent(s.kb, analyzer, 100);
  const auto& analyzed = s.analyzed;
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return latent.Rank(analyzed[i % analyzed.size()].stems, {}, 30).size();
  });
  p.Report(state, "us");
}
BENCHMARK(BM_LatentLeg);

// The exercise-substitutes leg alone: on every evaluation query (most ask for no substitute, and
// cost a scan of their words), and on queries that name an exercise and ask for another (a
// lookup per exercise passage in the precomputed similarities, sort).
void BM_SubstitutesLeg(benchmark::State& state) {
  static Percentiles p;
  auto& s = Shared();
  Analyzer analyzer;
  static ExerciseSubstitutes substitutes(
      s.kb, analyzer, [&](uint32_t a, uint32_t b) { return s.retriever.Similarity(a, b); });
  std::vector<AnalyzedQuery> analyzed;
  if (state.range(0) == 0) {
    analyzed = s.analyzed;
  } else {
    for (const char* text : {"whats a good sub for leg press, my gym doesnt have one",
                             "barbell back squat alternatives working the same muscles",
                             "what can i do instead of pull ups", "swap bench press for what"}) {
      analyzed.push_back(s.retriever.Analyze(text));
    }
  }
  vf::bench::TimedCalls(state, p, [&](size_t i) {
    return substitutes.Rank(analyzed[i % analyzed.size()].all_stems, 30).size();
  });
  p.Report(state, "us");
}
BENCHMARK(BM_SubstitutesLeg)->Arg(0)->Arg(1);

// Building the latent semantic leg at start-up (tf-idf matrix, Gram matrix, eigenvectors).
void BM_BuildLatentIndex(benchmark::State& state) {
  auto& s = Shared();
  Analyzer analyzer;
  for (auto _ : state) {
    benchmark::DoNotOptimize(LatentSemanticIndex(s.kb, analyzer, 100).dimensions());
  }
}
BENCHMARK(BM_BuildLatentIndex)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_BuildIndex(benchmark::State& state) {
  auto kb = knowledge::LoadKnowledgeBase(KnowledgeDir());
  auto dir = std::filesystem::temp_directory_path() / "voicefit-bench-index";
  for (auto _ : state) benchmark::DoNotOptimize(Retriever::BuildIndex(kb, dir));
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  state.counters["passages"] = static_cast<double>(kb.passages.size());
  state.counters["index_kb"] = static_cast<double>(bytes) / 1024;
  // What an opened retriever (lexicon, tf-idf vectors, latent leg) keeps, then with the searcher
  // (an in-memory copy of the index) its first search creates.
  malloc_trim(0);  // what the builds freed goes back first, or the retriever reuses it unseen
  auto before = monitoring::ReadProcessStats().resident_bytes;
  {
    Retriever retriever(kb, dir);
    malloc_trim(0);  // count what it keeps, not what start-up used and freed
    state.counters["opened_kb"] =
        static_cast<double>(monitoring::ReadProcessStats().resident_bytes - before) / 1024;
    benchmark::DoNotOptimize(retriever.Search("warm up before squats", {}, 5).size());
    malloc_trim(0);
    state.counters["retriever_rss_kb"] =
        static_cast<double>(monitoring::ReadProcessStats().resident_bytes - before) / 1024;
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_BuildIndex)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace vf::rag
