#pragma once
// Retrieval for the AI routes: a questionnaire transformer's query goes through the namespace
// selector, the retriever (fused lexical legs, filtered to the selected namespaces) and a
// diversity pass, and comes back as sources. Results are cached for an hour under the endpoint,
// a hash of the analysed query, the namespaces asked for, k, the retrieval settings and the
// knowledge-base version, so editing a passage retires every cached result.

#include <nlohmann/json.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "cache/loader.hpp"
#include "core/worker_pool.hpp"
#include "monitoring/families.hpp"
#include "rag/namespace_selector.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

// A facet the sources must answer whatever the rest of the query pulls toward: an athlete's
// active injury on a program route, say, whose guidance a plan cannot do without.
struct RequiredFacet {
  std::string text;                     // searched on its own
  std::vector<std::string> namespaces;  // where its answer lives
};

struct RagQuery {
  std::string endpoint;                 // the route, e.g. "coach/ask"
  std::string text;                     // what the transformer made of the request
  std::vector<std::string> namespaces;  // the endpoint's prior; empty means no prior
  size_t k = 5;
  bool only_these_namespaces = false;   // search `namespaces` as given, without the selector
  std::vector<std::string> facets;      // the text's separate phrases, when it has several
  std::vector<RequiredFacet> required;  // each answered by RankingSettings::required_rank
};

struct Source {
  std::string id;
  std::string title;
  std::string name_space;
  double score = 0;
};

struct RagResult {
  std::vector<Source> sources;
  std::vector<std::string> namespaces;  // searched
  bool cached = false;
  bool complete = true;  // every configured search leg answered (else it is not cached)

  nlohmann::json SourcesJson() const;  // API.md `sources`
  nlohmann::json MetaJson() const;     // API.md `meta.rag`
};

// How the service ranks beyond one search: a query made of several facets (a transformer's
// phrases: "deload week", "4 days per week training split", ...) is searched whole and facet by
// facet, and the rankings fused, so every facet gets its passage; then maximal marginal
// relevance picks the k, and each required facet's answer is put in among them.
struct RankingSettings {
  double lambda = 0.9;        // MMR: 1 turns diversity off
  size_t pool = 12;           // candidates MMR chooses among
  double facet_weight = 0.0;  // RRF weight of each facet's own ranking; 0 turns facets off
  // A required facet's answer (one of its own best passages) is moved up to this rank when it
  // is lower, or put there when it is missing (1-based, the k-th at most); 0 ignores them.
  size_t required_rank = 3;
};

class RagService {
 public:
  static constexpr size_t kMaxK = 20;

  RagService(const Retriever& retriever, const NamespaceSelector& selector,
             cache::Loader* loader = nullptr, monitoring::RagMetrics* metrics = nullptr,
             RankingSettings diversity = {});

  RagResult Retrieve(const RagQuery& query);       // through the cache
  RagResult Compute(const RagQuery& query) const;  // never cached

  // The cache key's part after the family: endpoint, then a hash of everything else.
  std::string CacheKey(const RagQuery& query) const;
  // The family's version: knowledge base, retrieval and selector settings.
  static std::string FamilyVersion(const Retriever& retriever, const NamespaceSelector& selector,
                                   const RankingSettings& diversity);

  const RankingSettings& ranking() const { return ranking_; }
  void set_ranking(const RankingSettings& d) { ranking_ = d; }  // evaluation only
  const Retriever& retriever() const { return retriever_; }
  // Embedding the question for an external leg while the lexical legs search pays only when a
  // core would otherwise idle: it is done on a thread of its own while fewer than this many
  // retrievals are being computed (this one included), else first, on the request's thread.
  void set_overlap_below(unsigned computing) { overlap_below_ = computing; }

 private:
  const Retriever& retriever_;
  const NamespaceSelector& selector_;
  cache::Loader* loader_;
  monitoring::RagMetrics* metrics_;
  RankingSettings ranking_;
  Analyzer analyzer_;
  unsigned overlap_below_ = CoreCount();
  // Retrievals being computed in this process, by every service: the cores are shared.
  static inline std::atomic<unsigned> computing_{0};
  // Makes sure `chosen` (at most k) holds an answer to `facet` by ranking_.required_rank.
  void Cover(const RequiredFacet& facet, size_t k, std::vector<Candidate>& chosen,
             bool& missing) const;
};

}  // namespace vf::rag
