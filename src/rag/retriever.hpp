#pragma once
// Lexical retrieval over the knowledge base with Xapian (BM25): the passage text and title in
// one field, the title, the tags and the expansion questions again in fields of their own
// (boosts), namespaces as boolean filter terms. Up to three legs run per query and are fused by
// reciprocal rank fusion:
//   plain     the query's words;
//   synonyms  phrases of the domain lexicon replaced by their whole synonym group (OP_SYNONYM,
//             scored as one term);
//   feedback  the synonyms leg plus terms drawn from its own top passages (pseudo-relevance
//             feedback), only for queries long enough for that not to drift;
//   latent    the query's words compared with the passages in a latent semantic space (LSI),
//             which reaches passages that say the same thing in other words;
//   substitutes  for a query asking for something instead of a named exercise, the exercises
//             most like that one.
// The index is a Xapian glass database in a folder: built there at start-up, or reused when its
// stored knowledge-base version matches. Safe to call from any number of threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/analyzer.hpp"
#include "rag/exercise_substitutes.hpp"
#include "rag/latent_semantic.hpp"

namespace vf {
class WorkerPool;
}

namespace vf::rag {

// Tuned on the training part of the evaluation set (docs/RETRIEVAL.md has how and the figures).
struct RetrievalSettings {
  double k1 = 2.0;
  double b = 0.3;
  double title_weight = 0.0;      // scale of the title field's score
  double tags_weight = 1.0;       // scale of the tags field's score
  double questions_weight = 1.0;  // scale of the passage's expansion questions' field
  double plain_weight = 0.0;      // RRF weights; 0 turns a leg off
  double synonym_weight = 0.5;
  double feedback_weight = 1.0;
  int feedback_docs = 3;
  int feedback_terms = 8;
  double feedback_scale = 0.3;
  int feedback_min_terms = 3;  // the feedback leg runs only for queries with this many words
  int rrf_k = 60;
  int depth = 30;  // how deep each leg is read before fusion
  // The latent semantic leg (rag/latent_semantic.hpp): its RRF weight, and how many singular
  // vectors it keeps (read when the retriever is built; 0 builds none).
  double latent_weight = 0.25;
  int latent_dimensions = 100;
  // The exercise-substitutes leg (rag/exercise_substitutes.hpp): its RRF weight.
  double substitutes_weight = 0.5;
  // The version of these settings and of the analyzer, part of every cache key.
  std::string Fingerprint() const;
};

struct Candidate {
  uint32_t passage = 0;  // index into KnowledgeBase::passages
  double score = 0;      // fused, in [0, 1]: 1 would be first in every leg
};

// The analysed form of a query: its terms (stopwords dropped), and the synonym groups found.
struct AnalyzedQuery {
  std::vector<std::string> stems;  // the plain leg
  struct Concept {
    std::vector<std::vector<std::string>> alternatives;  // each one a phrase of stems
  };
  std::vector<Concept> concepts;  // the synonyms leg: a group or a lone word each
  size_t expanded_groups = 0;
  std::vector<std::string> all_stems;  // every word's stem in order, stopwords too (triggers)
  std::string text;                    // as given, for legs that analyse it themselves
  // How many phrases the text joins (a route's RagQuery::facets): external legs may weigh a
  // composed query otherwise than one question (Retriever::AddExternalLeg).
  size_t phrases = 1;
};

// The synonyms leg over the whole knowledge base, as the namespace selector runs it anyway.
// BM25 statistics are collection-wide, so restricting it to some namespaces gives exactly the
// filtered search's ranking, as deep as it reaches: a search can reuse it instead of running the
// filtered query again.
struct UnfilteredRanking {
  std::vector<Candidate> candidates;  // best first, raw BM25 scores
  bool complete = false;              // holds every passage the query matches
};

// A ranking from outside the embedded index (a hosted search service, a dense index), fused
// with the lexical legs. Returns passage ids, best first; throws when it cannot answer, and the
// query then goes on without it.
class ExternalLeg {
 public:
  virtual ~ExternalLeg() = default;
  virtual std::vector<std::string> Rank(const std::string& text,
                                        std::span<const std::string> namespaces, size_t k) = 0;
  virtual std::string name() const = 0;
  // The texts one retrieval is about to rank (a route's query, its required facets), given first
  // so a leg can fetch what they need in one round trip. May throw, as Rank may.
  virtual void Prepare(std::span<const std::string> /*texts*/) {}
};

class Retriever {
 public:
  // Uses the index of this knowledge base's version under `index_root` (a folder per version,
  // see PrepareIndex), building it when missing. An empty `index_root` builds into a private
  // temporary folder removed on destruction.
  Retriever(const knowledge::KnowledgeBase& kb, std::filesystem::path index_root,
            RetrievalSettings settings = {});
  ~Retriever();
  Retriever(const Retriever&) = delete;
  Retriever& operator=(const Retriever&) = delete;

  // Writes a fresh index for `kb` into `dir` (created or replaced); returns the passage count.
  static size_t BuildIndex(const knowledge::KnowledgeBase& kb, const std::filesystem::path& dir);
  // The folder of `kb`'s index under `index_root`: one per knowledge-base version and index
  // layout, so servers of two versions (a rolling deploy) never touch each other's. Built in a
  // private folder and renamed into place, so concurrent builders cannot tear it; a complete
  // folder is reused. Returns the folder; `built` says whether this call built it.
  static std::filesystem::path PrepareIndex(const knowledge::KnowledgeBase& kb,
                                            const std::filesystem::path& index_root,
                                            bool* built = nullptr);
  // Removes from `index_root` the index folders of other versions that no retriever has open
  // (each holds a shared lock beside its folder for its lifetime) and that were written more
  // than `min_age` ago (a folder prebuilt for a deploy that has not started yet is younger),
  // and the staging folders of builds that died. Never `keep`. Returns how many went; failures
  // to remove are left for the next call.
  static size_t PruneIndexFolders(const std::filesystem::path& index_root,
                                  const std::filesystem::path& keep,
                                  std::chrono::seconds min_age = std::chrono::hours(1));

  // The query's words (misspelt ones corrected against the knowledge base's own words), lexicon
  // phrases found and expanded, stopwords dropped.
  AnalyzedQuery Analyze(std::string_view query) const;
  // `word` itself when the knowledge base or a lexicon uses it, else the index's closest word.
  std::string CorrectSpelling(const std::string& word) const;
  // Best first, at most `limit`; `namespaces` empty means all.
  // `external_missing`, when given, is set when an external leg was asked for but did not
  // answer (it failed, or its breaker is open): such a result should not be cached as complete.
  std::vector<Candidate> Search(std::string_view query, std::span<const std::string> namespaces,
                                size_t limit, bool* external_missing = nullptr) const;
  // `unfiltered`, when given, is this query's synonyms leg over every namespace (see
  // UnfilteredRanking); it stands in for that leg's filtered search when it reaches deep enough.
  // `external_prepared`, when valid, is waited for after the embedded legs and before the
  // external ones (PrepareExternalInBackground).
  std::vector<Candidate> Search(const AnalyzedQuery& query, std::span<const std::string> namespaces,
                                size_t limit, const UnfilteredRanking* unfiltered = nullptr,
                                bool* external_missing = nullptr,
                                const std::shared_future<void>& external_prepared = {}) const;
  // The BM25 ranking of one leg alone, raw scores (for the namespace selector and evaluation).
  enum class Leg { kPlain, kSynonyms, kFeedback };
  // The feedback leg takes its feedback passages from `synonyms_ranking` when given (the
  // synonyms leg's own result: no second search for them).
  std::vector<Candidate> SearchLeg(const AnalyzedQuery& query, Leg leg,
                                   std::span<const std::string> namespaces, size_t limit,
                                   std::span<const Candidate> synonyms_ranking = {}) const;

  // Fuses `leg` into every search with this RRF weight, or `composed_weight` (when given) for a
  // query of several phrases; a weight of 0 leaves the leg unasked. Call before serving. A leg
  // that fails is skipped for `breaker_open` (circuit breaker), so no search waits on one that
  // is down; then one search tries it again (RagConfig::leg_breaker_open).
  void AddExternalLeg(ExternalLeg* leg, double weight, std::chrono::milliseconds breaker_open,
                      std::optional<double> composed_weight = std::nullopt);
  bool has_external_legs() const { return !external_.empty(); }
  // Whether some external leg ranks a query of this many phrases (so its text needs preparing).
  bool external_legs_rank(size_t phrases) const;
  // Hands every external leg the texts the next searches will pass it (ExternalLeg::Prepare),
  // through its breaker: a leg that fails here is left out of those searches too.
  void PrepareExternal(std::span<const std::string> texts) const;
  // The same on another thread, so that embedding the question (a model run or an endpoint's
  // round trip) overlaps the embedded legs' searches instead of adding to them. Hand the result
  // to Search; it is done (breaker and all) by the time any external leg is asked to rank. When
  // every preparing thread is busy and their queue full, it runs on the caller's thread instead
  // and the result is empty.
  std::shared_future<void> PrepareExternalInBackground(std::vector<std::string> texts) const;
  // The external legs' names and weights, for cache keys; empty without any.
  std::string ExternalFingerprint() const;
  uint64_t external_failures() const { return external_failures_.load(); }
  // Searches that went on without a leg because its breaker was open.
  uint64_t external_skipped() const { return external_skipped_.load(); }
  // The legs whose breaker is open (failing, not yet back), by name.
  std::vector<std::string> FailingExternalLegs() const;

  // The feedback leg's expansion terms for `query` from these feedback passages, best first: the
  // body terms Xapian's Enquire::get_eset would give (its default weighting, TradEWeight with
  // k = 1, and its tie-breaking), never a word of the query, computed from statistics read once
  // at start-up instead of from every feedback passage's term list per search.
  std::vector<std::string> FeedbackTerms(const AnalyzedQuery& query,
                                         std::span<const uint32_t> passages) const;
  // The same through Xapian's get_eset itself, which FeedbackTerms replaced (a fifth of an
  // uncached retrieval): the reference the tests hold it to.
  std::vector<std::string> FeedbackTermsFromXapian(const AnalyzedQuery& query,
                                                   std::span<const uint32_t> passages) const;

  // Cosine similarity of two passages' tf-idf vectors (for diversity).
  double Similarity(uint32_t a, uint32_t b) const;
  // The same for one passage against many in turn, as diversity asks after each pick: the
  // passage's vector is spread over an array by term once (this thread's, reused), and each
  // other passage's terms are looked up in it instead of merged with it. Equal to Similarity to
  // the last bit (same products, added in the same order).
  class SimilarityFrom {
   public:
    explicit SimilarityFrom(const Retriever& retriever) : retriever_(retriever) {}
    ~SimilarityFrom();
    SimilarityFrom(const SimilarityFrom&) = delete;
    SimilarityFrom& operator=(const SimilarityFrom&) = delete;
    double operator()(uint32_t from, uint32_t to);

   private:
    const Retriever& retriever_;
    uint32_t spread_ = UINT32_MAX;  // the passage whose vector is spread, if any
  };

  const knowledge::KnowledgeBase& knowledge_base() const { return kb_; }
  const RetrievalSettings& settings() const { return settings_; }
  void set_settings(const RetrievalSettings& settings);  // evaluation and tuning only
  const std::filesystem::path& index_dir() const { return index_dir_; }  // the version's folder
  bool built_index() const { return built_; }

 private:
  struct Searchers;
  // `ranking` restricted to `namespaces`, `depth` long; empty when it does not reach that deep.
  std::optional<std::vector<Candidate>> Restricted(const UnfilteredRanking& ranking,
                                                   std::span<const std::string> namespaces,
                                                   size_t depth) const;
  const knowledge::KnowledgeBase& kb_;
  Analyzer analyzer_;
  RetrievalSettings settings_;
  std::filesystem::path index_dir_;
  std::filesystem::path temporary_root_;  // removed on destruction when set
  int index_lock_ = -1;  // shared lock on the version's folder while this retriever lives
  bool built_ = false;
  // Lexicon phrases as stem sequences, longest first, each with its group.
  struct LexiconPhrase {
    std::vector<std::string> stems;
    size_t group;
  };
  std::unordered_set<std::string> known_words_;
  std::vector<LexiconPhrase> phrases_;
  // First stem -> phrases starting with it, longest first.
  std::unordered_map<std::string, std::vector<size_t>> phrases_by_first_stem_;
  std::vector<std::vector<std::vector<std::string>>> groups_;  // group -> phrases -> stems
  // What Xapian's query expansion reads, for FeedbackTerms.
  struct ExpansionStatistics {
    std::vector<std::string> terms;        // the terms a feedback term may be, in byte order
    std::vector<uint32_t> term_frequency;  // per term: the passages holding it
    // Per passage: (term, within-passage frequency), ascending term; and its indexed length.
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> postings;
    std::vector<uint32_t> length;
    double average_length = 0;
  };
  ExpansionStatistics expansion_;
  size_t vocabulary_ = 0;  // term ids of `vectors_`
  // Per passage: sorted (term id, weight) with unit norm.
  std::vector<std::vector<std::pair<uint32_t, float>>> vectors_;
  std::unique_ptr<Searchers> searchers_;
  std::unique_ptr<LatentSemanticIndex> latent_;
  std::unique_ptr<ExerciseSubstitutes> substitutes_;
  struct External {
    ExternalLeg* leg;
    double weight;
    double composed_weight;
    std::unique_ptr<CircuitBreaker> breaker;
    double WeightFor(size_t phrases) const { return phrases > 1 ? composed_weight : weight; }
  };
  // Asks `leg` through its breaker; false when it was skipped or failed (then logged once per
  // outage and counted).
  bool AskExternal(const External& external, const std::function<void()>& ask) const;
  std::vector<External> external_;
  mutable std::atomic<uint64_t> external_failures_{0}, external_skipped_{0};
  // Threads kept for PrepareExternalInBackground once an external leg is added: starting one per
  // retrieval cost about as much as a lexical leg's search. Last, so they stop (finishing what
  // is queued) before the legs they call go.
  std::unique_ptr<WorkerPool> preparers_;
};

// Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): score = sum of w / (k + rank), ranks
// from 1, duplicates within a list ignored after their best rank, ties broken by best single
// rank then by passage. Scores are divided by the best possible sum so they fall in [0, 1].
std::vector<Candidate> FuseReciprocalRank(std::span<const std::vector<Candidate>> lists,
                                          std::span<const double> weights, int k);

}  // namespace vf::rag
