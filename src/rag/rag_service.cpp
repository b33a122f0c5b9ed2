#include "rag/rag_service.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/digest.hpp"
#include "rag/diversity.hpp"

namespace vf::rag {

using nlohmann::json;

json RagResult::SourcesJson() const {
  json out = json::array();
  for (const auto& s : sources) {
    out.push_back({{"id", s.id},
                   {"title", s.title},
                   {"namespace", s.name_space},
                   {"score", std::round(s.score * 1e4) / 1e4}});
  }
  return out;
}

json RagResult::MetaJson() const {
  return {{"namespaces", namespaces}, {"cache", cached ? "hit" : "miss"}};
}

RagService::RagService(const Retriever& retriever, const NamespaceSelector& selector,
                       cache::Loader* loader, monitoring::RagMetrics* metrics,
                       RankingSettings diversity)
    : retriever_(retriever),
      selector_(selector),
      loader_(loader),
      metrics_(metrics),
      ranking_(diversity) {}

std::string RagService::FamilyVersion(const Retriever& retriever, const NamespaceSelector& selector,
                                      const RankingSettings& diversity) {
  char tail[128];
  const auto& sel = selector.settings();
  std::snprintf(tail, sizeof tail, "|sel=%zu/%g/%d/%d|mmr=%g/%zu|facets=%g/%zu", sel.mass_depth,
                sel.share_threshold, sel.use_triggers ? 1 : 0, sel.filter ? 1 : 0, diversity.lambda,
                diversity.pool, diversity.facet_weight, diversity.required_rank);
  return Sha256Hex(retriever.knowledge_base().version + "|" + retriever.settings().Fingerprint() +
                   retriever.ExternalFingerprint() + tail)
      .substr(0, 16);
}

std::string RagService::CacheKey(const RagQuery& query) const {
  // The analysed words, so case, punctuation and spacing do not split the cache.
  std::string normalized;
  for (const auto& token : analyzer_.Analyze(query.text)) {
    normalized += token.word;
    normalized += ' ';
  }
  auto namespaces = query.namespaces;
  std::sort(namespaces.begin(), namespaces.end());
  normalized += '|';
  for (const auto& ns : namespaces) normalized += ns + ",";
  normalized += "|k=" + std::to_string(query.k);
  for (const auto& facet : query.required) {
    normalized += "|must=" + facet.text + "@";
    for (const auto& ns : facet.namespaces) normalized += ns + ",";
  }
  if (query.only_these_namespaces) normalized += "|only";
  return query.endpoint + ":" + Sha256Hex(normalized).substr(0, 32);
}

RagResult RagService::Compute(const RagQuery& query) const {
  RagResult result;
  const unsigned computing = ++computing_;
  struct Done {
    std::atomic<unsigned>& computing;
    ~Done() { --computing; }
  } done{computing_};
  const bool by_facet = ranking_.facet_weight > 0 && query.facets.size() > 1;
  std::shared_future<void> external_prepared;
  // A retrieval that ends early (it threw) still waits for its texts' preparation, which runs on
  // a kept thread and uses the legs: whoever owns them may destroy them once this returns.
  struct AwaitPreparation {
    const std::shared_future<void>& prepared;
    ~AwaitPreparation() {
      if (prepared.valid()) prepared.wait();
    }
  } await_preparation{external_prepared};
  const size_t phrases = std::max<size_t>(1, query.facets.size());
  if (retriever_.has_external_legs()) {
    // Every text the searches below rank, so an embeddings leg asks for them in one request.
    std::vector<std::string> texts;
    if (retriever_.external_legs_rank(phrases)) texts.push_back(query.text);
    if (retriever_.external_legs_rank(1)) {
      if (by_facet) texts.insert(texts.end(), query.facets.begin(), query.facets.end());
      if (ranking_.required_rank > 0) {
        for (const auto& facet : query.required) texts.push_back(facet.text);
      }
    }
    if (texts.empty()) {
      // No external leg ranks any of this query's texts.
    } else if (computing < overlap_below_) {
      external_prepared = retriever_.PrepareExternalInBackground(std::move(texts));
    } else {
      retriever_.PrepareExternal(texts);
    }
  }
  auto analyzed = retriever_.Analyze(query.text);
  analyzed.phrases = phrases;
  NamespaceSelection selection;
  if (query.only_these_namespaces && !query.namespaces.empty()) {
    selection.namespaces = query.namespaces;
  } else {
    selection = selector_.Select(analyzed, query.namespaces);
  }
  result.namespaces = selection.namespaces;
  size_t k = std::min(query.k, kMaxK);
  std::span<const std::string> filter;
  if (selector_.settings().filter || query.only_these_namespaces) filter = selection.namespaces;
  size_t depth = std::max(k, ranking_.pool);
  bool missing = false;  // an external leg did not answer one of the searches
  auto candidates = retriever_.Search(
      analyzed, filter, depth, selection.ranking.candidates.empty() ? nullptr : &selection.ranking,
      &missing, external_prepared);
  if (by_facet) {
    std::vector<std::vector<Candidate>> lists{std::move(candidates)};
    std::vector<double> weights{1.0};
    for (const auto& facet : query.facets) {
      lists.push_back(retriever_.Search(facet, filter, depth, &missing));
      weights.push_back(ranking_.facet_weight);
    }
    candidates = FuseReciprocalRank(lists, weights, retriever_.settings().rrf_k);
    if (candidates.size() > depth) candidates.resize(depth);
  }
  // Fused scores sit close together (1/61, 1/62, ...); spread over the pool so the relevance
  // side of the trade-off is not swamped by the similarity side.
  std::vector<double> relevance;
  double low = candidates.empty() ? 0 : candidates.back().score;
  double high = candidates.empty() ? 0 : candidates.front().score;
  for (const auto& c : candidates) {
    relevance.push_back(high > low ? (c.score - low) / (high - low) : 1.0);
  }
  Retriever::SimilarityFrom similarity(retriever_);
  auto picked = SelectDiverse(
      relevance,
      [&](size_t a, size_t b) { return similarity(candidates[a].passage, candidates[b].passage); },
      k, ranking_.lambda);
  std::vector<Candidate> chosen;
  for (size_t i : picked) chosen.push_back(candidates[i]);
  if (ranking_.required_rank > 0) {
    for (const auto& facet : query.required) Cover(facet, k, chosen, missing);
  }
  const auto& passages = retriever_.knowledge_base().passages;
  for (const auto& c : chosen) {
    const auto& p = passages[c.passage];
    result.sources.push_back({p.id, p.title, p.name_space, c.score});
    // A required facet may have searched a namespace the selection left out.
    if (std::find(result.namespaces.begin(), result.namespaces.end(), p.name_space) ==
        result.namespaces.end()) {
      result.namespaces.push_back(p.name_space);
    }
  }
  result.complete = !missing;
  return result;
}

void RagService::Cover(const RequiredFacet& facet, size_t k, std::vector<Candidate>& chosen,
                       bool& missing) const {
  // Any of the facet's own best few answers it: its first choice need not be the one the whole
  // query would rank first.
  constexpr size_t kAnsweringDepth = 3;
  if (k == 0) return;
  auto own = retriever_.Search(facet.text, facet.namespaces, kAnsweringDepth, &missing);
  if (own.empty()) return;
  size_t rank = std::min({ranking_.required_rank, k, chosen.size() + 1}) - 1;
  auto answering = std::find_if(chosen.begin(), chosen.end(), [&](const Candidate& c) {
    return std::any_of(own.begin(), own.end(),
                       [&](const Candidate& o) { return o.passage == c.passage; });
  });
  auto at = chosen.begin() + static_cast<std::ptrdiff_t>(rank);
  if (answering < at) return;
  // Otherwise the facet's own first choice goes there, moved up when it is further down.
  auto best = std::find_if(chosen.begin(), chosen.end(),
                           [&](const Candidate& c) { return c.passage == own.front().passage; });
  if (best != chosen.end()) {
    std::rotate(at, best, best + 1);  // the passages in between keep their order
    return;
  }
  chosen.insert(at, own.front());
  if (chosen.size() > k) chosen.pop_back();
}

RagResult RagService::Retrieve(const RagQuery& query) {
  auto started = std::chrono::steady_clock::now();
  RagResult result;
  if (!loader_) {
    result = Compute(query);
  } else {
    auto loaded = loader_->GetOrCompute(CacheKey(query), [&] {
      auto computed = Compute(query);
      json compact{{"n", computed.namespaces}, {"s", json::array()}};
      for (const auto& s : computed.sources) compact["s"].push_back({s.id, s.score});
      // Without a leg that is down, the sources are not what the key promises for the next hour.
      return cache::Loader::Computed{compact.dump(), computed.complete};
    });
    auto compact = json::parse(loaded.value);
    const auto& kb = retriever_.knowledge_base();
    result.namespaces = compact.at("n").get<std::vector<std::string>>();
    for (const auto& entry : compact.at("s")) {
      // The key carries the knowledge-base version, so every id is known here.
      if (const auto* p = kb.Find(entry.at(0).get<std::string>())) {
        result.sources.push_back({p->id, p->title, p->name_space, entry.at(1).get<double>()});
      }
    }
    result.cached = loaded.cached;
  }
  if (metrics_) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_->latency.With({query.endpoint}).Observe(seconds);
    for (const auto& ns : result.namespaces) metrics_->retrievals.With({query.endpoint, ns}).Add();
  }
  return result;
}

}  // namespace vf::rag
